"""Speed of the RAVAR metrics at RefAVA's size (36,630 x 80) against scikit-learn, measured in one run.

Usage: ``python bench/bench_metrics.py [--repeats 5] [--bootstrap 1000]``. Single-threaded; warm-up
excluded; prints median and best of the repeats, the speed ratio, and the largest difference from
scikit-learn's values (expected ~1e-15).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.metrics import average_precision_score, roc_auc_score  # noqa: E402

from ravar_bench.metrics import CONVENTIONS, class_average, compute_ravar_metrics, per_class_ap_auroc  # noqa: E402
from ravar_bench.testing.predictions import synthetic_predictions  # noqa: E402

NUM_SAMPLES = 36_630
NUM_VIDEOS = 64  # movies in the split (the bootstrap unit)


def timed(function: Callable[[], object], repeats: int) -> tuple[object, list[float]]:
    """Run once to warm up, then ``repeats`` timed runs; return the last result and the times."""
    result = function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return result, times


def ours(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    """Per-class AP and AUROC plus mAP and AUROC in both conventions."""
    ap, auc = per_class_ap_auroc(scores, labels)
    support = labels.sum(axis=0)
    has_pos, has_both = support > 0, (support > 0) & (support < len(labels))
    means = {name: (class_average(ap[None], support[None], has_pos[None], name)[0],
                    class_average(auc[None], support[None], has_both[None], name)[0]) for name in CONVENTIONS}
    return ap, auc, means


def reference(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's per-class AP and AUROC (average=None) over the same eligible classes."""
    support = labels.sum(axis=0)
    has_pos, has_both = support > 0, (support > 0) & (support < len(labels))
    ap, auc = np.full(labels.shape[1], np.nan), np.full(labels.shape[1], np.nan)
    ap[has_pos] = average_precision_score(labels[:, has_pos], scores[:, has_pos], average=None)
    auc[has_both] = roc_auc_score(labels[:, has_both], scores[:, has_both], average=None)
    return ap, auc


def describe(times: list[float]) -> str:
    """Median and best of the timed runs."""
    return f"median {statistics.median(times):.3f} s, best {min(times):.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args()

    data = synthetic_predictions(NUM_SAMPLES, seed=0)
    scores, labels = data["scores"], data["labels"]
    print(f"data: {scores.shape[0]} x {scores.shape[1]}, {labels.sum(axis=1).mean():.2f} positives per row, "
          f"class support {labels.sum(axis=0).max()} .. {labels.sum(axis=0).min()}")

    (ap, auc, means), ours_times = timed(lambda: ours(scores, labels), args.repeats)
    (ref_ap, ref_auc), ref_times = timed(lambda: reference(scores, labels), args.repeats)
    print(f"ours (AP + AUROC, both conventions): {describe(ours_times)}")
    print(f"scikit-learn (AP + AUROC, average=None): {describe(ref_times)}")
    print(f"speed-up: {statistics.median(ref_times) / statistics.median(ours_times):.1f}x (median), "
          f"{min(ref_times) / min(ours_times):.1f}x (best)")
    diff_ap, diff_auc = np.nanmax(np.abs(ap - ref_ap)), np.nanmax(np.abs(auc - ref_auc))
    print(f"max |ours - sklearn|: AP {diff_ap:.2e}, AUROC {diff_auc:.2e}")
    for name, (mean_ap, mean_auc) in means.items():
        print(f"  {name}: mAP {mean_ap:.6f}, AUROC {mean_auc:.6f}")

    _, point_times = timed(lambda: compute_ravar_metrics(**data, n_bootstrap=0), 1)
    keys = [f"movie{i % NUM_VIDEOS:02d}___{i}___0" for i in range(NUM_SAMPLES)]  # resampled by movie
    start = time.perf_counter()
    report = compute_ravar_metrics(**data, n_bootstrap=args.bootstrap, keys=keys)
    full = time.perf_counter() - start
    print(f"full report without bootstrap: {point_times[0]:.2f} s; with {args.bootstrap} resamples of "
          f"{NUM_VIDEOS} videos: {full:.2f} s "
          f"({1e3 * (full - point_times[0]) / max(args.bootstrap, 1):.1f} ms per resample)")
    for name, estimate in report.metrics.items():
        print(f"  {name}: {estimate.value:.4f} [{estimate.ci_low:.4f}, {estimate.ci_high:.4f}]")


if __name__ == "__main__":
    main()
