"""Box IoU between each predicted box and its ground truth (normalised x1, y1, x2, y2)."""

from __future__ import annotations

import numpy as np


def canonical_boxes(boxes: np.ndarray) -> np.ndarray:
    """Clamp boxes [N, 4] to the unit square and order their corners (x1 <= x2, y1 <= y2)."""
    clamped = np.clip(np.asarray(boxes, dtype=np.float64), 0.0, 1.0)
    x_lo, x_hi = np.minimum(clamped[:, 0], clamped[:, 2]), np.maximum(clamped[:, 0], clamped[:, 2])
    y_lo, y_hi = np.minimum(clamped[:, 1], clamped[:, 3]), np.maximum(clamped[:, 1], clamped[:, 3])
    return np.stack([x_lo, y_lo, x_hi, y_hi], axis=1)


def box_iou(pred_boxes: np.ndarray, gt_boxes: np.ndarray) -> np.ndarray:
    """IoU [N] of each canonicalised predicted box with its ground truth (used as given); 0 for an empty union."""
    pred = canonical_boxes(pred_boxes)
    gt = np.asarray(gt_boxes, dtype=np.float64)
    width = np.clip(np.minimum(pred[:, 2], gt[:, 2]) - np.maximum(pred[:, 0], gt[:, 0]), 0.0, None)
    height = np.clip(np.minimum(pred[:, 3], gt[:, 3]) - np.maximum(pred[:, 1], gt[:, 1]), 0.0, None)
    inter = width * height
    area_pred = (pred[:, 2] - pred[:, 0]) * (pred[:, 3] - pred[:, 1])
    area_gt = np.clip(gt[:, 2] - gt[:, 0], 0.0, None) * np.clip(gt[:, 3] - gt[:, 1], 0.0, None)
    union = area_pred + area_gt - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
