"""Device check of the paper configs: each one's train step at full size with random weights, on a GPU.

For every ``submissions/paper/<name>.py``: the model is built at full size directly on the device with random
weights (every pretrained path dropped, the pretrained tokenizers replaced by the hashing tokenizer: nothing to
download), one batch shaped as the config's own pipeline packs it (its batch size, frame count, clip and key-frame
sizes; 100 detections) goes through ``train_step`` with the config's optimiser in its resolved precision
(``precision = "auto"``: bf16 through MMEngine's AmpOptimWrapper on a GPU), then through ``test_step``.
Printed per config: train and test clips/s (median over ``--steps`` after 2 warm-up steps), peak GPU memory,
and the estimated GPU-hours of the paper's schedule on RefAVA: ``epochs x 36,630 / train clips/s`` (an upper
bound: every instance is counted as a training clip in every epoch) plus one pass of 36,630 clips at the test
rate. A config that fails prints its error and the others still run. ``--out`` writes the rows as JSON.

    python bench/bench_paper_gpu.py [--configs refatomnet x3d ...] [--steps 3] [--out FILE]
    python bench/bench_paper_gpu.py --configs x3d --steps 1 --cfg-options num_frames=2 train_dataloader.batch_size=1
        (the second form runs on a CPU too, to check the script; its numbers are not GPU numbers)
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import statistics
import time
import traceback
from pathlib import Path

import torch
from bench_baselines import packed_batch  # bench/ is on sys.path when this script runs
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

import ravar_bench.models  # noqa: F401  (registers the models)
from ravar_bench.engine.device import compute_device, with_precision
from ravar_bench.engine.submission import known_submissions, load_submission
from ravar_bench.registry import MODELS

REFAVA_INSTANCES = 36_630  # paper, Sec. 4
HASHING_VOCAB = 30_000  # below every paper text vocabulary (BERT 30522, Q-Former 30523, LLaMA 32000, CLIP 49408)
WARMUP = 2


def paper_names() -> list[str]:
    """The paper configs, by name."""
    return [Path(p).stem for p in known_submissions() if p.startswith("submissions/paper/")]


def random_weights(node):
    """The model config with no pretrained files: weight paths None, pretrained tokenizers -> hashing tokenizer."""
    if isinstance(node, dict):
        if node.get("type") == "PretrainedTokenizer":
            return dict(type="HashingTokenizer", vocab_size=HASHING_VOCAB, max_length=node.get("max_length", 32))
        return {k: None if "pretrained" in k and isinstance(v, str) else random_weights(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return type(node)(random_weights(v) for v in node)
    return node


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work, so a timer measures it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(step, steps: int, device: torch.device) -> float:
    """Median seconds of ``step()`` over ``steps`` calls after the warm-up calls."""
    times = []
    for index in range(WARMUP + steps):
        synchronize(device)
        start = time.perf_counter()
        step()
        synchronize(device)
        if index >= WARMUP:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(name: str, cfg: Config, steps: int, device: torch.device) -> dict:
    """One config's train and test throughput, peak memory and schedule estimate."""
    cfg = with_precision(cfg, device)
    batch_size = cfg.train_dataloader.batch_size
    data = packed_batch(batch=batch_size, frames=cfg.num_frames, clip_size=tuple(cfg.clip_size),
                        keyframe_size=tuple(cfg.keyframe_size), detections=100)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    torch.manual_seed(0)
    started = time.perf_counter()
    with torch.device(device):
        model = MODELS.build(random_weights(cfg.model.to_dict()))
    model.to(device).train()
    build_seconds = time.perf_counter() - started
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    train_seconds = timed(lambda: model.train_step(data, optim_wrapper), steps, device)
    model.eval()
    with torch.no_grad():
        test_seconds = timed(lambda: model.test_step(data), steps, device)
    train_rate, test_rate = batch_size / train_seconds, batch_size / test_seconds
    epochs = cfg.train_cfg.max_epochs
    hours = (epochs * REFAVA_INSTANCES / train_rate + REFAVA_INSTANCES / test_rate) / 3600
    peak = torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None
    return {"config": name, "status": "ok", "device": str(device), "precision": cfg.precision,
            "batch_size": batch_size, "num_frames": cfg.num_frames, "clip_size": list(cfg.clip_size),
            "keyframe_size": list(cfg.keyframe_size), "build_seconds": round(build_seconds, 1),
            "train_clips_per_s": round(train_rate, 2), "test_clips_per_s": round(test_rate, 2),
            "peak_gpu_gib": None if peak is None else round(peak, 2), "epochs": epochs,
            "estimated_gpu_hours": round(hours, 1) if device.type == "cuda" else None}


def main() -> None:
    """Measure the chosen paper configs and print one row each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=paper_names(), metavar="NAME")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--cfg-options", nargs="+", action="extend", default=[], metavar="KEY=VALUE")
    parser.add_argument("--out", help="write the rows as JSON here")
    args = parser.parse_args()
    init_default_scope("ravar_bench")
    logging.getLogger("mmengine").setLevel(logging.ERROR)  # the optimiser constructor logs every parameter
    device = compute_device()
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else "none (CPU: not GPU numbers)"
    print(f"device {device}, GPU {gpu}, torch {torch.__version__}", flush=True)
    print(f"{'config':<14}{'prec':>6}{'batch':>6}{'train c/s':>11}{'test c/s':>10}{'peak GiB':>10}{'GPU-h':>8}")
    rows = []
    for name in args.configs:
        try:
            row = measure(name, load_submission(f"submissions/paper/{name}.py", args.cfg_options).cfg, args.steps,
                          device)
            print(f"{name:<14}{row['precision']:>6}{row['batch_size']:>6}{row['train_clips_per_s']:>11.2f}"
                  f"{row['test_clips_per_s']:>10.2f}{row['peak_gpu_gib'] or 0:>10.1f}"
                  f"{row['estimated_gpu_hours'] or 0:>8.1f}", flush=True)
        except Exception as error:  # report and go on: one failing config must not hide the others
            row = {"config": name, "status": "failed", "error": f"{type(error).__name__}: {error}"}
            print(f"{name:<14} FAILED {row['error'][:300]}", flush=True)
            traceback.print_exc(limit=3)
        rows.append(row)
        gc.collect()
        if device.type == "cuda":
            torch.cuda.empty_cache()
    if args.out:
        Path(args.out).write_text(json.dumps({"device": str(device), "gpu": gpu, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
