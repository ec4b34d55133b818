"""The data sample that travels from the dataset through the model to the metric."""

from __future__ import annotations

import numpy as np
import torch
from mmengine.structures import BaseDataElement

from ravar_bench.data.format import NUM_CLASSES


class RAVARDataSample(BaseDataElement):
    """Ground truth and prediction for one (clip, reference) pair.

    Metainfo (set by the pipeline): ``key`` (the RefAVA sample key), ``text`` (the reference),
    ``num_frames``, ``img_shape`` (H, W of the clip frames), ``keyframe_shape``.
    Data fields, all torch tensors, boxes normalised x1, y1, x2, y2 in [0, 1]:

    - ``gt_labels`` float [80] multi-hot (column j is AVA action id j + 1), ``gt_box`` float [4];
    - ``det_boxes`` float [N, 4], ``det_scores`` float [N] and metainfo ``det_names`` (list of N
      category names): the detector output for the location-semantic stream (N may be 0);
    - ``pred_scores`` float [80] (probabilities), ``pred_box`` float [4]: set by ``predict``.
    """


def prediction_problem(pred_scores, pred_box) -> str | None:
    """The one check of the prediction contract: what is wrong with one sample's ``pred_scores`` (80
    probabilities) and ``pred_box`` (4 finite numbers), or None when nothing is."""
    arrays = {}
    for name, value, size in (("pred_scores", pred_scores, NUM_CLASSES), ("pred_box", pred_box, 4)):
        if value is None:
            return f"{name} is missing"
        array = np.asarray(value.detach().cpu() if isinstance(value, torch.Tensor) else value, dtype=np.float64)
        if array.shape != (size,):
            return f"{name} has shape {array.shape}, expected ({size},)"
        if not np.isfinite(array).all():
            return f"{name} is not finite"
        arrays[name] = array
    if arrays["pred_scores"].min() < 0 or arrays["pred_scores"].max() > 1:
        return "pred_scores must be probabilities in [0, 1]"
    return None
