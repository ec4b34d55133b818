"""RAVAR metrics: pure functions (mAP, AUROC, mIoU, IoU-gated mAP, bootstrap CIs); ``RAVARMetric``
(MMEngine's BaseMetric, in METRICS) lives in ``metrics.ravar_metric``."""

from ravar_bench.metrics.boxes import box_iou, canonical_boxes
from ravar_bench.metrics.ranking import RankIndex, gate_scores, per_class_ap_auroc
from ravar_bench.metrics.report import (
    CONVENTIONS,
    IOU_THRESHOLDS,
    RAVARReport,
    class_average,
    compute_ravar_metrics,
)

__all__ = [
    "CONVENTIONS",
    "IOU_THRESHOLDS",
    "RAVARReport",
    "RankIndex",
    "box_iou",
    "canonical_boxes",
    "class_average",
    "compute_ravar_metrics",
    "gate_scores",
    "per_class_ap_auroc",
]
