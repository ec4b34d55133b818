"""Paired comparisons of two runs on the same samples: the same video resamples for both runs.

Two ways in, one statistic: from the per-sample predictions of both runs (``compare_samples``, what
``ravar-bench compare`` does), or from the resample replicates two results.json files recorded with
the same resample plan (``compare_reports``, what the leaderboards do). Both give, per metric, the
difference ``A - B``, its median-centred percentile interval and a two-sided bootstrap p-value.
"""

from __future__ import annotations

import numpy as np

from ravar_bench.metrics.bootstrap import DEFAULT_RESAMPLES, Difference, decode_replicates, paired_difference
from ravar_bench.metrics.report import HEADLINE, evaluate, replicate_key

SAMPLE_FIELDS = ("scores", "labels", "pred_boxes", "gt_boxes")


def align(a: dict, b: dict) -> dict:
    """``b``'s arrays reordered to ``a``'s keys; a ValueError unless both hold the same samples and truth."""
    keys_a, keys_b = list(a["keys"]), list(b["keys"])
    shared = set(keys_a) & set(keys_b)
    if len(shared) != len(keys_a) or len(shared) != len(keys_b):
        raise ValueError(f"the runs do not share their samples: {len(keys_a)} and {len(keys_b)} samples, "
                         f"{len(shared)} in common (a paired comparison needs the same samples)")
    position = {key: i for i, key in enumerate(keys_b)}
    order = np.asarray([position[key] for key in keys_a])
    aligned = {"keys": keys_a, **{name: np.asarray(b[name])[order] for name in SAMPLE_FIELDS}}
    for name in ("labels", "gt_boxes"):
        differs = np.flatnonzero((np.asarray(a[name]) != aligned[name]).any(axis=1))
        if differs.size:
            raise ValueError(f"the runs disagree on the ground truth ({name}) of {differs.size} sample(s), "
                             f"first {keys_a[differs[0]]!r}: they were not scored on the same data")
    return aligned


def compare_samples(a: dict, b: dict, convention: str = "macro", n_bootstrap: int = DEFAULT_RESAMPLES,
                    seed: int = 0) -> dict[str, Difference]:
    """Headline metric -> paired difference ``A - B`` for two runs' samples (``read_samples`` dicts)."""
    if n_bootstrap < 1:
        raise ValueError(f"a paired comparison needs resamples, got n_bootstrap = {n_bootstrap}")
    b = align(a, b)
    runs = [evaluate(*(run[name] for name in SAMPLE_FIELDS), n_bootstrap=n_bootstrap, seed=seed,
                     keys=run["keys"]).headline(convention) for run in (a, b)]
    out = {}
    for name in HEADLINE:
        (point_a, boot_a), (point_b, boot_b) = runs[0][name], runs[1][name]
        out[name] = paired_difference(float(point_a[0]), float(point_b[0]), boot_a, boot_b)
    return out


def compare_reports(a: dict, b: dict, convention: str, metric: str) -> Difference | None:
    """The paired difference of ``metric`` from two results.json ``metrics`` reports, or None when they
    cannot be paired (no replicates, e.g. schema-1 results, or different resample plans)."""
    boot_a, boot_b = a.get("bootstrap", {}), b.get("bootstrap", {})
    key = replicate_key(convention, metric)
    plan = boot_a.get("plan_id")
    if plan is None or plan != boot_b.get("plan_id"):
        return None
    reps_a, reps_b = boot_a.get("replicates", {}), boot_b.get("replicates", {})
    value_a = a["conventions"][convention][metric]["value"]
    value_b = b["conventions"][convention][metric]["value"]
    if key not in reps_a or key not in reps_b or value_a is None or value_b is None:
        return None
    count = int(boot_a["n_resamples"])
    return paired_difference(value_a, value_b, decode_replicates(reps_a[key], count),
                             decode_replicates(reps_b[key], count))
