"""Cost of ``data check``'s frame pass (decode every window frame, 2 processes) against a plain read of
the same files' bytes in one process, and against the rest of the check (pickles, keys, boxes).

Usage: ``python bench/bench_data_check.py [--root DIR] [--split val ...]``; the default root is the
cached default RefAVA-Synth set (generated on first use). The files are read once before timing, so
both passes read from the page cache.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ravar_bench.data.frame_check import CHECK_WORKERS, check_frames, needed_frames
from ravar_bench.data.problems import ProblemLog
from ravar_bench.data.refava import available_splits, validate_split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", help="RefAVA folder (default: the cached default RefAVA-Synth)")
    parser.add_argument("--split", action="append", help="split(s) (default: all)")
    args = parser.parse_args()
    if args.root is None:
        from ravar_bench.data.synth import default_root

        root = Path(default_root(progress=True))
    else:
        root = Path(args.root)
    splits = args.split or available_splits(root)
    started = time.perf_counter()
    samples = [s for split in splits for s in validate_split(root, split).samples]
    validate_seconds = time.perf_counter() - started
    paths = sorted(needed_frames(samples))
    size = sum(len(p.read_bytes()) for p in paths)  # warm the page cache for both timed passes
    started = time.perf_counter()
    for path in paths:
        path.read_bytes()
    read_seconds = time.perf_counter() - started
    log = ProblemLog("bench")
    started = time.perf_counter()
    decoded = check_frames(samples, log, workers=CHECK_WORKERS, progress=False)
    check_seconds = time.perf_counter() - started
    print(f"{root}: splits {', '.join(splits)}, {len(samples)} samples, {decoded} frames ({size / 2**20:.0f} MiB), "
          f"{len(log.problems)} problems")
    print(f"validate pickles, keys, boxes:        {validate_seconds:7.2f} s")
    print(f"plain read of the frames (1 process): {read_seconds:7.2f} s")
    print(f"frame pass ({CHECK_WORKERS} processes, decode):    {check_seconds:7.2f} s "
          f"({decoded / check_seconds:.0f} frames/s)")
    print(f"ratio frame pass / plain read: {check_seconds / read_seconds:.1f}x; "
          f"frame pass / validation: {check_seconds / validate_seconds:.1f}x")


if __name__ == "__main__":
    main()
