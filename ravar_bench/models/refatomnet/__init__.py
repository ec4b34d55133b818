"""RefAtomNet and its parts: the model (``model.py``), agent attention (``agent_attention.py``), the
Table 3 late fusions (``fusions.py``, registered in ``ravar_bench.registry.FUSIONS``), and the CPU-scale
person tubes (``person_tubes.py``) and referring pointer (``pointer.py``). The encoders and the head are
shared with the baselines and stay in ``ravar_bench.models``."""

from ravar_bench.models.refatomnet.model import FUSIONS, RefAtomNet

__all__ = ["FUSIONS", "RefAtomNet"]
