"""Clips/s of the training pipeline (SampleClip -> DecodeFrames -> ResizeClip -> PackRAVARInputs) through a
torch DataLoader with 2 workers, against the raw cost of decoding the same JPEGs with cv2 in one process.

Usage: ``python bench/bench_pipeline.py [--size 112] [--frames 8] [--workers 2]``. Goal: >= 200 clips/s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader

from ravar_bench.data.dataset import RefAVADataset
from ravar_bench.data.format import RefAVARecord, frame_path, make_key, write_split
from ravar_bench.data.frames import find_frame_source, frame_indices, window_seconds


def write_data(root: Path, videos: int, seconds: int, height: int, width: int, seed: int = 0) -> None:
    """A RefAVA folder of textured JPEG frames (``videos`` x ``seconds`` s at 30 fps), 2 people per second."""
    rng = np.random.default_rng(seed)
    base = cv2.resize(rng.integers(0, 256, (height // 8, width // 8, 3), dtype=np.uint8), (width, height))
    records = []
    for v in range(videos):
        video_id = f"bench{v:02d}"
        for index in range(1, seconds * 30 + 1):
            noise = rng.integers(0, 24, (height, width, 3), dtype=np.uint8)
            path = frame_path(root, video_id, index)
            path.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(path), cv2.add(np.roll(base, index, axis=1), noise))
        for second in range(902, 900 + seconds - 1):
            for person in range(2):
                box = (0.1 + 0.4 * person, 0.2, 0.4 + 0.4 * person, 0.9)
                records.append(RefAVARecord(make_key(video_id, second, person), box, (12,), (f"person {person}",)))
    write_split(root, "train", records)


def reference_clips_per_second(dataset: RefAVADataset, num_frames: int) -> float:
    """Raw cost: cv2.imread of each clip's frames and key frame, one process, no pipeline."""
    start = time.perf_counter()
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        source = info["frame_source"]
        seconds = np.append(window_seconds(info["timestamp"], num_frames), info["timestamp"])
        for index in frame_indices(source, seconds):
            cv2.imread(str(Path(source["path"]) / f"image_{index:06d}.jpg"))
    return len(dataset) / (time.perf_counter() - start)


def pipeline_clips_per_second(dataset: RefAVADataset, workers: int, epochs: int) -> float:
    """Clips/s of the whole pipeline through a DataLoader (first epoch excluded: worker start-up)."""
    loader = DataLoader(dataset, batch_size=16, shuffle=False, num_workers=workers, collate_fn=pseudo_collate,
                        persistent_workers=workers > 0)
    for _ in loader:
        pass
    start = time.perf_counter()
    for _ in range(epochs):
        for _ in loader:
            pass
    return epochs * len(dataset) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=112, help="clip frame size (square)")
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    # RefAVA-Synth renders 96x128 frames; use e.g. 180x320 for AVA-like downscaled frames.
    parser.add_argument("--source-height", type=int, default=96)
    parser.add_argument("--source-width", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_data(root, videos=4, seconds=12, height=args.source_height, width=args.source_width)
        pipeline = [dict(type="SampleClip", num_frames=args.frames), dict(type="DecodeFrames"),
                    dict(type="ResizeClip", size=(args.size, args.size)), dict(type="PackRAVARInputs")]
        dataset = RefAVADataset(root, "train", pipeline=pipeline)
        assert find_frame_source(root, "bench00") is not None
        reference = reference_clips_per_second(dataset, args.frames)
        measured = pipeline_clips_per_second(dataset, args.workers, args.epochs)
    print(f"{len(dataset)} clips of {args.frames} frames, {args.source_height}x{args.source_width} JPEG -> "
          f"{args.size}x{args.size}")
    print(f"reference (cv2.imread of the same JPEGs, 1 process): {reference:8.1f} clips/s")
    print(f"pipeline (DataLoader, {args.workers} workers):            {measured:8.1f} clips/s")
    print(f"ratio pipeline / reference: {measured / reference:.2f}   goal: >= 200 clips/s "
          f"({'met' if measured >= 200 else 'NOT met'})")


if __name__ == "__main__":
    main()
