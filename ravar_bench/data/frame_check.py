"""``data check``'s frame pass: decode every frame a sample's clip window can read, in a process pool.

Each frame is decoded exactly as the pipeline decodes it (:func:`ravar_bench.data.frames.frame_problem`),
so a frame that passes here is a frame that the pipeline reads. Video sources are not decoded here.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ravar_bench.data.format import FPS
from ravar_bench.data.frames import frame_indices, frame_problem, window_seconds
from ravar_bench.data.problems import ProblemLog

CHECK_WORKERS = 2
WINDOW_SECONDS = 3.0  # SampleClip's default window: every frame a clip of any length can read


def needed_frames(samples: Iterable, scope: str = "window") -> dict[Path, str]:
    """Frame files the samples read, each with the first sample key that reads it.

    ``scope`` is ``"window"`` (every frame of the clip window and the key frame) or ``"key"`` (the key
    frame only). Samples read from video files are left out.
    """
    needed: dict[Path, str] = {}
    for sample in samples:
        source = sample.frame_source
        if source is None or source["type"] != "frames":
            continue
        seconds = np.array([float(sample.timestamp)])
        if scope == "window":
            seconds = np.append(window_seconds(sample.timestamp, round(WINDOW_SECONDS * FPS), WINDOW_SECONDS), seconds)
        for index in np.unique(frame_indices(source, seconds)):
            needed.setdefault(Path(source["path"]) / f"image_{int(index):06d}.jpg", sample.key)
    return needed


def check_frames(samples: Iterable, log: ProblemLog, scope: str = "window", workers: int = CHECK_WORKERS,
                 progress: bool = True) -> int:
    """Decode the samples' frames in ``workers`` processes; log each bad file; return how many were decoded."""
    needed = needed_frames(samples, scope)
    paths = sorted(needed)
    if not paths:
        return 0
    bar = Progress(TextColumn("[bold]decode frames"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   transient=True, disable=not progress)
    with bar, ProcessPoolExecutor(max_workers=workers) as pool:
        task = bar.add_task("frames", total=len(paths))
        for path, problem in zip(paths, pool.map(frame_problem, paths, chunksize=64), strict=True):
            bar.advance(task)
            if problem is not None:
                log.add("frame_decode", path, needed[path], "frame", "a JPEG the pipeline can decode", problem)
    return len(paths)
