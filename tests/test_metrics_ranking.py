"""Per-class AP / AUROC and their class averages against scikit-learn, on random and adversarial inputs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import average_precision_score, roc_auc_score

from ravar_bench.metrics import RankIndex, class_average, gate_scores, per_class_ap_auroc
from ravar_bench.metrics.bootstrap import ResamplePlan
from ravar_bench.metrics.ranking import average_precision, roc_auc

TOL = 1e-9


def _random_case(rng: np.random.Generator, num: int, classes: int, decimals: int | None) -> tuple:
    """Scores (optionally rounded: heavy ties) and labels of varied class frequencies."""
    scores = rng.random((num, classes))
    if decimals is not None:
        scores = np.round(scores, decimals)
    labels = (rng.random((num, classes)) < rng.uniform(0.02, 0.6, classes)).astype(int)
    return scores, labels


def _adversarial_case(rng: np.random.Generator) -> tuple:
    """Columns: no positive, a single positive, constant scores, all positive, heavy ties, integer scores."""
    scores, labels = _random_case(rng, 57, 8, None)
    labels[:, 0] = 0
    labels[:, 1] = 0
    labels[rng.integers(57), 1] = 1
    scores[:, 2] = 0.25
    labels[:, 3] = 1
    scores[:, 4] = np.round(scores[:, 4], 1)
    scores[:, 5] = rng.integers(0, 3, 57)
    labels[:3, 6], scores[:3, 6] = 1, scores[:, 6].max()  # positives tied at the top
    return scores, labels


def _cases() -> list[tuple]:
    rng = np.random.default_rng(7)
    cases = [_random_case(rng, n, c, d) for n, c, d in ((300, 12, None), (41, 5, 1), (200, 9, 2), (3, 4, 0))]
    return cases + [_adversarial_case(rng) for _ in range(3)]


def _sklearn_per_class(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sklearn's per-class AP (classes with a positive) and AUROC (classes with both labels), NaN elsewhere."""
    ap, auc = np.full(scores.shape[1], np.nan), np.full(scores.shape[1], np.nan)
    for c in range(scores.shape[1]):
        positives = labels[:, c].sum()
        if positives > 0:
            ap[c] = average_precision_score(labels[:, c], scores[:, c])
        if 0 < positives < len(labels):
            auc[c] = roc_auc_score(labels[:, c], scores[:, c])
    return ap, auc


@pytest.mark.parametrize("case", range(len(_cases())))
def test_per_class_equals_sklearn(case: int) -> None:
    scores, labels = _cases()[case]
    ap, auc = per_class_ap_auroc(scores, labels)
    ref_ap, ref_auc = _sklearn_per_class(scores, labels)
    np.testing.assert_array_equal(np.isnan(ap), np.isnan(ref_ap))
    np.testing.assert_array_equal(np.isnan(auc), np.isnan(ref_auc))
    np.testing.assert_allclose(ap, ref_ap, rtol=0, atol=TOL)
    np.testing.assert_allclose(auc, ref_auc, rtol=0, atol=TOL)


@pytest.mark.parametrize("case", range(len(_cases())))
@pytest.mark.parametrize("convention", ["macro", "weighted"])
def test_class_averages_equal_sklearn(case: int, convention: str) -> None:
    scores, labels = _cases()[case]
    ap, auc = per_class_ap_auroc(scores, labels)
    support = labels.sum(axis=0)
    has_pos, has_both = support > 0, (support > 0) & (support < len(labels))
    ours_map = class_average(ap[None], support[None], has_pos[None], convention)[0]
    ours_auc = class_average(auc[None], support[None], has_both[None], convention)[0]
    ref_map = average_precision_score(labels[:, has_pos], scores[:, has_pos], average=convention)
    assert abs(ours_map - ref_map) < TOL
    if has_both.sum() >= 2:  # sklearn's multilabel path needs 2-D input
        ref_auc = roc_auc_score(labels[:, has_both], scores[:, has_both], average=convention)
        assert abs(ours_auc - ref_auc) < TOL


def test_all_positive_and_constant_classes_are_excluded_from_auroc() -> None:
    scores, labels = _adversarial_case(np.random.default_rng(3))
    _, auc = per_class_ap_auroc(scores, labels)
    assert np.isnan(auc[0]) and np.isnan(auc[3])  # no positive / no negative
    assert auc[2] == 0.5  # constant scores: one tie group
    with pytest.warns(UndefinedMetricWarning):  # sklearn agrees it is undefined
        assert np.isnan(roc_auc_score(labels[:, 3], scores[:, 3]))


def test_weights_equal_duplicated_samples() -> None:
    """A bootstrap resample as integer weights gives sklearn's values on the explicitly resampled set."""
    rng = np.random.default_rng(11)
    scores, labels = _random_case(rng, 120, 6, 1)
    index = RankIndex.build(scores, labels)
    counts = next(ResamplePlan.build(len(scores), None, 4, seed=0).weights())
    ap, auc = average_precision(index.counts(counts)), roc_auc(index.counts(counts))
    for b, weights in enumerate(counts):
        rows = np.repeat(np.arange(len(scores)), weights.astype(int))
        ref_ap, ref_auc = _sklearn_per_class(scores[rows], labels[rows])
        np.testing.assert_allclose(ap[b], ref_ap, rtol=0, atol=TOL)
        np.testing.assert_allclose(auc[b], ref_auc, rtol=0, atol=TOL)


def test_gated_ap_equals_sklearn_on_gated_scores() -> None:
    rng = np.random.default_rng(5)
    scores, labels = _random_case(rng, 150, 7, 2)
    keep = rng.random(150) < 0.55
    gated = gate_scores(scores, keep)
    assert gated[~keep].max() < gated[keep].min()  # every gated score ranks below every other score
    index = RankIndex.build(scores, labels)
    full = index.counts(np.ones((1, 150)))
    ours = average_precision(index.select(keep).counts(np.ones((1, keep.sum()))), full)[0]
    ref, _ = _sklearn_per_class(gated, labels)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=TOL)
