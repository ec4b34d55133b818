# Test-time rain after the paper's appendix G.1: ellipse drops, beta blending, motion blur
# (ravar_bench/perturbations/rain.py, RAIN_LEVELS).
type = "rain"
version = 1
# Per severity 1..5: drops per 10,000 px, drop length and width (px at a 224 px short side),
# opacity range, motion-blur length (px), background darkening.
severity_table = [
    dict(density=13, length=10, width=1.0, beta=(0.20, 0.40), blur=5, darken=0.9),
    dict(density=13, length=20, width=1.0, beta=(0.25, 0.50), blur=9, darken=0.8),
    dict(density=13, length=30, width=1.5, beta=(0.30, 0.60), blur=13, darken=0.7),
    dict(density=20, length=40, width=1.5, beta=(0.35, 0.70), blur=17, darken=0.6),
    dict(density=25, length=50, width=2.0, beta=(0.40, 0.80), blur=21, darken=0.5),
]
# The middle of the range, as for the ImageNet-C perturbations.
default_severity = 3
