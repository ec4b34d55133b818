"""Time the generation of the default RefAVA-Synth set against its 120 s budget and a same-run reference.

The reference is the time to JPEG-encode (same parameters) and write as many blank frames as the set
has, in one process: the floor that any generator writing these files pays. Also prints the set's
size on disk. Usage: ``python bench/bench_synth.py [--size default] [--workers 2] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from ravar_bench.data.synth import generate
from ravar_bench.data.synth.plan import FRAME_HEIGHT, FRAME_WIDTH
from ravar_bench.data.synth.render import encode_jpeg

BUDGET_S = 120.0


def disk_usage(root: Path) -> tuple[int, int, int]:
    """(files, bytes of content, bytes allocated on disk) under ``root``."""
    files = content = allocated = 0
    for folder, _, names in os.walk(root):
        for name in names:
            stat = os.stat(os.path.join(folder, name))
            files, content, allocated = files + 1, content + stat.st_size, allocated + stat.st_blocks * 512
    return files, content, allocated


def reference_seconds(num_frames: int, folder: Path) -> float:
    """Seconds to encode and write ``num_frames`` blank frames with the generator's JPEG parameters."""
    blank = np.full((FRAME_HEIGHT, FRAME_WIDTH, 3), 128, np.uint8)
    folder.mkdir()
    start = time.perf_counter()
    for index in range(num_frames):
        (folder / f"image_{index:06d}.jpg").write_bytes(encode_jpeg(blank))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="default")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", help="generate here and keep the set (default: a temporary folder)")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-synth-"))
    out = Path(args.keep) if args.keep else scratch / "synth"
    try:
        start = time.perf_counter()
        generate(out, seed=0, size=args.size, progress=False, workers=args.workers)
        seconds = time.perf_counter() - start
        files, content, allocated = disk_usage(out)
        frames = sum(1 for _ in out.glob("frames/*/*.jpg"))
        reference = reference_seconds(frames, scratch / "blank")
        print(f"RefAVA-Synth size={args.size} workers={args.workers}: {seconds:.1f} s for {frames} frames "
              f"({files} files)")
        print(f"  budget ratio      : {seconds / BUDGET_S:.2f} x the {BUDGET_S:.0f} s budget (<= 1 is within)")
        print(f"  reference         : {reference:.1f} s to encode+write {frames} blank frames in 1 process; "
              f"generation / reference = {seconds / reference:.2f}")
        print(f"  disk              : {content / 2**20:.0f} MiB of content, {allocated / 2**20:.0f} MiB allocated")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
