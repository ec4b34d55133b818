# Test-time rain after the paper's appendix G.1: ellipse drops, beta blending, motion blur
# (ravar_bench/perturbations/rain.py, RAIN_LEVELS).
type = "rain"
version = 1  # must equal the code's; its severity table lives with the function
# The middle of the range, as for the ImageNet-C perturbations.
default_severity = 3
