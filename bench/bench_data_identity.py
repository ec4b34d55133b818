"""Cost of the data identity (annotations + frame manifest, docs/RESULTS.md) on the default RefAVA-Synth.

Reference, measured in the same run: reading every frame file once (bytes only, no decoding), done
twice so that both it and the identity read from a warm page cache (the first pass is printed too).
Then the identity of train, val and test with an empty hash cache (every frame hashed) and again with
the cache filled (stat only). Usage: ``python bench/bench_data_identity.py [--data-root DIR]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from ravar_bench.data.manifest import FileHashes, split_identity

SPLITS = ("train", "val", "test")


def read_all(root: Path) -> tuple[int, int]:
    """(files, bytes) of every frame file under ``root/frames``, each read once."""
    files = size = 0
    for folder in sorted((root / "frames").iterdir()):
        for entry in os.scandir(folder):
            with open(entry.path, "rb") as handle:
                size += len(handle.read())
            files += 1
    return files, size


def identity_seconds(root: Path) -> float:
    """Seconds to compute the identity of every split with one shared hash cache, saved at the end."""
    start = time.perf_counter()
    hashes = FileHashes(root)
    for split in SPLITS:
        split_identity(root, split, hashes)
    hashes.save()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", help="a RefAVA folder (default: the cached default RefAVA-Synth)")
    args = parser.parse_args()
    if args.data_root:
        root = Path(args.data_root)
    else:
        from ravar_bench.data.synth import default_root

        root = default_root(progress=True)
    timings = {}
    for label in ("read cold-ish", "read"):
        start = time.perf_counter()
        files, size = read_all(root)
        timings[label] = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as cache:
        os.environ["RAVAR_BENCH_CACHE"] = cache  # an empty hash cache, thrown away afterwards
        timings["identity, empty hash cache"] = identity_seconds(root)
        timings["identity, hash cache filled"] = identity_seconds(root)
    print(f"{root}: {files} frame files, {size / 2**20:.0f} MiB")
    for label, seconds in timings.items():
        print(f"{label:32s} {seconds:7.2f} s   ratio to one read of every frame: {seconds / timings['read']:.2f}")


if __name__ == "__main__":
    main()
