"""Seeded synthetic predictions with AVA-like statistics, for the metric tests and benchmarks."""

from __future__ import annotations

import numpy as np

from ravar_bench.data.ava import AVA_ACTIONS


def synthetic_predictions(num: int, seed: int = 0, positives_per_row: float = 2.5, decimals: int | None = None,
                          empty_classes: tuple[int, ...] = (), box_noise: float = 0.1) -> dict[str, np.ndarray]:
    """Long-tailed multi-hot labels (class frequency ~ rank^-0.8), informative scores, noisy predicted boxes.

    Returns the keyword arguments of ``compute_ravar_metrics``. ``decimals`` rounds the scores (ties);
    ``empty_classes`` (AVA ids) get no positive.
    """
    rng = np.random.default_rng(seed)
    frequency = 1.0 / np.arange(1, len(AVA_ACTIONS) + 1) ** 0.8
    frequency *= positives_per_row / frequency.sum()
    frequency[np.asarray(empty_classes, dtype=np.int64) - 1] = 0.0
    labels = (rng.random((num, frequency.size)) < frequency).astype(np.int64)
    scores = np.clip(rng.normal(0.3, 0.2, labels.shape) + 0.3 * labels, 0.0, 1.0)
    if decimals is not None:
        scores = np.round(scores, decimals)
    corners = np.sort(rng.random((num, 2, 2)), axis=1)  # [sample, corner, (x, y)]
    gt = corners.reshape(num, 4)  # x1, y1, x2, y2 with x1 <= x2, y1 <= y2
    pred = gt + rng.normal(0.0, box_noise, gt.shape)
    return {"scores": scores, "labels": labels, "pred_boxes": pred, "gt_boxes": gt}
