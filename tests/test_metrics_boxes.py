"""Box IoU: properties (hypothesis) and torchvision's box_iou as the oracle."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torchvision.ops import box_iou as tv_box_iou

from ravar_bench.metrics import box_iou, canonical_boxes

wide = st.floats(-2.0, 3.0, allow_nan=False)


@st.composite
def ordered_box(draw, min_size: float = 0.0) -> np.ndarray:
    """A box in the unit square with x1 <= x2, y1 <= y2 and sides >= min_size."""
    x1, y1 = draw(st.floats(0.0, 1.0 - min_size)), draw(st.floats(0.0, 1.0 - min_size))
    x2, y2 = draw(st.floats(x1 + min_size, 1.0)), draw(st.floats(y1 + min_size, 1.0))
    return np.array([x1, y1, x2, y2])


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float(box_iou(a[None], b[None])[0])


@settings(max_examples=200, deadline=None)
@given(ordered_box(), ordered_box())
def test_symmetric_and_bounded(a: np.ndarray, b: np.ndarray) -> None:
    value = _iou(a, b)
    assert 0.0 <= value <= 1.0
    assert abs(value - _iou(b, a)) < 1e-12


@settings(max_examples=100, deadline=None)
@given(ordered_box(min_size=1e-3))
def test_identical_boxes_have_iou_one(a: np.ndarray) -> None:
    assert abs(_iou(a, a) - 1.0) < 1e-12


@settings(max_examples=100, deadline=None)
@given(ordered_box(), st.floats(0.0, 0.5))
def test_disjoint_boxes_have_iou_zero(a: np.ndarray, gap: float) -> None:
    width = a[2] - a[0]
    right = np.array([a[2] + gap, a[1], a[2] + gap + width, a[3]])  # touches or lies right of a
    assert _iou(right, a) == 0.0


@settings(max_examples=200, deadline=None)
@given(st.lists(wide, min_size=4, max_size=4), ordered_box())
def test_prediction_is_clamped_and_ordered(corners: list[float], gt: np.ndarray) -> None:
    pred = np.array(corners)
    swapped = pred[[2, 3, 0, 1]]  # corners given in the other order
    canonical = canonical_boxes(pred[None])[0]
    assert canonical[0] <= canonical[2] and canonical[1] <= canonical[3]
    assert ((canonical >= 0) & (canonical <= 1)).all()
    assert _iou(pred, gt) == _iou(swapped, gt) == _iou(canonical, gt)


def test_matches_torchvision_on_canonical_boxes() -> None:
    rng = np.random.default_rng(0)
    pred = rng.uniform(-0.3, 1.3, (500, 4))
    gt = np.sort(rng.random((500, 2, 2)), axis=1).transpose(0, 2, 1).reshape(500, 4)[:, [0, 2, 1, 3]]
    expected = tv_box_iou(torch.from_numpy(canonical_boxes(pred)), torch.from_numpy(gt)).diagonal().numpy()
    np.testing.assert_allclose(box_iou(pred, gt), expected, rtol=0, atol=1e-12)
