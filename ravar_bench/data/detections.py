"""Detections files (written by :func:`ravar_bench.data.format.write_detections`): reading, validation,
and producing one with an MMDetection detector on the key frames of a split."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from ravar_bench.data.format import DETECTIONS_FORMAT, DETECTIONS_VERSION
from ravar_bench.data.frames import FrameReader, frame_indices
from ravar_bench.data.problems import ProblemLog


def empty_detections() -> dict:
    """The detections of a sample without any: ``boxes`` [0, 4], ``names`` [], ``scores`` [0]."""
    return {"boxes": np.zeros((0, 4), np.float32), "names": [], "scores": np.zeros((0,), np.float32)}


def read_detections(path: str | os.PathLike, keys: Iterable[str], log: ProblemLog) -> dict[str, dict]:
    """Read and validate a detections file; samples of ``keys`` absent from it get no detections.

    Returns ``{key: {"boxes": float32 [N, 4] normalised, "names": [N str], "scores": float32 [N]}}``.
    """
    path = Path(path)
    try:
        payload = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        log.add("detections", path, None, "file", "a JSON detections file", f"{type(error).__name__}: {error}")
        return {}
    expected = {"format": DETECTIONS_FORMAT, "version": DETECTIONS_VERSION, "box_units": "normalized"}
    for name, value in expected.items():
        if not isinstance(payload, dict) or payload.get(name) != value:
            found = payload.get(name) if isinstance(payload, dict) else type(payload).__name__
            log.add("detections", path, None, name, repr(value), repr(found))
            return {}
    table = payload.get("detections")
    if not isinstance(table, dict):
        log.add("detections", path, None, "detections", "a dict keyed by sample key", type(table).__name__)
        return {}
    keys = set(keys)
    result = {}
    for key, entry in table.items():
        if key not in keys:
            log.add("detections", path, key, "key", "a key of the split", "a key no pickle has")
        elif (parsed := _parse_entry(path, key, entry, log)) is not None:
            result[key] = parsed
    return result


def _parse_entry(path: Path, key: str, entry: object, log: ProblemLog) -> dict | None:
    """Validate one sample's detections: N boxes in [0, 1] with ordered corners, N names, N scores."""
    try:
        boxes = np.asarray(entry["boxes"], dtype=np.float64).reshape(-1, 4)
        scores = np.asarray(entry["scores"], dtype=np.float64).reshape(-1)
        names = list(entry["names"])
    except (KeyError, TypeError, ValueError) as error:
        log.add("detections", path, key, "boxes/names/scores", "lists of N boxes [x1,y1,x2,y2], N names, N scores",
                f"{type(error).__name__}: {error}")
        return None
    checks = {
        "lengths": (len(boxes) == len(scores) == len(names), "as many boxes, names and scores"),
        "boxes": (np.isfinite(boxes).all() and boxes.min(initial=0) >= 0 and boxes.max(initial=1) <= 1
                  and (boxes[:, 2] >= boxes[:, 0]).all() and (boxes[:, 3] >= boxes[:, 1]).all(),
                  "normalised boxes in [0, 1] with x2 >= x1, y2 >= y1"),
        "scores": (np.isfinite(scores).all() and ((scores >= 0) & (scores <= 1)).all(), "scores in [0, 1]"),
        "names": (all(isinstance(name, str) for name in names), "category names as strings"),
    }
    bad = [(field, expected) for field, (ok, expected) in checks.items() if not ok]
    for field, expected in bad:
        log.add("detections", path, key, field, expected, repr(entry)[:80])
    if bad:
        return None
    return {"boxes": boxes.astype(np.float32), "names": names, "scores": scores.astype(np.float32)}


def instances_to_detections(pred_instances, classes: list[str], height: int, width: int,
                            score_threshold: float) -> dict:
    """Convert MMDetection ``pred_instances`` (pixel ``bboxes``, ``scores``, ``labels``) to our entry."""
    boxes = np.asarray(_numpy(pred_instances.bboxes), dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(_numpy(pred_instances.scores), dtype=np.float64).reshape(-1)
    labels = np.asarray(_numpy(pred_instances.labels), dtype=np.int64).reshape(-1)
    keep = scores >= score_threshold
    boxes = np.clip(boxes[keep] / np.array([width, height, width, height]), 0.0, 1.0)
    return {"boxes": boxes.round(6).tolist(), "names": [classes[i] for i in labels[keep]],
            "scores": scores[keep].round(6).tolist()}


def _numpy(value) -> np.ndarray:
    """A torch tensor or array-like as numpy."""
    return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)


def detect_samples(samples: Iterable, detector: Callable[[np.ndarray], object], classes: list[str],
                   score_threshold: float) -> dict[str, dict]:
    """Run ``detector`` (BGR uint8 image -> DetDataSample) once per key frame; entries per sample key."""
    reader = FrameReader()
    by_frame: dict[tuple[str, int], dict] = {}
    result = {}
    for sample in samples:
        frame = (sample.video_id, sample.timestamp)
        if frame not in by_frame:
            index = frame_indices(sample.frame_source, np.array([float(sample.timestamp)]))
            rgb = reader.read(sample.frame_source, index)[0]
            output = detector(np.ascontiguousarray(rgb[:, :, ::-1]))  # MMDetection models expect BGR input
            by_frame[frame] = instances_to_detections(output.pred_instances, classes, *rgb.shape[:2],
                                                      score_threshold)
        result[sample.key] = by_frame[frame]
    return result


def mmdet_detector(config: str, checkpoint: str, device: str = "cpu") -> tuple[Callable, list[str]]:
    """Build an MMDetection detector: ``(image -> DetDataSample, class names)``."""
    # ravar_bench._compat must come first: it makes mmdet.models importable with mmcv-lite.
    import ravar_bench._compat  # noqa: F401, I001
    from mmdet.apis import inference_detector, init_detector

    model = init_detector(config, checkpoint, device=device)
    classes = list(model.dataset_meta["classes"])
    return (lambda image: inference_detector(model, image)), classes
