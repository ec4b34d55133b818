"""ravar-bench: a benchmark harness for Referring Atomic Video Action Recognition (RAVAR).

Importing the package is cheap (no torch, no MMEngine stack), so the CLI starts at once; the
compatibility patches of ``_compat`` are applied by ``ravar_bench.registry``, which every build goes through.
"""

__version__ = "0.1.0"
