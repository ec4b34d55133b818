# Test-time fog: ImageNet-C's plasma-fractal fog, one fog layer per clip (ravar_bench/perturbations/fog.py).
type = "fog"
version = 1
# (strength, wibble decay) per severity 1..5, ImageNet-C's constants.
severity_table = [(1.5, 2.0), (2.0, 2.0), (2.5, 1.7), (2.5, 1.5), (3.0, 1.4)]
# The middle of ImageNet-C's range; the paper's appendix does not state the level it used.
default_severity = 3
