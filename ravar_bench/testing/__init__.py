"""Fixtures shared by the tests, the benchmarks and ``ravar-bench check``: a tiny RefAVA in the authors'
format (``refava``), synthetic predictions (``predictions``) and fake finished runs (``runs``)."""
