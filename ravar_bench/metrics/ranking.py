"""Per-class average precision and ROC AUC under sample weights, vectorised over classes.

Both metrics depend on a class's scores only through the tie groups that hold a positive. For each
class the positives' distinct scores ``u_0 > u_1 > ...`` cut the samples into segments: ``reach[k]``
(scores in ``[u_k, u_{k-1})``) with its subset ``tie[k]`` (scores equal to ``u_k``); samples below the
last positive never matter. :class:`RankIndex` stores that assignment once, as sparse matrices, so the
weighted totals of every segment for many weight vectors at once (the bootstrap) are one sparse-dense
product. A tie group is one threshold step, exactly as in scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scipy is imported where a RankIndex is built, so that reading results files (the
    import scipy.sparse as sp  # leaderboard build) does not pay for it


@dataclass(frozen=True)
class ClassLayout:
    """Which class owns each positive tie group; groups are class-contiguous, best score first."""

    owner: np.ndarray  # [G] class of group k
    present: np.ndarray  # classes that own at least one group, ascending
    starts: np.ndarray  # index of each present class's first group
    num_classes: int

    @classmethod
    def from_owner(cls, owner: np.ndarray, num_classes: int) -> ClassLayout:
        """Layout of class-sorted group owners."""
        present, starts = np.unique(owner, return_index=True)
        return cls(owner, present, starts, num_classes)

    def cumsum(self, values: np.ndarray) -> np.ndarray:
        """Cumulative sum [B, G] restarted at each class (exact: the values are integer counts)."""
        restarted = values.copy()
        if self.starts.size > 1:
            restarted[:, self.starts[1:]] -= np.add.reduceat(values, self.starts, axis=1)[:, :-1]
        return np.cumsum(restarted, axis=1)

    def per_class(self, values: np.ndarray) -> np.ndarray:
        """Sum group columns [B, G] into class columns [B, C] (0 for classes without groups)."""
        out = np.zeros((values.shape[0], self.num_classes))
        if self.present.size:
            out[:, self.present] = np.add.reduceat(values, self.starts, axis=1)
        return out


@dataclass(frozen=True)
class GroupCounts:
    """Weighted totals per weight vector (rows) and positive tie group (columns)."""

    tp_inc: np.ndarray  # [B, G] positive weight inside the group
    tie: np.ndarray  # [B, G] total weight inside the group
    tp_end: np.ndarray  # [B, G] positive weight at scores >= the group's score
    all_end: np.ndarray  # [B, G] total weight at scores >= the group's score
    positives: np.ndarray  # [B, C] positive weight per class
    total: np.ndarray  # [B, 1] total weight
    layout: ClassLayout


@dataclass(frozen=True)
class RankIndex:
    """Segment membership of every (sample, class) pair, built once from scores and labels."""

    reach: sp.csr_matrix  # [G, N]: samples scored >= group k's score and below group k - 1's
    ties: sp.csr_matrix  # [G, N]: samples scored exactly at group k's score
    positives: sp.csr_matrix  # [G, N]: the positives of group k
    layout: ClassLayout

    @classmethod
    def build(cls, scores: np.ndarray, labels: np.ndarray) -> RankIndex:
        """Index ``scores`` [N, C] against multi-hot ``labels`` [N, C]."""
        num_samples, num_classes = scores.shape
        reach, ties, positives, owner = [], [], [], []
        offset = 0
        scores_t, labels_t = np.ascontiguousarray(scores.T), np.ascontiguousarray(labels.T, dtype=bool)
        orders = np.argsort(scores_t, axis=1)  # sorted queries make the binary searches below short
        for c in range(num_classes):
            column, positive = scores_t[c], labels_t[c]
            levels = np.unique(column[positive])  # ascending distinct positive scores
            num_groups = levels.size
            if num_groups == 0:
                continue
            order, below = orders[c], np.empty(num_samples, np.int64)
            below[order] = np.searchsorted(levels, column[order], side="left")  # number of levels < score
            tied = below < num_groups
            tied[tied] = levels[below[tied]] == column[tied]
            # Group k (best first) has level G - 1 - k; an untied score sits just above group G - below.
            group = offset + np.where(tied, num_groups - 1 - below, num_groups - below)
            used = np.flatnonzero(group < offset + num_groups)
            reach.append((group[used], used))
            ties.append((group[tied], np.flatnonzero(tied)))
            positives.append((group[positive], np.flatnonzero(positive)))
            owner.append(np.full(num_groups, c))
            offset += num_groups
        shape = (offset, num_samples)
        return cls(
            reach=_indicator(reach, shape),
            ties=_indicator(ties, shape),
            positives=_indicator(positives, shape),
            layout=ClassLayout.from_owner(_cat(owner), num_classes),
        )

    def select(self, keep: np.ndarray) -> RankIndex:
        """The index restricted to the samples where ``keep`` [N] is true (weights then have N_kept columns)."""
        return RankIndex(self.reach[:, keep], self.ties[:, keep], self.positives[:, keep], self.layout)

    def counts(self, weights: np.ndarray) -> GroupCounts:
        """Weighted group totals for ``weights`` [B, N]: integer counts summing to < 2**24, so float32 is exact."""
        weights_t = np.ascontiguousarray(weights.T, dtype=np.float32)

        def total(matrix: sp.csr_matrix) -> np.ndarray:
            return np.ascontiguousarray((matrix @ weights_t).T, dtype=np.float64)

        tp_inc = total(self.positives)
        return GroupCounts(
            tp_inc=tp_inc,
            tie=total(self.ties),
            tp_end=self.layout.cumsum(tp_inc),
            all_end=self.layout.cumsum(total(self.reach)),
            positives=self.layout.per_class(tp_inc),
            total=weights_t.sum(axis=0, dtype=np.float64)[:, None],
            layout=self.layout,
        )


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    """Concatenate index arrays, empty when there are none."""
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _indicator(entries: list[tuple[np.ndarray, np.ndarray]], shape: tuple[int, int]) -> sp.csr_matrix:
    """A 0/1 float32 CSR matrix with ones at the (rows, cols) pairs of ``entries``."""
    import scipy.sparse as sp

    rows, cols = _cat([r for r, _ in entries]), _cat([c for _, c in entries])
    return sp.csr_matrix((np.ones(rows.size, np.float32), (rows, cols)), shape=shape)


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with NaN where ``den`` is 0 (a metric undefined for that class)."""
    out = np.full(np.broadcast_shapes(num.shape, den.shape), np.nan)
    return np.divide(num, den, out=out, where=den > 0)


def average_precision(counts: GroupCounts, full: GroupCounts | None = None) -> np.ndarray:
    """AP [B, C] = sum_n (R_n - R_{n-1}) P_n over tie-group thresholds; NaN for classes without positives.

    With ``full`` (the totals of all samples), ``counts`` are those of a kept subset and the other
    samples form one tie group ranked below everything, whose precision is the class base rate.
    """
    precision = np.divide(counts.tp_end, counts.all_end, out=np.zeros_like(counts.tp_end), where=counts.all_end > 0)
    area = counts.layout.per_class(counts.tp_inc * precision)
    positives = counts.positives
    if full is not None:
        positives = full.positives
        area = area + (positives - counts.positives) * positives / full.total
    return _divide(area, positives)


def roc_auc(counts: GroupCounts) -> np.ndarray:
    """ROC AUC [B, C] (trapezoid rule = Mann-Whitney U with ties counted 1/2); NaN without both labels."""
    negatives = counts.total - counts.positives
    # Each positive beats the negatives below its group and half of those tied with it.
    fp_end = counts.all_end - counts.tp_end
    fp_tie = counts.tie - counts.tp_inc
    beaten = counts.positives * negatives - counts.layout.per_class(counts.tp_inc * (fp_end - 0.5 * fp_tie))
    return _divide(beaten, counts.positives * negatives)


def per_class_ap_auroc(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unweighted per-class AP [C] and ROC AUC [C] of ``scores`` [N, C] against multi-hot ``labels`` [N, C]."""
    counts = RankIndex.build(scores, labels).counts(np.ones((1, scores.shape[0]), np.float32))
    return average_precision(counts)[0], roc_auc(counts)[0]


def gate_scores(scores: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The gate's definition: rows [N] where ``keep`` is false get one score below every score in ``scores``.

    All gated entries tie at ``min(scores) - 1``, so they rank last in every class and their own scores
    no longer matter. The metric computes the same AP without building this matrix.
    """
    gated = np.array(scores, dtype=np.float64, copy=True)
    gated[~np.asarray(keep, bool)] = gated.min() - 1.0
    return gated
