"""Seeded cluster bootstrap: resample videos, median-centred percentile intervals, paired differences.

Samples of one video are correlated (same people, same scene), so the resampling unit is the video:
the part of a sample key before the first ``___`` (RefAVA keys are ``video___timestamp___person``).
A resample draws as many videos as there are, with replacement, and gives every sample the number of
times its video was drawn as its weight. The draws depend only on the seed, the number of resamples
and the sorted video ids, so two runs scored on the same samples get the same resamples: that is what
makes a paired comparison (and the stored replicates of results.json) possible.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_RESAMPLES = 1000
CONFIDENCE = 0.95
METHOD = "percentile-median-centred"
CLASS_SET = "fixed"  # the classes averaged in every resample are those of the point estimate
PLAN_VERSION = 1  # bump when the draws change: replicates of different versions are never paired
CHUNK = 16  # resamples drawn and scored together (part of the draw order, hence of the plan)
KEY_SEPARATOR = "___"


def video_of(key: str) -> str:
    """The video id of a RefAVA sample key: the part before the first ``___`` (the whole key without one)."""
    return key.split(KEY_SEPARATOR, 1)[0]


@dataclass(frozen=True)
class ResamplePlan:
    """Which cluster each sample belongs to, and how many resamples to draw with which seed."""

    clusters: np.ndarray  # [N] index of each sample's cluster in the sorted cluster ids
    num_clusters: int
    n_resamples: int
    seed: int
    unit: str  # "video" (clusters from keys) or "sample" (no keys: every sample its own cluster)

    @classmethod
    def build(cls, num_samples: int, keys: Sequence[str] | None, n_resamples: int, seed: int) -> ResamplePlan:
        """Clusters by video when ``keys`` are given, else one cluster per sample."""
        if keys is None:
            return cls(np.arange(num_samples), num_samples, n_resamples, seed, "sample")
        names, clusters = np.unique(np.asarray([video_of(k) for k in keys]), return_inverse=True)
        return cls(clusters.reshape(-1), len(names), n_resamples, seed, "video")

    def weights(self) -> Iterator[np.ndarray]:
        """Chunks [b, N] of sample weights: how often each sample's cluster is drawn in a resample."""
        rng = np.random.default_rng(self.seed)
        size_v = self.num_clusters
        for start in range(0, self.n_resamples, CHUNK):
            size = min(CHUNK, self.n_resamples - start)
            draws = rng.integers(0, size_v, size=(size, size_v))
            flat = (draws + size_v * np.arange(size)[:, None]).ravel()
            counts = np.bincount(flat, minlength=size * size_v).reshape(size, size_v)
            yield counts[:, self.clusters].astype(np.float32)

    def settings(self) -> dict:
        """What results.json records about the resampling."""
        return {"n_resamples": self.n_resamples, "seed": self.seed, "confidence": CONFIDENCE, "method": METHOD,
                "unit": self.unit, "class_set": CLASS_SET, "num_clusters": self.num_clusters,
                "plan_version": PLAN_VERSION}


def plan_id(plan: ResamplePlan, keys: Sequence[str], labels: np.ndarray, gt_boxes: np.ndarray) -> str:
    """Fingerprint of the samples (keys, ground truth) and the draws: equal ids mean that two runs were
    resampled identically, so their replicates can be paired."""
    order = np.argsort(np.asarray(keys))
    samples = hashlib.sha256()
    for i in order:
        row = [keys[i], np.flatnonzero(labels[i]).tolist(), np.round(gt_boxes[i], 6).tolist()]
        samples.update(json.dumps(row).encode())
    payload = {"version": PLAN_VERSION, "chunk": CHUNK, "unit": plan.unit, "seed": plan.seed,
               "n_resamples": plan.n_resamples, "samples": samples.hexdigest()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def centred_interval(point: float, values: np.ndarray, bounds: tuple[float, float] = (0.0, 1.0),
                     confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """The percentile interval of ``values`` moved by ``point - median(values)``, clipped to ``bounds``.

    The resamples' spread is kept and their median shift (AP rises when a resample duplicates a video)
    is removed, so the interval always contains ``point``. None when nothing is defined.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0 or not np.isfinite(point):
        return None
    tail = 50.0 * (1.0 - confidence)
    low, median, high = np.percentile(finite, [tail, 50.0, 100.0 - tail])
    shift = point - median
    return float(max(bounds[0], low + shift)), float(min(bounds[1], high + shift))


def two_sided_p(point: float, values: np.ndarray) -> float:
    """Bootstrap p-value of "the statistic is 0" against the median-centred resamples of ``values``.

    ``2 (1 + min(#{v <= 0}, #{v >= 0})) / (B + 1)``, at most 1: identical runs (all zeros) give 1, a
    difference of one sign in every resample gives ``2 / (B + 1)``.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0 or not np.isfinite(point):
        return float("nan")
    centred = finite - np.median(finite) + point
    extreme = min(int((centred <= 0).sum()), int((centred >= 0).sum()))
    return min(1.0, 2.0 * (1 + extreme) / (finite.size + 1))


@dataclass(frozen=True)
class Difference:
    """A paired difference ``a - b`` of one metric with its interval and two-sided p-value."""

    a: float
    b: float
    diff: float
    ci_low: float | None
    ci_high: float | None
    p_value: float
    n_resamples: int

    def significant(self, alpha: float = 1.0 - CONFIDENCE) -> bool:
        """Whether the difference is significant at level ``alpha`` (p < alpha)."""
        return bool(self.p_value < alpha)


def paired_difference(point_a: float, point_b: float, boot_a: np.ndarray, boot_b: np.ndarray) -> Difference:
    """The difference of two runs' statistic from replicates drawn with the same resamples."""
    if boot_a.shape != boot_b.shape:
        raise ValueError(f"replicates differ in shape: {boot_a.shape} vs {boot_b.shape}")
    diffs = np.asarray(boot_a, np.float64) - np.asarray(boot_b, np.float64)
    diff = point_a - point_b
    interval = centred_interval(diff, diffs, bounds=(-1.0, 1.0))
    low, high = interval if interval is not None else (None, None)
    return Difference(point_a, point_b, diff, low, high, two_sided_p(diff, diffs), int(diffs.size))


def encode_replicates(values: np.ndarray) -> str:
    """Resample values [B] as base64 of little-endian float32 (compact and exact enough for pairing)."""
    return base64.b64encode(np.asarray(values, "<f4").tobytes()).decode("ascii")


def decode_replicates(text: str, n_resamples: int) -> np.ndarray:
    """The inverse of :func:`encode_replicates`, checked to hold ``n_resamples`` values."""
    values = np.frombuffer(base64.b64decode(text.encode("ascii"), validate=True), "<f4")
    if values.size != n_resamples:
        raise ValueError(f"replicates hold {values.size} values, expected {n_resamples}")
    return values.astype(np.float64)
