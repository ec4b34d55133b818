# Test-time Gaussian noise: ImageNet-C's (ravar_bench/perturbations/noise.py).
type = "gaussian_noise"
version = 1
# Standard deviation on the [0, 1] intensity scale per severity 1..5, ImageNet-C's constants.
severity_table = [0.08, 0.12, 0.18, 0.26, 0.38]
# The middle of ImageNet-C's range; the paper's appendix does not state the level it used.
default_severity = 3
