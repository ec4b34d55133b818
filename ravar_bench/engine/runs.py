"""The run path behind ``ravar-bench run``, ``train`` and ``test``: resolve the data and the weights,
train when nothing is cached, test under the requested conditions, write one results directory."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import torch
from mmengine.config import Config
from mmengine.dist import barrier, get_dist_info, init_dist, is_distributed, is_main_process
from rich.console import Console
from rich.table import Table

from ravar_bench.cli._common import CLIError
from ravar_bench.data.format import detect_naming, detections_name
from ravar_bench.data.refava import manifest_sha256, split_files
from ravar_bench.engine import checkpoints, provenance
from ravar_bench.engine.device import compute_device, dist_backend, with_precision
from ravar_bench.engine.hashing import file_sha256, stable_hash
from ravar_bench.engine.prediction import predict
from ravar_bench.engine.progress import TestProgress
from ravar_bench.engine.results import is_finished, read_results, run_dir, score_rows, staging_dir, write_run
from ravar_bench.engine.submission import (
    Submission,
    load_submission,
    training_identity,
    with_data_root,
    with_seed,
    with_test_conditions,
)
from ravar_bench.engine.training import train
from ravar_bench.metrics.report import HEADLINE


@dataclass(frozen=True)
class Data:
    """The data set a run reads: folder, name for results paths, synth generator version if any."""

    root: Path
    name: str
    generator_version: str | None


def resolve_data(data_root: str | None) -> Data:
    """``--data-root`` if given (must exist), else the embedded RefAVA-Synth, generated on first use."""
    from ravar_bench.data.synth import MANIFEST_NAME, default_root

    if data_root is not None:
        root = Path(data_root).expanduser().resolve()
        if not root.is_dir():
            raise CLIError(f"--data-root {data_root}: no such folder (expected RefAVA in the authors' format, "
                           "see docs/DATA.md)")
    else:
        if is_main_process():
            default_root(progress=True)
        barrier()
        root = default_root(progress=False)
    manifest = root / MANIFEST_NAME
    synth = json.loads(manifest.read_text()) if manifest.is_file() else None
    return Data(root, dataset_name(synth, root), None if synth is None else synth["generator_version"])


def dataset_name(synth_manifest: dict | None, root: Path) -> str:
    """The results-path name of a data set: without a RefAVA-Synth manifest ``refava`` or ``refava++`` by the
    pickle names in ``root``; else ``refava-synth`` for the default set (size "default", seed 0) and a
    suffixed name for any other, so that leaderboards never put two data sets in the same table."""
    if synth_manifest is None:
        try:
            return detect_naming(root)
        except ValueError as error:
            raise CLIError(str(error)) from None
    size, seed = synth_manifest["size"], synth_manifest["seed"]
    return "refava-synth" + ("" if size == "default" else f"-{size}") + ("" if seed == 0 else f"-seed{seed}")


def split_manifest(root: Path, split: str) -> str:
    """SHA-256 over a split's three pickles and its detections file (the dataset's manifest hash)."""
    files = list(split_files(root, split).values())
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise CLIError(f"split {split!r} is incomplete in {root}: missing {', '.join(missing)}")
    detections = root / detections_name(split)
    return manifest_sha256(files + ([detections] if detections.is_file() else []))


@dataclass(frozen=True)
class Prepared:
    """A submission with its data and seed applied, and the identity of the weights it trains."""

    submission: Submission
    data: Data
    cfg: Config
    training_hash: str
    seed: int

    @property
    def cache_dir(self) -> Path:
        return checkpoints.cached_checkpoint_dir(self.training_hash)


def start_distributed() -> None:
    """Join the process group torchrun set up. MMEngine's ``init_dist`` assumes a GPU per process
    (it calls ``torch.cuda.set_device``), so on CPU-only machines we start gloo with torch directly;
    the Runner then finds the group initialised and uses it."""
    if is_distributed():
        return
    backend = dist_backend(compute_device())
    if backend == "nccl":
        init_dist("pytorch", backend=backend)
    else:
        torch.distributed.init_process_group(backend=backend)


def prepare(args) -> Prepared:
    """Load the submission, start distributed mode if asked, resolve the data, hash the training identity."""
    if args.launcher == "pytorch":
        start_distributed()
    submission = load_submission(args.submission, args.cfg_options)
    data = resolve_data(args.data_root)
    cfg = with_precision(with_seed(with_data_root(submission.cfg, data.root), args.seed), compute_device())
    manifests = {split: split_manifest(data.root, split) for split in ("train", "val")}
    _, world_size = get_dist_info()  # the per-process batch is the config's: weights depend on the world size
    training_hash = stable_hash(training_identity(cfg, manifests, world_size))
    return Prepared(submission, data, cfg, training_hash, args.seed)


def ensure_weights(prepared: Prepared, args, allow_training: bool) -> Path:
    """``--checkpoint``, else the cached weights for this training identity, else train now."""
    if getattr(args, "checkpoint", None):
        return Path(args.checkpoint)
    cached = checkpoints.find_cached_weights(prepared.cache_dir)
    if cached is not None:
        return cached
    if not allow_training:
        raise CLIError(f"no trained weights for {prepared.submission.name} (training hash {prepared.training_hash}); "
                       "run `ravar-bench train` first, or pass --checkpoint")
    work_dir = Path(args.work_dir or "work_dirs") / prepared.training_hash
    meta = {"submission": prepared.submission.name, "training_hash": prepared.training_hash,
            "data": prepared.data.name, "seed": prepared.seed}
    return train(prepared.cfg, work_dir, args.launcher, prepared.cache_dir, meta)


def condition_name(perturbation: dict | None, text_control: str | None) -> str:
    """Folder name of the test condition: ``clean`` or ``fog-s3``, with ``-text-shuffled`` etc."""
    name = "clean" if perturbation is None else f"{perturbation['name']}-s{perturbation['severity']}"
    return f"{name}-text-{text_control}" if text_control else name


def test(prepared: Prepared, weights: Path, args) -> Path:
    """Test under the requested split, perturbation and text control; write (or reuse) the run directory."""
    from ravar_bench.perturbations.spec import parse_perturb

    perturbation = parse_perturb(args.perturb, seed=prepared.seed) if args.perturb else None
    cfg = with_test_conditions(prepared.cfg, args.split, perturbation, args.text_control, prepared.seed)
    checkpoint_sha = file_sha256(weights)
    run_id = stable_hash({"config": cfg.to_dict(), "checkpoint": checkpoint_sha}, length=12)
    final = run_dir(Path(args.results_dir), prepared.submission.name, prepared.data.name, args.split,
                    condition_name(perturbation, args.text_control), run_id)
    if is_finished(final):
        if is_main_process():
            Console().print(f"[dim]identical run already finished: {final}[/]")
        return final
    started = time.perf_counter()
    progress = TestProgress(f"test {args.split}")
    rows, metainfo = predict(cfg, weights, staging_dir(final), progress)
    progress.stop()
    seconds = time.perf_counter() - started
    if is_main_process():
        metrics = score_rows(rows, cfg.test_evaluator)
        results = {
            "run_id": run_id, "submission": prepared.submission.name, "scale": cfg.get("scale", "cpu"),
            "submission_meta": cfg.get("meta", {}),
            "dataset": {"name": prepared.data.name, "split": args.split, "num_samples": len(rows),
                        "manifest_sha256": metainfo.get("manifest_sha256"), "box_units": metainfo.get("box_units"),
                        "detections": metainfo.get("detections"),
                        "generator_version": prepared.data.generator_version},
            "perturbation": perturbation, "text_control": args.text_control, "metrics": metrics,
            "provenance": provenance_record(prepared, cfg, weights, checkpoint_sha, seconds, len(rows)),
        }
        write_run(final, results, rows, cfg.pretty_text)
    barrier()
    return final


def provenance_record(prepared: Prepared, cfg: Config, weights: Path, checkpoint_sha: str, test_seconds: float,
                      num_samples: int) -> dict:
    """Where a result came from: code, packages, device, config, weights, data, seeds, timings."""
    meta_file = weights.parent / "meta.json"
    train_meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
    _, world_size = get_dist_info()
    return {
        "code": provenance.git_state(), "packages": provenance.package_versions(),
        "device": dict(provenance.device_info(compute_device()), world_size=world_size,
                       precision=cfg.get("precision", "fp32")),
        "config_sha256": stable_hash(cfg.to_dict(), length=64), "training_hash": prepared.training_hash,
        "checkpoint": {"path": str(weights), "sha256": checkpoint_sha, "train_meta": train_meta},
        "data_root": str(prepared.data.root),
        "seeds": {"run": prepared.seed, "train": cfg.randomness.seed, "bootstrap": cfg.test_evaluator.get("seed"),
                  "perturbation": prepared.seed, "text_control": prepared.seed},
        "timings": {"train_seconds": train_meta.get("train_seconds"), "test_seconds": round(test_seconds, 2),
                    "test_clips_per_second": round(num_samples / max(test_seconds, 1e-9), 1)},
        "command": sys.argv, "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def print_results(final: Path) -> None:
    """A rich table of the headline metrics with their 95% CIs."""
    results = read_results(final / "results.json")
    metrics = results["metrics"]["metrics"]
    dataset = results["dataset"]
    condition = condition_name(results["perturbation"], results["text_control"])
    title = (f"{results['submission']} on {dataset['name']} {dataset['split']}, {condition} "
             f"({results['metrics']['convention']}, N={dataset['num_samples']})")
    table = Table(title=title)
    for column in ("metric", "value %", "95% CI"):
        table.add_column(column, justify="right" if column != "metric" else "left")
    for name in HEADLINE:
        estimate = metrics[name]
        value = "n/a" if estimate["value"] is None else f"{100 * estimate['value']:.2f}"
        ci = ("" if estimate.get("ci_low") is None
              else f"{100 * estimate['ci_low']:.2f} - {100 * estimate['ci_high']:.2f}")
        table.add_row(name, value, ci)
    console = Console()
    console.print(table)
    console.print(f"results: {final}")


def run_command(args, *, do_train: bool, do_test: bool) -> int:
    """``run`` (train if needed, then test), ``train`` (only train) or ``test`` (only test)."""
    prepared = prepare(args)
    weights = ensure_weights(prepared, args, allow_training=do_train)
    if not do_test:
        if is_main_process():
            print(f"weights: {weights}")  # plain print: one unwrapped line for scripts
        return 0
    final = test(prepared, weights, args)
    if is_main_process():
        print_results(final)
    return 0
