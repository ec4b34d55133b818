# Test-time shot (Poisson) noise: ImageNet-C's (ravar_bench/perturbations/noise.py).
type = "shot_noise"
version = 1
# Photon count c at full intensity per severity 1..5, ImageNet-C's constants.
severity_table = [60, 25, 12, 5, 3]
# The middle of ImageNet-C's range. (The authors' release has a commented-out call at severity 4;
# it never ran, and the paper does not state its level, so we keep every perturbation at 3.)
default_severity = 3
