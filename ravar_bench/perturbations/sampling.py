"""Exact inverse-CDF sampling of many small categorical distributions at once, by table lookup.

The ImageNet-C noises end in ``uint8(clip(...) * 255)``, so each output pixel takes one of at most 256
values whose probabilities follow in closed form from the clean value. Inverse-CDF sampling of that
categorical from one uniform per pixel gives the reference's output distribution exactly, and is much
cheaper than drawing a Normal or Poisson variate per pixel: the uniform's leading ``bits`` bits (one
cheap integer draw) pick a bucket of [0, 1); in most buckets the inverse CDF is constant, so a table
lookup is the answer. Only the few draws whose bucket holds a step of the CDF draw the rest of their
uniform (float64) and are resolved by binary search. NumPy has no vectorised sampler for per-element
categorical distributions, hence this module.
"""

from __future__ import annotations

import numpy as np

_AMBIGUOUS = np.iinfo(np.int16).min  # marks a bucket that holds a CDF step


class QuantileTable:
    """Sampler for the rows of ``cdf`` [R, K] (row r: a CDF over outcomes 0..K-1), returning ``values[k]``."""

    def __init__(self, cdf: np.ndarray, values: np.ndarray, bits: int) -> None:
        cdf = np.array(cdf, dtype=np.float64, ndmin=2)
        values = np.asarray(values, dtype=np.int16)
        if np.any(np.diff(cdf, axis=1) < 0) or values.shape != cdf.shape[1:] or np.any(values == _AMBIGUOUS):
            raise ValueError("QuantileTable: needs non-decreasing CDF rows and one int16 value (not the minimum) "
                             "per outcome")
        rows, outcomes = cdf.shape
        cdf[:, -1] = np.inf  # the last outcome takes all remaining mass
        edges = np.arange((1 << bits) + 1) / (1 << bits)
        lookup = np.empty((rows, 1 << bits), dtype=np.int16)
        for row, steps in enumerate(cdf):
            first = np.searchsorted(steps, edges[:-1], side="right")  # the outcome at a bucket's left edge
            last = np.searchsorted(steps, edges[1:], side="left")  # the outcome just below its right edge
            lookup[row] = np.where(first == last, values[first], _AMBIGUOUS)
        self.bits = bits
        self._lookup = lookup.ravel()
        self._values = values
        self._outcomes = outcomes
        # Row r's CDF shifted by 2r and flattened stays sorted, so one binary search serves every row.
        self._shifted = (np.minimum(cdf, 1.0) + 2.0 * np.arange(rows)[:, None]).ravel()

    def sample(self, rows: np.ndarray | None, size: int, rng: np.random.Generator) -> np.ndarray:
        """``size`` draws (int16), the i-th from row ``rows[i]`` (row 0 for all when ``rows`` is None)."""
        buckets = rng.integers(0, 1 << self.bits, size=size, dtype=np.uint16 if self.bits <= 16 else np.uint32)
        index = buckets if rows is None else (rows.astype(np.intp) << self.bits) | buckets
        out = self._lookup[index]
        pending = np.flatnonzero(out == _AMBIGUOUS)
        if pending.size:  # the draw's bucket holds a CDF step: finish its uniform and search
            uniforms = (buckets[pending] + rng.random(pending.size)) / (1 << self.bits)
            row = np.zeros(pending.size, np.intp) if rows is None else rows[pending].astype(np.intp)
            flat = np.searchsorted(self._shifted, uniforms + 2.0 * row, side="right")
            # The minimum only guards the ~2**-37 chance that buckets + random() rounds up to the next bucket.
            out[pending] = self._values[np.minimum(flat - row * self._outcomes, self._outcomes - 1)]
        return out
