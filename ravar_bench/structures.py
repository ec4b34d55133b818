"""The data sample that travels from the dataset through the model to the metric."""

from __future__ import annotations

from mmengine.structures import BaseDataElement


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
