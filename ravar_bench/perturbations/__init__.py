"""Test-time perturbations (fog, rain, shot noise, Gaussian noise) and the ``Perturb`` pipeline step.

Each perturbation is a pure function ``f(frames uint8 [T, H, W, 3], severity 1..5, numpy Generator)``
registered in ``PERTURBATIONS``; see docs/PERTURBATIONS.md.
"""

from ravar_bench.perturbations.fog import fog
from ravar_bench.perturbations.noise import gaussian_noise, shot_noise
from ravar_bench.perturbations.rain import rain

__all__ = ["fog", "gaussian_noise", "rain", "shot_noise"]
