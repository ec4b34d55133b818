"""ravar-bench: a benchmark harness for Referring Atomic Video Action Recognition."""
