"""ravar-bench: a benchmark harness for Referring Atomic Video Action Recognition (RAVAR)."""

from ravar_bench import _compat

__version__ = "0.1.0"

_compat.apply()
