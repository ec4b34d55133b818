"""The video (cluster) bootstrap: draws, the fixed class set, intervals that contain their estimate."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from ravar_bench.metrics import compute_ravar_metrics
from ravar_bench.metrics.bootstrap import (
    ResamplePlan,
    centred_interval,
    decode_replicates,
    encode_replicates,
    video_of,
)
from ravar_bench.metrics.report import class_average, evaluate, replicate_key

TOL = 1e-9


def rare_split(seed: int, videos: int = 12, per_video: int = 4, rare: int = 20) -> tuple[dict, list[str]]:
    """A small split: 5 common classes, ``rare`` classes with one positive each (so in one video), weak scores."""
    rng = np.random.default_rng(seed)
    num = videos * per_video
    keys = [f"v{v:02d}___{900 + i}___{i}" for v in range(videos) for i in range(per_video)]
    labels = np.zeros((num, 80), np.int64)
    labels[:, :5] = rng.random((num, 5)) < 0.3
    for c in range(5, 5 + rare):
        labels[rng.integers(videos) * per_video + rng.integers(per_video), c] = 1
    scores = rng.random((num, 80)) + 0.2 * labels
    gt = np.tile([0.1, 0.1, 0.5, 0.5], (num, 1))
    data = {"scores": scores, "labels": labels, "pred_boxes": gt + rng.normal(0, 0.05, gt.shape), "gt_boxes": gt}
    return data, keys


def test_video_id_is_the_key_before_the_first_separator() -> None:
    assert video_of("-5KQ66BBWC4___0902___3") == "-5KQ66BBWC4"
    assert video_of("no-separator") == "no-separator"


def test_plan_resamples_whole_videos_and_ignores_sample_order() -> None:
    keys = [f"v{v}___{t}___0" for v in range(5) for t in range(3)]
    plan = ResamplePlan.build(len(keys), keys, 40, seed=7)
    weights = np.concatenate(list(plan.weights()))
    assert weights.shape == (40, 15) and plan.unit == "video" and plan.num_clusters == 5
    per_video = weights.reshape(40, 5, 3)
    assert (per_video == per_video[:, :, :1]).all()  # a video's samples are drawn together
    assert (per_video[:, :, 0].sum(axis=1) == 5).all()  # each resample draws as many videos as there are
    order = np.random.default_rng(0).permutation(15)
    shuffled = np.concatenate(list(ResamplePlan.build(15, [keys[i] for i in order], 40, seed=7).weights()))
    np.testing.assert_array_equal(shuffled, weights[:, order])  # same draws whatever the sample order
    again = np.concatenate(list(ResamplePlan.build(15, keys, 40, seed=7).weights()))
    np.testing.assert_array_equal(again, weights)


def test_point_estimates_equal_sklearn_on_a_rare_class_split() -> None:
    data, keys = rare_split(0)
    report = compute_ravar_metrics(**data, n_bootstrap=50, keys=keys)
    labels, scores = data["labels"], data["scores"]
    used = labels.sum(axis=0) > 0
    assert abs(report.metrics["mAP"].value - average_precision_score(labels[:, used], scores[:, used])) < TOL
    assert abs(report.metrics["AUROC"].value - roc_auc_score(labels[:, used], scores[:, used])) < TOL


def test_resample_mean_keeps_the_class_set_of_the_point_estimate() -> None:
    """Oracle: a resample's mAP is sklearn's AP on the duplicated videos, averaged over the point's classes,
    a class without positives in that resample counting with its point AP."""
    data, keys = rare_split(1)
    evaluation = evaluate(**data, n_bootstrap=16, seed=3, keys=keys)
    point_ap = evaluation.point.ap[0]
    used = np.flatnonzero(data["labels"].sum(axis=0) > 0)
    boot_map = evaluation.headline("macro")["mAP"][1]
    weights = next(ResamplePlan.build(len(keys), keys, 16, seed=3).weights())
    vanished = 0
    for b, w in enumerate(weights):
        rows = np.repeat(np.arange(len(keys)), w.astype(int))
        labels, scores = data["labels"][rows], data["scores"][rows]
        per_class = []
        for c in used:
            if labels[:, c].any():
                per_class.append(average_precision_score(labels[:, c], scores[:, c]))
            else:
                per_class.append(point_ap[c])
                vanished += 1
        assert abs(boot_map[b] - np.mean(per_class)) < 1e-6
    assert vanished > 0  # the split really loses classes in some resamples


def test_old_per_sample_interval_misses_and_the_new_one_contains_the_estimate() -> None:
    """On this rare-class split the old method (samples resampled, classes dropped when their positives vanish,
    plain percentiles) lies above the point estimate; the video bootstrap's interval contains it."""
    data, keys = rare_split(18)
    old = evaluate(**data, n_bootstrap=500, seed=0, keys=None)
    point = class_average(old.point.ap, old.point.positives, old.point.positives > 0, "macro")[0]
    dropped = class_average(old.boot.ap, old.boot.positives, old.boot.positives > 0, "macro")
    low, high = np.percentile(dropped, [2.5, 97.5])
    assert not low <= point <= high
    new = compute_ravar_metrics(**data, n_bootstrap=500, seed=0, keys=keys).metrics["mAP"]
    assert abs(new.value - point) < TOL
    assert new.ci_low <= new.value <= new.ci_high


@pytest.mark.parametrize("seed", range(12))
def test_every_interval_contains_its_estimate_on_rare_class_splits(seed: int) -> None:
    data, keys = rare_split(seed, videos=6 + seed, per_video=3)
    report = compute_ravar_metrics(**data, n_bootstrap=200, seed=seed, keys=keys)
    assert report.bootstrap["unit"] == "video" and report.bootstrap["num_clusters"] == 6 + seed
    for convention, table in report.conventions.items():
        for name, estimate in table.items():
            assert estimate.ci_low <= estimate.value <= estimate.ci_high, (convention, name)
    for convention, groups in report.group_map.items():
        for group, estimate in groups.items():
            if estimate.value is not None:
                assert estimate.ci_low <= estimate.value <= estimate.ci_high, (convention, group)


def test_centred_interval_contains_the_point_and_keeps_the_bounds() -> None:
    rng = np.random.default_rng(2)
    for _ in range(200):
        values = rng.beta(0.5, 3.0, 100) + rng.random()
        point = float(rng.random())
        low, high = centred_interval(point, values)
        assert 0.0 <= low <= point <= high <= 1.0
    assert centred_interval(0.5, np.array([np.nan])) is None
    # shifted by point - median: values 1..5 (median 3), point 10 -> percentiles 1.1, 4.9 moved by +7
    assert centred_interval(10.0, np.arange(1.0, 6.0), bounds=(-100, 100)) == pytest.approx((8.1, 11.9))


def test_replicates_round_trip_and_are_recorded() -> None:
    data, keys = rare_split(4)
    report = compute_ravar_metrics(**data, n_bootstrap=30, seed=1, keys=keys)
    boot = report.bootstrap
    assert set(boot["replicates"]) == {"mIoU", "macro/mAP", "macro/AUROC", "weighted/mAP", "weighted/AUROC"}
    expected = evaluate(**data, n_bootstrap=30, seed=1, keys=keys).headline("weighted")["mAP"][1]
    np.testing.assert_allclose(decode_replicates(boot["replicates"][replicate_key("weighted", "mAP")], 30),
                               expected, rtol=1e-6)
    assert len(boot["plan_id"]) == 16
    with pytest.raises(ValueError, match="expected 31"):
        decode_replicates(encode_replicates(np.zeros(30)), 31)
    assert compute_ravar_metrics(**data, n_bootstrap=30, seed=2, keys=keys).bootstrap["plan_id"] != boot["plan_id"]
