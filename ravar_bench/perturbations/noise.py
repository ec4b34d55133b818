"""ImageNet-C's Gaussian and shot noise on a clip, sampled exactly from the reference's output distribution.

ImageNet-C (Hendrycks & Dietterich, 2019) computes, per pixel value x in 0..255,

- Gaussian: ``uint8(clip(x / 255 + sigma * n, 0, 1) * 255)`` with n ~ N(0, 1);
- shot:     ``uint8(clip(K / c, 0, 1) * 255)`` with K ~ Poisson(x / 255 * c).

Both outputs are integers with closed-form probabilities, so we draw them by inverse CDF (see
:mod:`ravar_bench.perturbations.sampling`): the same distribution, several times faster.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy.special import ndtr, pdtr

from ravar_bench.perturbations.common import check_clip, register_perturbation, severity_row
from ravar_bench.perturbations.sampling import QuantileTable

NOISE_VERSION = 1
GAUSSIAN_SIGMAS = (0.08, 0.12, 0.18, 0.26, 0.38)  # ImageNet-C, on the [0, 1] intensity scale
SHOT_PHOTONS = (60, 25, 12, 5, 3)  # ImageNet-C: photon count c at full intensity


@cache
def _gaussian_offsets(sigma: float) -> QuantileTable:
    """The law of D = floor(255 sigma n), clamped to -255..255.

    For an integer x, floor(x + 255 sigma n) = x + D, and the clamp changes nothing once the sum is clipped.
    """
    offsets = np.arange(-255, 256)
    cdf = ndtr((offsets + 1) / (255.0 * sigma))  # P(D <= d) = P(n < (d + 1) / (255 sigma))
    return QuantileTable(cdf, offsets, bits=16)


@cache
def _shot_values(photons: int) -> QuantileTable:
    """Per clean value x (a row), the law of the output uint8(clip(K / c, 0, 1) * 255), as ImageNet-C casts it."""
    counts = np.arange(photons + 1)  # every count >= c gives 255, so min(K, c) decides the output
    rates = np.arange(256) / 255.0 * photons
    values = (np.clip(counts / float(photons), 0, 1) * 255).astype(np.uint8)
    return QuantileTable(pdtr(counts[None, :], rates[:, None]), values, bits=12)


@register_perturbation("gaussian_noise", NOISE_VERSION, GAUSSIAN_SIGMAS)
def gaussian_noise(frames: np.ndarray, severity: int, rng: np.random.Generator) -> np.ndarray:
    """ImageNet-C Gaussian noise, independent per pixel and channel, on a uint8 clip [T, H, W, 3]."""
    check_clip(frames, "gaussian_noise")
    table = _gaussian_offsets(severity_row(GAUSSIAN_SIGMAS, severity, "gaussian_noise"))
    noisy = table.sample(None, frames.size, rng)
    noisy += frames.reshape(-1)
    return np.clip(noisy, 0, 255, out=noisy).astype(np.uint8).reshape(frames.shape)


@register_perturbation("shot_noise", NOISE_VERSION, SHOT_PHOTONS)
def shot_noise(frames: np.ndarray, severity: int, rng: np.random.Generator) -> np.ndarray:
    """ImageNet-C shot (Poisson) noise, independent per pixel and channel, on a uint8 clip [T, H, W, 3]."""
    check_clip(frames, "shot_noise")
    table = _shot_values(severity_row(SHOT_PHOTONS, severity, "shot_noise"))
    return table.sample(frames.reshape(-1), frames.size, rng).astype(np.uint8).reshape(frames.shape)
