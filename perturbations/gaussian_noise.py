# Test-time Gaussian noise: ImageNet-C's (ravar_bench/perturbations/noise.py, GAUSSIAN_SIGMAS).
type = "gaussian_noise"
version = 1  # must equal the code's; its severity table lives with the function
# The middle of ImageNet-C's range; the paper's appendix does not state the level it used.
default_severity = 3
