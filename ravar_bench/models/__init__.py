"""RAVAR models: shared pieces (data preprocessor, tokenizers, head, base model) and RefAtomNet.

Importing this package registers everything in ``ravar_bench.registry.MODELS``.
"""

from ravar_bench.models import baselines  # noqa: F401  (registers the baseline adapters)
from ravar_bench.models.base import RAVARBaseModel
from ravar_bench.models.data_preprocessor import RAVARDataPreprocessor
from ravar_bench.models.heads import RAVARHead
from ravar_bench.models.param_count import count_parameters
from ravar_bench.models.prior import PriorOnly
from ravar_bench.models.refatomnet import RefAtomNet
from ravar_bench.models.refatomnet.person_tubes import PersonTubeEncoder
from ravar_bench.models.refatomnet.pointer import ReferringPointer
from ravar_bench.models.tokenizers import HashingTokenizer, PretrainedTokenizer

__all__ = ["HashingTokenizer", "PersonTubeEncoder", "PretrainedTokenizer", "PriorOnly", "RAVARBaseModel",
           "RAVARDataPreprocessor", "RAVARHead", "RefAtomNet", "ReferringPointer", "count_parameters"]
