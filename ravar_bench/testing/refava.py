"""A tiny RefAVA in the authors' format, for tests and benchmarks (in the spirit of ``mmdet.testing``).

Two videos, 120 frames each (movie seconds 900..904 at 30 fps), 48x64 pixels. The top half of every
frame is pure-ish red (RGB 220, 30, 30) so a test can prove channels are RGB; the bottom half shows
frame ``i`` (frame folders count from 1, video files from 0) as 8 black/white bars, the bits of ``i``,
which survive JPEG and mp4 compression. ``vid_a`` is a JPEG frame folder,
``vid_b`` an mp4 file.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from ravar_bench.data.format import RefAVARecord, frame_path, make_key, write_detections, write_split

HEIGHT, WIDTH, NUM_FRAMES = 48, 64, 120
RED = (220, 30, 30)
BITS = 8


def frame_rgb(index: int) -> np.ndarray:
    """The RGB frame showing red on top and the bits of ``index`` (most significant first) below."""
    frame = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    frame[: HEIGHT // 2] = RED
    bar = WIDTH // BITS
    for bit in range(BITS):
        if index >> (BITS - 1 - bit) & 1:
            frame[HEIGHT // 2 :, bit * bar : (bit + 1) * bar] = 255
    return frame


def decode_index(frame: np.ndarray) -> int:
    """Inverse of :func:`frame_rgb`, read from the centre of each bar (works on any frame size)."""
    height, width = frame.shape[:2]
    rows = frame[height * 5 // 8 : height * 7 // 8].mean(axis=(0, 2))
    centres = ((np.arange(BITS) + 0.5) * width / BITS).astype(int)
    return int(sum(1 << (BITS - 1 - bit) for bit, column in enumerate(centres) if rows[column] > 128))


def write_frame_folder(root: str | os.PathLike, video_id: str, num_frames: int = NUM_FRAMES) -> None:
    """``frames/<video_id>/image_%06d.jpg`` for indices 1..num_frames (cv2 writes BGR)."""
    for index in range(1, num_frames + 1):
        path = frame_path(root, video_id, index)
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), cv2.cvtColor(frame_rgb(index), cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])


def write_video(root: str | os.PathLike, video_id: str, num_frames: int = NUM_FRAMES) -> Path:
    """``videos/<video_id>.mp4`` (mp4v, 30 fps); file frame 0 is movie second 900."""
    path = Path(root) / "videos" / f"{video_id}.mp4"
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (WIDTH, HEIGHT))
    for index in range(num_frames):
        writer.write(cv2.cvtColor(frame_rgb(index), cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def tiny_records(pixels: bool = False) -> list[RefAVARecord]:
    """Five samples over three clips of two videos; two descriptions each (original, rephrasing)."""
    rows = [
        ("vid_a", 902, 1, (0.1, 0.2, 0.4, 0.9), (12, 17), "the man in the red coat on the left"),
        ("vid_a", 902, 2, (0.5, 0.1, 0.9, 0.8), (11,), "the woman with a hat on the right"),
        ("vid_a", 903, 1, (0.2, 0.2, 0.5, 1.0), (14, 80), "the man in the red coat"),
        ("vid_b", 902, 0, (0.3, 0.0, 0.7, 0.5), (79,), "the small child in the middle"),
        ("vid_b", 903, 3, (0.0, 0.5, 0.25, 1.0), (1, 64), "the old man at the bottom left"),
    ]
    scale = np.array([WIDTH, HEIGHT, WIDTH, HEIGHT]) if pixels else np.ones(4)
    return [RefAVARecord(key=make_key(video, second, person), box=tuple((np.array(box) * scale).tolist()),
                         labels=labels, descriptions=(text, f"rephrased: {text}"))
            for video, second, person, box, labels, text in rows]


def write_tiny_refava(root: str | os.PathLike, splits: tuple[str, ...] = ("train", "val", "test"),
                      pixels: bool = False, detections: bool = True, naming: str = "refava") -> Path:
    """Write the tiny RefAVA under ``root`` (the same samples in every split; ``naming="refava++"`` names the
    pickles as RefAVA++ does) and return ``root``."""
    root = Path(root)
    write_frame_folder(root, "vid_a")
    write_video(root, "vid_b")
    records = tiny_records(pixels)
    for split in splits:
        write_split(root, split, records, naming)
        if detections:
            entries = {r.key: {"boxes": [[0.1, 0.1, 0.5, 0.9], [0.6, 0.0, 1.0, 0.4]], "names": ["person", "cup"],
                               "scores": [0.9, 0.55]} for r in records}
            write_detections(root, split, entries, {"type": "fixture"})
    return root
