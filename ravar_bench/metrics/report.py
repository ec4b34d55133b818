"""The RAVAR metric report: mAP, AUROC, mIoU and IoU-gated mAP with bootstrap confidence intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from ravar_bench.data.ava import CLASS_GROUPS
from ravar_bench.data.format import NUM_CLASSES
from ravar_bench.metrics.bootstrap import (
    DEFAULT_RESAMPLES,
    ResamplePlan,
    centred_interval,
    encode_replicates,
    plan_id,
)
from ravar_bench.metrics.boxes import box_iou
from ravar_bench.metrics.estimate import Estimate
from ravar_bench.metrics.ranking import RankIndex, average_precision, roc_auc

CONVENTIONS = ("macro", "weighted")
IOU_THRESHOLDS = (0.2, 0.5)
HEADLINE = ("mAP", "AUROC", "mIoU", *(f"mAP@{t}" for t in IOU_THRESHOLDS))
REPLICATED = ("mIoU", "mAP", "AUROC")  # metrics whose resample values results.json keeps (the leaderboards')


@dataclass(frozen=True)
class RAVARReport:
    """Everything a result stores; ``to_dict`` is JSON-serialisable, ``flat`` is MMEngine's metric dict."""

    convention: str
    num_samples: int
    metrics: dict[str, Estimate]  # HEADLINE in ``convention``
    conventions: dict[str, dict[str, Estimate]]  # both conventions (mIoU does not depend on them)
    group_map: dict[str, dict[str, Estimate]]  # convention -> class group (ava.CLASS_GROUPS) -> mAP
    per_class_ap: dict[str, float | None]  # AVA id -> AP (None: no positive)
    per_class_auroc: dict[str, float | None]  # AVA id -> AUROC (None: a label missing)
    classes_used: dict[str, list[int]]  # "mAP" / "AUROC" -> AVA ids averaged
    gated_samples: dict[str, int]  # IoU threshold -> samples ranked last
    bootstrap: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain JSON-ready dict."""
        return asdict(self)

    def flat(self) -> dict[str, float]:
        """Headline metrics and their CI bounds as ``{name, name_ci_low, name_ci_high}`` floats (NaN if undefined)."""
        out = {}
        for name, estimate in self.metrics.items():
            out[name] = _nan_if_none(estimate.value)
            if estimate.ci_low is not None:
                out[f"{name}_ci_low"], out[f"{name}_ci_high"] = estimate.ci_low, estimate.ci_high
        return out


def _nan_if_none(value: float | None) -> float:
    """MMEngine wants floats: undefined becomes NaN."""
    return math.nan if value is None else value


def _float_or_none(value: float) -> float | None:
    """JSON has no NaN: undefined becomes None."""
    return float(value) if np.isfinite(value) else None


@dataclass(frozen=True)
class _Stats:
    """Per-class statistics for B weightings of the samples (B = 1 for the point estimate)."""

    ap: np.ndarray  # [B, C]
    auroc: np.ndarray  # [B, C]
    gated_ap: dict[float, np.ndarray]  # threshold -> [B, C]
    positives: np.ndarray  # [B, C]
    negatives: np.ndarray  # [B, C]
    miou: np.ndarray  # [B]

    @classmethod
    def concat(cls, parts: Sequence[_Stats]) -> _Stats:
        """Stack the chunks of a bootstrap."""
        return cls(
            ap=np.concatenate([p.ap for p in parts]),
            auroc=np.concatenate([p.auroc for p in parts]),
            gated_ap={t: np.concatenate([p.gated_ap[t] for p in parts]) for t in parts[0].gated_ap},
            positives=np.concatenate([p.positives for p in parts]),
            negatives=np.concatenate([p.negatives for p in parts]),
            miou=np.concatenate([p.miou for p in parts]),
        )


def _stats(index: RankIndex, gated: dict[float, tuple[np.ndarray, RankIndex]], iou: np.ndarray,
           weights: np.ndarray) -> _Stats:
    """Per-class AP, AUROC and gated AP plus mIoU under sample ``weights`` [B, N]."""
    counts = index.counts(weights)
    return _Stats(
        ap=average_precision(counts),
        auroc=roc_auc(counts),
        gated_ap={t: average_precision(sub.counts(weights[:, keep]), counts) for t, (keep, sub) in gated.items()},
        positives=counts.positives,
        negatives=counts.total - counts.positives,
        miou=weights @ iou / weights.sum(axis=1),
    )


def class_average(values: np.ndarray, support: np.ndarray, eligible: np.ndarray, convention: str) -> np.ndarray:
    """Mean [B] of ``values`` [B, C] over eligible classes: plain ("macro") or support-weighted ("weighted")."""
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
    eligible = np.broadcast_to(eligible, values.shape)
    weights = eligible.astype(np.float64) if convention == "macro" else np.where(eligible, support, 0.0)
    total = weights.sum(axis=1)
    summed = (np.where(eligible, values, 0.0) * weights).sum(axis=1)
    return np.divide(summed, total, out=np.full(total.shape, np.nan), where=total > 0)


def _held(boot: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Resample values [B, C] with each undefined entry (a class whose positives or negatives all fell
    out of the resample) replaced by that class's point value, so the class set never changes."""
    return np.where(np.isnan(boot), point, boot)


def _class_means(stats: _Stats, point: _Stats, convention: str, class_mask: np.ndarray) -> dict[str, np.ndarray]:
    """mAP, AUROC and gated mAPs [B] of ``stats`` over the classes eligible in ``point`` within ``class_mask``."""
    has_pos = (point.positives > 0) & class_mask
    has_both = has_pos & (point.negatives > 0)
    means = {"mAP": class_average(_held(stats.ap, point.ap), stats.positives, has_pos, convention),
             "AUROC": class_average(_held(stats.auroc, point.auroc), stats.positives, has_both, convention)}
    for threshold, gated_ap in stats.gated_ap.items():
        means[f"mAP@{threshold}"] = class_average(_held(gated_ap, point.gated_ap[threshold]), stats.positives,
                                                  has_pos, convention)
    return means


@dataclass(frozen=True)
class Evaluation:
    """Per-class statistics of the point estimate and of every resample (None without a bootstrap)."""

    point: _Stats
    boot: _Stats | None
    plan: ResamplePlan
    gated_samples: dict[float, int]  # IoU threshold -> samples ranked last

    def headline(self, convention: str, class_mask: np.ndarray | None = None) -> dict[str, tuple[np.ndarray, ...]]:
        """Metric name -> (point [1], resamples [B] or None) of one convention, over the fixed class set."""
        mask = np.ones(NUM_CLASSES, bool) if class_mask is None else class_mask
        points = _class_means(self.point, self.point, convention, mask)
        boots = _class_means(self.boot, self.point, convention, mask) if self.boot is not None else {}
        out = {name: (value, boots.get(name)) for name, value in points.items()}
        out["mIoU"] = (self.point.miou, None if self.boot is None else self.boot.miou)
        return out


def evaluate(scores: np.ndarray, labels: np.ndarray, pred_boxes: np.ndarray, gt_boxes: np.ndarray,
             n_bootstrap: int = DEFAULT_RESAMPLES, seed: int = 0,
             keys: Sequence[str] | None = None) -> Evaluation:
    """Validate the inputs and compute the point statistics and those of ``n_bootstrap`` video resamples."""
    if n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be >= 0, got {n_bootstrap}")
    scores, labels, pred_boxes, gt_boxes = validate_inputs(scores, labels, pred_boxes, gt_boxes, keys)
    num = scores.shape[0]
    iou = box_iou(pred_boxes, gt_boxes)
    index = RankIndex.build(scores, labels)
    gated = {t: (iou >= t, index.select(iou >= t)) for t in IOU_THRESHOLDS}
    plan = ResamplePlan.build(num, None if keys is None else list(keys), n_bootstrap, seed)
    point = _stats(index, gated, iou, np.ones((1, num), np.float32))
    boot = (_Stats.concat([_stats(index, gated, iou, w) for w in plan.weights()]) if n_bootstrap else None)
    return Evaluation(point, boot, plan, {t: int((~keep).sum()) for t, (keep, _) in gated.items()})


def _estimate(point: np.ndarray, boot: np.ndarray | None) -> Estimate:
    """Estimate from a point value [1] and its resamples [B]."""
    interval = centred_interval(float(point[0]), boot) if boot is not None else None
    low, high = interval if interval is not None else (None, None)
    return Estimate(_float_or_none(point[0]), low, high)


def _summaries(evaluation: Evaluation, convention: str, class_mask: np.ndarray | None = None) -> dict[str, Estimate]:
    """Point estimates with their intervals in one convention."""
    return {name: _estimate(point, boot) for name, (point, boot) in evaluation.headline(convention, class_mask).items()}


def validate_inputs(scores: np.ndarray, labels: np.ndarray, pred_boxes: np.ndarray, gt_boxes: np.ndarray,
                    keys: Sequence[str] | None = None) -> tuple[np.ndarray, ...]:
    """Check shapes and values, naming the offending samples; return float64 arrays and boolean labels."""
    scores, labels = np.asarray(scores, dtype=np.float64), np.asarray(labels)
    pred_boxes, gt_boxes = np.asarray(pred_boxes, dtype=np.float64), np.asarray(gt_boxes, dtype=np.float64)
    num = scores.shape[0] if scores.ndim else 0
    expected = {"scores": (scores, (num, NUM_CLASSES)), "labels": (labels, (num, NUM_CLASSES)),
                "pred_boxes": (pred_boxes, (num, 4)), "gt_boxes": (gt_boxes, (num, 4))}
    for name, (array, shape) in expected.items():
        if array.shape != shape:
            raise ValueError(f"{name} must have shape [N, {shape[1]}] with N = {num} samples, got {list(array.shape)}")
    if num == 0:
        raise ValueError("no samples to evaluate")
    names = list(keys) if keys is not None else [f"#{i}" for i in range(num)]
    if len(names) != num:
        raise ValueError(f"got {len(names)} keys for {num} samples")
    checks = (("scores", ~np.isfinite(scores).all(axis=1), "NaN or inf"),
              ("labels", ~np.isin(labels, (0, 1)).all(axis=1), "values other than 0 and 1"),
              ("pred_boxes", ~np.isfinite(pred_boxes).all(axis=1), "NaN or inf"),
              ("gt_boxes", ~np.isfinite(gt_boxes).all(axis=1), "NaN or inf"))
    for name, bad, what in checks:
        if bad.any():
            rows = np.flatnonzero(bad)
            shown = ", ".join(str(names[i]) for i in rows[:5]) + (" ..." if rows.size > 5 else "")
            raise ValueError(f"{name} has {what} in {rows.size} sample(s): {shown}")
    return scores, labels.astype(bool), pred_boxes, gt_boxes


def compute_ravar_metrics(scores: np.ndarray, labels: np.ndarray, pred_boxes: np.ndarray, gt_boxes: np.ndarray,
                          convention: str = "macro", n_bootstrap: int = DEFAULT_RESAMPLES, seed: int = 0,
                          keys: Sequence[str] | None = None) -> RAVARReport:
    """The RAVAR report for scores [N, 80], multi-hot labels [N, 80] and boxes [N, 4] (see docs/METRICS.md)."""
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
    evaluation = evaluate(scores, labels, pred_boxes, gt_boxes, n_bootstrap, seed, keys)
    point = evaluation.point
    conventions = {name: _summaries(evaluation, name) for name in CONVENTIONS}
    group_map = {
        name: {group: _summaries(evaluation, name, _group_mask(ids))["mAP"] for group, ids in CLASS_GROUPS.items()}
        for name in CONVENTIONS
    }
    has_pos, has_neg = point.positives[0] > 0, point.negatives[0] > 0
    bootstrap = evaluation.plan.settings()
    if evaluation.boot is not None and keys is not None:
        labels_hot = np.asarray(labels).astype(bool)
        bootstrap["plan_id"] = plan_id(evaluation.plan, list(keys), labels_hot, np.asarray(gt_boxes, np.float64))
        bootstrap["replicates"] = _replicates(evaluation)
    return RAVARReport(
        convention=convention,
        num_samples=int(evaluation.plan.clusters.size),
        metrics={name: conventions[convention][name] for name in HEADLINE},
        conventions=conventions,
        group_map=group_map,
        per_class_ap={str(c + 1): _float_or_none(v) for c, v in enumerate(point.ap[0])},
        per_class_auroc={str(c + 1): _float_or_none(v) for c, v in enumerate(point.auroc[0])},
        classes_used={"mAP": _ids(has_pos), "AUROC": _ids(has_pos & has_neg)},
        gated_samples={str(t): n for t, n in evaluation.gated_samples.items()},
        bootstrap=bootstrap,
    )


def replicate_key(convention: str, metric: str) -> str:
    """The name under which ``bootstrap.replicates`` keeps one metric's resample values."""
    return metric if metric == "mIoU" else f"{convention}/{metric}"


def _replicates(evaluation: Evaluation) -> dict[str, str]:
    """The resample values of the leaderboard metrics (REPLICATED, both conventions), encoded."""
    out = {}
    for convention in CONVENTIONS:
        headline = evaluation.headline(convention)
        out.update({replicate_key(convention, name): encode_replicates(headline[name][1]) for name in REPLICATED})
    return out


def _group_mask(ids: Sequence[int]) -> np.ndarray:
    """Class mask [C] of a group's AVA ids."""
    mask = np.zeros(NUM_CLASSES, bool)
    mask[np.asarray(ids) - 1] = True
    return mask


def _ids(mask: np.ndarray) -> list[int]:
    """AVA ids of a class mask."""
    return [int(i) + 1 for i in np.flatnonzero(mask)]
