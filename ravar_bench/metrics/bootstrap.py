"""Seeded bootstrap over samples: resample counts and percentile intervals."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

DEFAULT_RESAMPLES = 1000
CONFIDENCE = 0.95


def resample_counts(rng: np.random.Generator, num_samples: int, num_resamples: int,
                    chunk: int = 16) -> Iterator[np.ndarray]:
    """Yield chunks [b, N] of how often each sample is drawn in a with-replacement resample of size N."""
    for start in range(0, num_resamples, chunk):
        size = min(chunk, num_resamples - start)
        draws = rng.integers(0, num_samples, size=(size, num_samples))
        flat = (draws + num_samples * np.arange(size)[:, None]).ravel()
        yield np.bincount(flat, minlength=size * num_samples).reshape(size, num_samples).astype(np.float32)


def percentile_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Percentile bootstrap interval (numpy's linear interpolation) over the finite resample values."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    tail = 50.0 * (1.0 - confidence)
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return float(low), float(high)
