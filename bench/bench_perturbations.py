"""Throughput of our perturbations vs the ImageNet-C / imgaug references on an 8-frame 224x224 clip.

Ours runs once on the whole clip; the reference runs frame by frame on the same frames (imgcorruptlike's
fog, Gaussian and shot noise; imgaug's ``iaa.Rain`` for rain). Warm-up excluded, median of repeats.
Run: ``OMP_NUM_THREADS=1 python bench/bench_perturbations.py``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import imgaug.augmenters as iaa
import numpy as np
from imgaug.augmenters import imgcorruptlike

from ravar_bench.perturbations import fog, gaussian_noise, rain, shot_noise


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn`` in milliseconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--severity", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    clip = rng.integers(0, 256, (8, 224, 224, 3), dtype=np.uint8)
    severity = args.severity
    rain_reference = iaa.Rain(seed=0)
    cases = {
        "fog": (fog, lambda frame: imgcorruptlike.apply_fog(frame, severity, seed=0)),
        "rain": (rain, lambda frame: rain_reference(image=frame)),
        "shot_noise": (shot_noise, lambda frame: imgcorruptlike.apply_shot_noise(frame, severity, seed=0)),
        "gaussian_noise": (gaussian_noise, lambda frame: imgcorruptlike.apply_gaussian_noise(frame, severity, seed=0)),
    }
    print(f"clip 8x224x224, severity {severity}, median of {args.repeats}; ms per frame")
    print(f"{'perturbation':<16}{'ours':>8}{'reference':>11}{'speed-up':>10}")
    for name, (ours, reference) in cases.items():
        mine = median_ms(lambda ours=ours: ours(clip, severity, rng), args.repeats) / len(clip)
        theirs = median_ms(lambda reference=reference: [reference(frame) for frame in clip], args.repeats) / len(clip)
        print(f"{name:<16}{mine:>8.2f}{theirs:>11.2f}{theirs / mine:>9.1f}x")


if __name__ == "__main__":
    main()
