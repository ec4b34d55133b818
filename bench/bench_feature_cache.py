"""Training speed with the frozen-encoder feature cache (``feature_cache=True``) against without it, measured
in the same run on RefAVA-Synth 'tiny' at CPU scale.

RefAtomNet's CPU submission with its ViT and category-name BERT frozen (as the paper freezes ViT-g and BERT)
trains ``--epochs`` epochs twice, each in a fresh user cache: without the cache, then with it (epoch 1 computes
and stores the frozen features, later epochs read them), ``--repeats`` times interleaved. Train-loop seconds
per epoch (validation excluded) are timed by a hook; the ratio is epochs/s with the cache over epochs/s
without, both over epochs 2.. (epoch 1, which fills the cache, is compared with the plain epoch 1: the first
epoch of a process is slower either way), each the fastest epoch of its kind over the repeats.
``--heavy`` also measures a deeper frozen ViT at 112 px (8 layers), nearer the paper's share of frozen compute.

    python bench/bench_feature_cache.py [--epochs 4] [--repeats 2] [--heavy]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from mmengine.hooks import Hook
from mmengine.runner import Runner

from ravar_bench.data.synth import generate
from ravar_bench.engine.submission import load_submission, with_data_root
from ravar_bench.engine.training import runner_config
from ravar_bench.testing.runs import FROZEN_ENCODER_OPTIONS

LOADERS = [f"{loader}_dataloader.{key}" for loader in ("train", "val")
           for key in ("num_workers=0", "persistent_workers=False")]
HEAVY = ["model.vision.num_hidden_layers=8", "clip_size=(112,112,)", "model.vision.image_size=112"]


class EpochTimer(Hook):
    """Seconds of each epoch's train loop (validation runs after ``after_train_epoch``)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self._start = 0.0

    def before_train_epoch(self, runner) -> None:
        self._start = time.perf_counter()

    def after_train_epoch(self, runner) -> None:
        self.seconds.append(time.perf_counter() - self._start)


def epoch_seconds(data: Path, epochs: int, cache: bool, extra: list[str], folder: Path) -> tuple[list[float], float]:
    """Train-loop seconds per epoch and the last val mAP of one training in a fresh user cache."""
    os.environ["RAVAR_BENCH_CACHE"] = str(folder / f"cache-{cache}")
    options = [*FROZEN_ENCODER_OPTIONS, f"train_cfg.max_epochs={epochs}", f"feature_cache={cache}", *LOADERS, *extra]
    cfg = with_data_root(load_submission("submissions/refatomnet.py", options).cfg, data)
    runner = Runner.from_cfg(runner_config(cfg, folder / f"wd-{cache}", "none"))
    timer = EpochTimer()
    runner.register_hook(timer)
    runner.train()
    return timer.seconds, runner.message_hub.get_info("best_score")


def compare(data: Path, epochs: int, repeats: int, extra: list[str], label: str) -> None:
    """Both trainings of one setting, interleaved ``repeats`` times, and their ratio, printed. Each figure is
    the fastest epoch of its kind over the repeats (the least disturbed by other work on a shared machine)."""
    first, later, fill, read = [], [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="ravar_fc_") as tmp:
            seconds, plain_map = epoch_seconds(data, epochs, False, extra, Path(tmp))
            first.append(seconds[0])
            later += seconds[1:]
            seconds, cached_map = epoch_seconds(data, epochs, True, extra, Path(tmp))
            fill.append(seconds[0])
            read += seconds[1:]
    first, without, fill, read = min(first), min(later), min(fill), min(read)
    print(f"{label}: epochs 2..{epochs} without cache {1 / without:.3f} epochs/s ({without:.2f} s/epoch), with "
          f"cache {1 / read:.3f} epochs/s ({read:.2f} s/epoch); epoch 1 {first:.2f} s without, {fill:.2f} s with "
          "(it fills the cache)")
    print(f"{label}: speed-up epochs/s with / without cache {without / read:.2f}x; epoch 1 with / without "
          f"{fill / first:.2f}x; best val mAP {plain_map:.6f} vs {cached_map:.6f} "
          f"({'identical' if plain_map == cached_map else 'DIFFERENT'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4, help="epochs per training (at least 2)")
    parser.add_argument("--repeats", type=int, default=2, help="interleaved repeats of the two trainings")
    parser.add_argument("--heavy", action="store_true", help="also a deeper frozen ViT at 112 px")
    args = parser.parse_args()
    data = generate(Path(tempfile.gettempdir()) / "ravar_fc_synth_tiny", seed=0, size="tiny", progress=False)
    epochs, repeats = max(2, args.epochs), max(1, args.repeats)
    compare(data, epochs, repeats, [], "cpu config (2-layer ViT, 64 px)")
    if args.heavy:
        compare(data, epochs, repeats, HEAVY, "heavy frozen ViT (8 layers, 112 px)")


if __name__ == "__main__":
    main()
