"""compute_ravar_metrics against scikit-learn, the IoU gate, the bootstrap and input validation."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from ravar_bench.data.ava import AVA_ACTIONS, CLASS_GROUPS, DIAGNOSTIC_GROUPS
from ravar_bench.metrics import box_iou, compute_ravar_metrics, gate_scores
from ravar_bench.testing.predictions import synthetic_predictions

TOL = 1e-9


def make_inputs(num: int = 400, seed: int = 0) -> dict:
    """Long-tailed labels, three classes without positives, scores with heavy ties, noisy boxes."""
    return synthetic_predictions(num, seed, positives_per_row=4.0, decimals=2, empty_classes=(6, 41, 71))


def sklearn_map(scores: np.ndarray, labels: np.ndarray, average: str, classes: np.ndarray | None = None) -> float:
    """sklearn mAP over the classes (within ``classes``) that have a positive."""
    mask = labels.sum(axis=0) > 0
    if classes is not None:
        mask &= classes
    return average_precision_score(labels[:, mask], scores[:, mask], average=average)


@pytest.mark.parametrize("convention", ["macro", "weighted"])
def test_report_equals_sklearn(convention: str) -> None:
    data = make_inputs()
    report = compute_ravar_metrics(**data, convention=convention, n_bootstrap=0)
    scores, labels = data["scores"], data["labels"]
    support = labels.sum(axis=0)
    both = (support > 0) & (support < len(labels))
    assert abs(report.metrics["mAP"].value - sklearn_map(scores, labels, convention)) < TOL
    ref_auc = roc_auc_score(labels[:, both], scores[:, both], average=convention)
    assert abs(report.metrics["AUROC"].value - ref_auc) < TOL
    iou = box_iou(data["pred_boxes"], data["gt_boxes"])
    assert abs(report.metrics["mIoU"].value - iou.mean()) < 1e-12
    for threshold in (0.2, 0.5):
        gated = gate_scores(scores, iou >= threshold)
        assert abs(report.metrics[f"mAP@{threshold}"].value - sklearn_map(gated, labels, convention)) < TOL
        assert report.gated_samples[str(threshold)] == int((iou < threshold).sum())
    assert set(report.group_map[convention]) == set(CLASS_GROUPS)
    for group, ids in CLASS_GROUPS.items():
        in_group = np.isin(np.arange(1, 81), list(ids))
        expected = sklearn_map(scores, labels, convention, in_group)
        assert abs(report.group_map[convention][group].value - expected) < TOL
    assert report.classes_used["mAP"] == [c + 1 for c in np.flatnonzero(support > 0)]
    assert report.classes_used["AUROC"] == [c + 1 for c in np.flatnonzero(both)]
    for c in range(80):
        value = report.per_class_ap[str(c + 1)]
        if support[c]:
            assert abs(value - average_precision_score(labels[:, c], scores[:, c])) < TOL
        else:
            assert value is None
    other = "weighted" if convention == "macro" else "macro"
    assert abs(report.conventions[other]["mAP"].value - sklearn_map(scores, labels, other)) < TOL


def test_gate_is_a_no_op_when_every_box_passes() -> None:
    data = make_inputs(seed=1)
    data["pred_boxes"] = data["gt_boxes"].copy()  # IoU 1 everywhere
    report = compute_ravar_metrics(**data, n_bootstrap=20)
    for threshold in ("0.2", "0.5"):
        assert report.metrics[f"mAP@{threshold}"] == report.metrics["mAP"]
        assert report.gated_samples[threshold] == 0


def test_gate_ranks_failed_boxes_last_not_at_zero() -> None:
    """A negative logit survives the authors' zeroing; our gate ranks the gated sample last regardless."""
    data = make_inputs(num=60, seed=2)
    data["scores"] = data["scores"] - 0.5  # logits: some negative
    data["pred_boxes"][0] = [2.0, 2.0, 3.0, 3.0]  # clamps to a point: IoU 0
    data["labels"][0, 0] = 1
    data["scores"][0, 0] = data["scores"].max() + 1.0  # would be the top prediction of class 1
    report = compute_ravar_metrics(**data, n_bootstrap=0)
    iou = box_iou(data["pred_boxes"], data["gt_boxes"])
    gated = gate_scores(data["scores"], iou >= 0.5)
    assert gated[0].max() < gated[iou >= 0.5].min()
    assert abs(report.metrics["mAP@0.5"].value - sklearn_map(gated, data["labels"], "macro")) < TOL


def test_bootstrap_is_seeded_and_covers_the_estimate() -> None:
    data = make_inputs(num=600, seed=3)
    first = compute_ravar_metrics(**data, n_bootstrap=200, seed=4)
    again = compute_ravar_metrics(**data, n_bootstrap=200, seed=4)
    other = compute_ravar_metrics(**data, n_bootstrap=200, seed=5)
    assert first.to_dict() == again.to_dict()
    assert first.metrics["mAP"].ci_low != other.metrics["mAP"].ci_low
    for name, estimate in first.metrics.items():
        assert estimate.ci_low <= estimate.value <= estimate.ci_high, name
        assert estimate.ci_high - estimate.ci_low < 0.2, name
    assert first.bootstrap == {"n_resamples": 200, "seed": 4, "confidence": 0.95,
                               "method": "percentile-median-centred", "unit": "sample", "class_set": "fixed",
                               "num_clusters": 600, "plan_version": 1}


def test_report_is_json_serialisable_and_flat_for_mmengine() -> None:
    report = compute_ravar_metrics(**make_inputs(num=80, seed=6), n_bootstrap=10)
    payload = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert payload["per_class_ap"]["6"] is None  # class without positives
    assert set(payload["conventions"]) == {"macro", "weighted"}
    flat = report.flat()
    assert all(isinstance(v, float) for v in flat.values())
    assert {"mAP", "AUROC", "mIoU", "mAP@0.2", "mAP@0.5", "mAP_ci_low", "mAP_ci_high"} <= set(flat)
    assert all(0.0 <= v <= 1.0 for v in flat.values())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("scores", np.zeros((5, 79)), r"scores must have shape \[N, 80\]"),
        ("labels", np.full((5, 80), 2), "labels has values other than 0 and 1 in 5 sample"),
        ("gt_boxes", np.zeros((5, 3)), r"gt_boxes must have shape \[N, 4\]"),
    ],
)
def test_bad_inputs_raise(field: str, value: np.ndarray, message: str) -> None:
    data = make_inputs(num=5)
    data[field] = value
    with pytest.raises(ValueError, match=message):
        compute_ravar_metrics(**data, n_bootstrap=0)


def test_non_finite_scores_name_the_samples() -> None:
    data = make_inputs(num=5)
    data["scores"][3, 7] = np.nan
    data["scores"][1, 0] = np.inf
    keys = [f"vid___{900 + i}___0" for i in range(5)]
    with pytest.raises(ValueError, match=r"scores has NaN or inf in 2 sample\(s\): vid___901___0, vid___903___0"):
        compute_ravar_metrics(**data, n_bootstrap=0, keys=keys)
    with pytest.raises(ValueError, match="convention"):
        compute_ravar_metrics(**make_inputs(num=5), convention="micro")


def test_diagnostic_groups_partition_the_classes():
    """needs_motion and single_frame split the 80 AVA ids with no overlap and no gap."""
    motion, still = (set(DIAGNOSTIC_GROUPS[g]) for g in ("needs_motion", "single_frame"))
    assert not motion & still
    assert motion | still == set(AVA_ACTIONS)
    assert {14, 69, 36, 47, 65, 78} <= motion and {12, 11, 17} <= still  # walk, wave, pick up/put down, give/take
