# Test-time shot (Poisson) noise: ImageNet-C's (ravar_bench/perturbations/noise.py, SHOT_PHOTONS).
type = "shot_noise"
version = 1  # must equal the code's; its severity table lives with the function
# The middle of ImageNet-C's range. (The authors' release has a commented-out call at severity 4;
# it never ran, and the paper does not state its level, so we keep every perturbation at 3.)
default_severity = 3
