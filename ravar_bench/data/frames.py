"""Frame sources: AVA frame folders and video files, read by movie second, always RGB uint8.

A frame source is described by a plain dict (picklable, stored in each ``data_info``):
``{"type": "frames", "path": <folder>, "num_frames": N, "fps": 30.0, "height": H, "width": W}`` for
``frames/<video_id>/image_%06d.jpg`` (index 1 shows movie second 900), or ``{"type": "video", ...}`` for
``videos/<video_id>.<ext>`` whose second 0 is movie second 900 (an AVA clip trimmed to 900..1800 s).
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from ravar_bench.data.format import FIRST_SECOND, FPS, frame_index
from ravar_bench.data.problems import DataError

VIDEO_EXTENSIONS = (".mp4", ".mkv", ".avi", ".webm", ".mov")
JPEG_START, JPEG_END = b"\xff\xd8", b"\xff\xd9"


class FrameError(DataError):
    """A frame file that cannot be decoded; the message names the file.

    Raised in a DataLoader worker, torch re-raises it in the main process with the worker's whole
    traceback as the message; the constructor keeps only the original one-line message.
    """

    def __init__(self, message: str) -> None:
        last = message.strip().splitlines()[-1] if message.strip() else message
        marker = f"{type(self).__name__}: "
        super().__init__(last.split(marker, 1)[1] if "Original Traceback" in message and marker in last else message)


def window_seconds(timestamp: float, num_frames: int, window: float = 3.0, fps: int = FPS) -> np.ndarray:
    """Movie seconds of ``num_frames`` frames spread uniformly over ``timestamp -/+ window/2``.

    The window holds ``round(window * fps)`` frames (90 for 3 s at 30 fps); frame ``length // 2`` of
    the window is the key frame. Frame ``i`` of the clip is the centre of the ``i``-th of
    ``num_frames`` equal segments of the window.
    """
    if num_frames < 1:
        raise ValueError(f"num_frames must be >= 1, got {num_frames}")
    length = round(window * fps)
    offsets = np.floor((np.arange(num_frames) + 0.5) * length / num_frames).astype(np.int64)
    return timestamp + (offsets - length // 2) / fps


def _frame_file(folder: Path, index: int) -> Path:
    """Path of frame ``index`` inside one video's frame folder."""
    return folder / f"image_{index:06d}.jpg"


def count_frames(folder: Path) -> int:
    """Number of contiguous frames ``image_000001.jpg`` .. ``image_N.jpg`` (by exponential search)."""
    if not _frame_file(folder, 1).is_file():
        return 0
    low, high = 1, 2
    while _frame_file(folder, high).is_file():
        low, high = high, high * 2
    while high - low > 1:  # invariant: low exists, high does not
        middle = (low + high) // 2
        low, high = (middle, high) if _frame_file(folder, middle).is_file() else (low, middle)
    return low


def find_frame_source(root: str | os.PathLike, video_id: str) -> dict | None:
    """Describe how to read ``video_id`` under ``root``: its frame folder, else its video file."""
    folder = Path(root) / "frames" / video_id
    if folder.is_dir():
        count = count_frames(folder)
        if count == 0:
            return None
        height, width = _image_size(_frame_file(folder, 1))
        return {"type": "frames", "path": str(folder), "num_frames": count, "fps": float(FPS),
                "height": height, "width": width}
    for extension in VIDEO_EXTENSIONS:
        path = Path(root) / "videos" / f"{video_id}{extension}"
        if path.is_file():
            return _video_source(path)
    return None


def _image_size(path: Path) -> tuple[int, int]:
    """(height, width) of an image from its header only."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width, height = image.size
    except (OSError, UnidentifiedImageError) as error:
        raise FrameError(f"cannot decode frame {path}: {error}") from None
    return height, width


def _video_source(path: Path) -> dict:
    """Frame source dict of one video file (frame count, fps and size from decord)."""
    import decord

    reader = decord.VideoReader(str(path), num_threads=1)
    height, width = reader[0].shape[:2]
    return {"type": "video", "path": str(path), "num_frames": len(reader), "fps": float(reader.get_avg_fps()),
            "height": int(height), "width": int(width)}


def frame_indices(source: dict, seconds: np.ndarray) -> np.ndarray:
    """File frame indices showing movie ``seconds``, clamped to the frames that exist.

    Frame folders count from 1 (``image_000001.jpg`` = second 900); video files count from 0
    (frame 0 = second 900 at the file's own fps).
    """
    seconds = np.asarray(seconds, dtype=np.float64)
    if source["type"] == "frames":
        indices = np.array([frame_index(s) for s in seconds], dtype=np.int64)
        return np.clip(indices, 1, source["num_frames"])
    indices = np.round((seconds - FIRST_SECOND) * source["fps"]).astype(np.int64)
    return np.clip(indices, 0, source["num_frames"] - 1)


def jpeg_problem(data: bytes) -> str | None:
    """What makes ``data`` not a whole JPEG file (no start marker, or cut before its end marker), if anything."""
    if not data.startswith(JPEG_START):
        return "not a JPEG (no start-of-image marker)"
    if not data.rstrip(b"\0").endswith(JPEG_END):
        return "truncated JPEG (no end-of-image marker)"
    return None


def _decode_bgr(path: str | os.PathLike) -> tuple[np.ndarray | None, str | None]:
    """(BGR image, None), or (None, why not) for a missing, unreadable, truncated or non-JPEG file."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return None, f"cannot read it ({error.strerror or error})"
    problem = jpeg_problem(data)  # checked first: libjpeg would only print a warning and decode half a frame
    if problem:
        return None, problem
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return (None, "OpenCV cannot decode it") if image is None else (image, None)


def frame_problem(path: str | os.PathLike) -> str | None:
    """Why the pipeline cannot decode the frame at ``path``, or ``None`` when it can (``data check``)."""
    return _decode_bgr(path)[1]


def read_image_rgb(path: str | os.PathLike) -> np.ndarray:
    """Decode a JPEG as RGB uint8 [H, W, 3] (OpenCV decodes BGR; the release forgot to convert).

    A missing, truncated or non-JPEG file raises :class:`FrameError` naming it.
    """
    image, problem = _decode_bgr(path)
    if image is None:
        raise FrameError(f"cannot decode frame {path}: {problem}")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


class FrameReader:
    """Reads frames of one source by file index; keeps one decord reader per process open."""

    def __init__(self) -> None:
        self._video: tuple[int, str, object] | None = None  # (pid, path, decord.VideoReader)

    def __getstate__(self) -> dict:
        """Drop the open video reader when pickled (e.g. to a spawned worker)."""
        return {"_video": None}

    def read(self, source: dict, indices: np.ndarray) -> np.ndarray:
        """Frames at ``indices`` as RGB uint8 [N, H, W, 3]."""
        if source["type"] == "frames":
            folder = Path(source["path"])
            unique = {int(i): read_image_rgb(_frame_file(folder, int(i))) for i in np.unique(indices)}
            return np.stack([unique[int(i)] for i in indices])
        return self._video_reader(source["path"]).get_batch([int(i) for i in indices]).asnumpy()

    def _video_reader(self, path: str):
        """A decord reader for ``path``, reopened after a fork (readers do not survive one)."""
        import decord

        pid = os.getpid()
        if self._video is None or self._video[:2] != (pid, path):
            self._video = (pid, path, decord.VideoReader(path, num_threads=1))
        return self._video[2]
