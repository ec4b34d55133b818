"""A documented stand-in for an object detector: true key-frame boxes degraded by a seeded noise model.

For each true box (people and scene or handled objects): it is missed with probability ``miss``
(per kind), otherwise each corner moves by Gaussian noise with standard deviation ``jitter`` times
the box width (x) or height (y), and it gets the score ``score_low + (1 - score_low) * Beta(a, b)``.
False positives: ``Poisson(false_positives)`` boxes with uniform centre, side lengths uniform in
``fp_size`` and a name drawn uniformly from ``FP_NAMES`` (COCO names), scored
``fp_score_high * Beta(a_fp, b_fp)``. Boxes are clipped to [0, 1] and sorted by score.
"""

from __future__ import annotations

import numpy as np

NOISE_MODEL: dict[str, float | dict[str, float] | list[float]] = {
    "miss": {"person": 0.05, "object": 0.2},
    "jitter": 0.05,
    "score_low": 0.5, "score_beta": [5.0, 2.0],
    "false_positives": 0.6, "fp_size": [0.05, 0.3], "fp_score_high": 0.7, "fp_score_beta": [2.0, 5.0],
}
FP_NAMES = ("person", "chair", "tv", "cup", "bottle", "book", "potted plant", "couch", "dining table", "cell phone")


def noisy_detections(boxes: np.ndarray, names: list[str], rng: np.random.Generator) -> dict[str, list]:
    """Detections ``{"boxes", "names", "scores"}`` from true normalised boxes [N, 4] and their COCO names."""
    params = NOISE_MODEL
    miss = np.array([params["miss"]["person" if n == "person" else "object"] for n in names])
    keep = rng.random(len(names)) >= miss
    sizes = np.concatenate([boxes[:, 2:] - boxes[:, :2]] * 2, axis=1)
    jittered = boxes + rng.normal(0.0, params["jitter"], boxes.shape) * sizes
    scores = params["score_low"] + (1 - params["score_low"]) * rng.beta(*params["score_beta"], len(names))
    n_fp = int(rng.poisson(params["false_positives"]))
    centre = rng.random((n_fp, 2))
    half = rng.uniform(*params["fp_size"], (n_fp, 2)) / 2
    fp_boxes = np.concatenate([centre - half, centre + half], axis=1)
    fp_names = [FP_NAMES[i] for i in rng.integers(len(FP_NAMES), size=n_fp)]
    fp_scores = params["fp_score_high"] * rng.beta(*params["fp_score_beta"], n_fp)
    all_boxes = np.concatenate([jittered[keep], fp_boxes]).clip(0.0, 1.0)
    all_boxes = np.concatenate([np.minimum(all_boxes[:, :2], all_boxes[:, 2:]),
                                np.maximum(all_boxes[:, :2], all_boxes[:, 2:])], axis=1)
    all_names = [n for n, k in zip(names, keep, strict=True) if k] + fp_names
    all_scores = np.concatenate([scores[keep], fp_scores])
    order = np.argsort(-all_scores, kind="stable")
    return {"boxes": np.round(all_boxes[order], 5).tolist(), "names": [all_names[i] for i in order],
            "scores": np.round(all_scores[order], 5).tolist()}
