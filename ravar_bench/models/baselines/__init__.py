"""The paper's 15 baselines (Sec. 3.2) as configs of one model class; importing registers the pieces."""

from ravar_bench.models.baselines import encoders, fusions  # noqa: F401  (register the modules)
from ravar_bench.models.baselines.referring import ReferringBaseline

__all__ = ["ReferringBaseline"]
