"""``RAVARMetric``: the RAVAR report as an MMEngine metric (online per batch, or offline)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from mmengine.evaluator import BaseMetric

from ravar_bench.data.format import NUM_CLASSES
from ravar_bench.metrics.bootstrap import DEFAULT_RESAMPLES
from ravar_bench.metrics.report import CONVENTIONS, RAVARReport, compute_ravar_metrics
from ravar_bench.registry import METRICS
from ravar_bench.structures import prediction_problem

FIELDS = {"pred_scores": NUM_CLASSES, "gt_labels": NUM_CLASSES, "pred_box": 4, "gt_box": 4}  # name -> size


def _as_numpy(value: Any) -> np.ndarray:
    """A tensor or array-like as a float64 numpy array."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


@METRICS.register_module()
class RAVARMetric(BaseMetric):
    """mAP, AUROC, mIoU and mAP@IoU {0.2, 0.5} with bootstrap CIs; the full report is kept in ``last_report``.

    Args:
        convention: class averaging of mAP and AUROC, "macro" (paper text) or "weighted" (authors' code).
        n_bootstrap: number of bootstrap resamples (0: no confidence intervals).
        seed: seed of the bootstrap's numpy Generator.
    """

    default_prefix = "ravar"

    def __init__(self, convention: str = "macro", n_bootstrap: int = DEFAULT_RESAMPLES, seed: int = 0,
                 collect_device: str = "cpu", prefix: str | None = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if convention not in CONVENTIONS:
            raise ValueError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
        self.convention, self.n_bootstrap, self.seed = convention, n_bootstrap, seed
        self.last_report: RAVARReport | None = None

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Keep key, scores, labels and boxes of each predicted sample (a RAVARDataSample or its dict form)."""
        for sample in data_samples:
            record = sample if isinstance(sample, dict) else sample.to_dict()
            key = str(record.get("key", f"#{len(self.results)}"))
            missing = [name for name in FIELDS if name not in record]
            if missing:
                raise ValueError(f"data sample {key!r} lacks {', '.join(missing)} (expected {', '.join(FIELDS)})")
            arrays = {name: _as_numpy(record[name]).reshape(-1) for name in FIELDS}
            for name in ("gt_labels", "gt_box"):
                if arrays[name].size != FIELDS[name]:
                    raise ValueError(f"{name} of data sample {key!r} has {arrays[name].size} values, "
                                     f"expected {FIELDS[name]}")
            problem = prediction_problem(arrays["pred_scores"], arrays["pred_box"])
            if problem:
                raise ValueError(f"data sample {key!r}: {problem}")
            self.results.append({"key": key, **arrays})

    def compute_metrics(self, results: list) -> dict[str, float]:
        """The flat headline metrics of the collected samples; the full report goes to ``last_report``."""
        if not results:
            raise ValueError("RAVARMetric received no data samples")
        keys = [r["key"] for r in results]
        self.last_report = compute_ravar_metrics(
            np.stack([r["pred_scores"] for r in results]),
            np.stack([r["gt_labels"] for r in results]),
            np.stack([r["pred_box"] for r in results]),
            np.stack([r["gt_box"] for r in results]),
            convention=self.convention, n_bootstrap=self.n_bootstrap, seed=self.seed, keys=keys,
        )
        return self.last_report.flat()
