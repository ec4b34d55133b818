# Test-time fog: ImageNet-C's plasma-fractal fog, one fog layer per clip (ravar_bench/perturbations/fog.py, FOG_LEVELS).
type = "fog"
version = 1  # must equal the code's; its severity table lives with the function
# The middle of ImageNet-C's range; the paper's appendix does not state the level it used.
default_severity = 3
