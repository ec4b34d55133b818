"""Pipeline steps: SampleClip -> DecodeFrames -> (Perturb) -> ResizeClip -> PackRAVARInputs."""

from __future__ import annotations

import cv2
import numpy as np
import torch
from mmcv.transforms import BaseTransform

from ravar_bench.data.format import NUM_CLASSES
from ravar_bench.data.frames import FrameReader, frame_indices, window_seconds
from ravar_bench.registry import TRANSFORMS
from ravar_bench.structures import RAVARDataSample


@TRANSFORMS.register_module()
class SampleClip(BaseTransform):
    """Choose ``num_frames`` movie seconds spread uniformly over ``timestamp -/+ window_seconds / 2``.

    Adds ``clip_seconds`` float64 [T] and ``key_second`` (the annotated second: the key frame).
    """

    def __init__(self, num_frames: int = 8, window_seconds: float = 3.0) -> None:
        if num_frames < 1 or window_seconds <= 0:
            raise ValueError(f"need num_frames >= 1 and window_seconds > 0, got {num_frames}, {window_seconds}")
        self.num_frames = num_frames
        self.window_seconds = window_seconds

    def transform(self, results: dict) -> dict:
        """Add the sampled seconds of the clip and the key frame."""
        results["clip_seconds"] = window_seconds(results["timestamp"], self.num_frames, self.window_seconds)
        results["key_second"] = float(results["timestamp"])
        results["num_frames"] = self.num_frames
        return results


@TRANSFORMS.register_module()
class DecodeFrames(BaseTransform):
    """Read the clip and the key frame from the sample's frame source, RGB uint8.

    Adds ``frames`` [T, H, W, 3], ``keyframe`` [H, W, 3] (own resolution), ``frame_inds`` [T] and
    ``key_frame_ind`` (file indices, clamped to the frames that exist), ``img_shape`` and
    ``keyframe_shape``.
    """

    def __init__(self) -> None:
        self.reader = FrameReader()

    def transform(self, results: dict) -> dict:
        """Decode the frames of ``clip_seconds`` and ``key_second``."""
        source = results["frame_source"]
        indices = frame_indices(source, results["clip_seconds"])
        key_index = frame_indices(source, np.array([results["key_second"]]))
        decoded = self.reader.read(source, np.concatenate([indices, key_index]))
        results["frames"], results["keyframe"] = decoded[:-1], decoded[-1]
        results["frame_inds"], results["key_frame_ind"] = indices, int(key_index[0])
        results["img_shape"] = results["frames"].shape[1:3]
        results["keyframe_shape"] = results["keyframe"].shape[:2]
        return results


@TRANSFORMS.register_module()
class ResizeClip(BaseTransform):
    """Resize the clip frames to ``size`` = (H, W); the key frame too when ``keyframe_size`` is given.

    Boxes are normalised, so they need no change.
    """

    def __init__(self, size: tuple[int, int], keyframe_size: tuple[int, int] | None = None) -> None:
        self.size = tuple(size)
        self.keyframe_size = None if keyframe_size is None else tuple(keyframe_size)

    def transform(self, results: dict) -> dict:
        """Resize ``frames`` (and ``keyframe``) to the configured sizes."""
        results["frames"] = np.stack([_resize(frame, self.size) for frame in results["frames"]])
        results["img_shape"] = self.size
        if self.keyframe_size is not None:
            results["keyframe"] = _resize(results["keyframe"], self.keyframe_size)
            results["keyframe_shape"] = self.keyframe_size
        return results


def _resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize one uint8 image to (H, W): area averaging when shrinking 2x or more (against aliasing),
    bilinear otherwise (several times faster, and aliasing below 2x is slight)."""
    height, width = size
    if image.shape[:2] == (height, width):
        return image
    shrink = max(image.shape[0] / height, image.shape[1] / width)
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA if shrink >= 2 else cv2.INTER_LINEAR)


@TRANSFORMS.register_module()
class PackRAVARInputs(BaseTransform):
    """Pack tensors and a :class:`RAVARDataSample` (ground truth, detections, metainfo)."""

    def transform(self, results: dict) -> dict:
        """``dict(inputs=dict(frames=[T,3,H,W] uint8, keyframe=[3,h,w] uint8), data_samples=...)``."""
        frames = torch.from_numpy(np.ascontiguousarray(results["frames"])).permute(0, 3, 1, 2).contiguous()
        keyframe = torch.from_numpy(np.ascontiguousarray(results["keyframe"])).permute(2, 0, 1).contiguous()
        detections = results["detections"]
        sample = RAVARDataSample(metainfo={
            "key": results["key"], "text": results["text"], "num_frames": frames.shape[0],
            "img_shape": tuple(frames.shape[2:]), "keyframe_shape": tuple(keyframe.shape[1:]),
            "det_names": list(detections["names"]),
        })
        sample.gt_labels = multi_hot(results["labels"])
        sample.gt_box = torch.as_tensor(np.asarray(results["gt_box"], dtype=np.float32))
        sample.det_boxes = torch.as_tensor(np.asarray(detections["boxes"], dtype=np.float32).reshape(-1, 4))
        sample.det_scores = torch.as_tensor(np.asarray(detections["scores"], dtype=np.float32).reshape(-1))
        return {"inputs": {"frames": frames, "keyframe": keyframe}, "data_samples": sample}


def multi_hot(labels) -> torch.Tensor:
    """Float [80] target: column j is 1 when AVA action id j + 1 is in ``labels``."""
    target = torch.zeros(NUM_CLASSES, dtype=torch.float32)
    target[torch.as_tensor(list(labels), dtype=torch.long) - 1] = 1.0
    return target
