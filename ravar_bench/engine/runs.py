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

from ravar_bench.cache import cache_root
from ravar_bench.data.format import detect_naming
from ravar_bench.data.manifest import FileHashes, split_identity
from ravar_bench.data.refava import split_files
from ravar_bench.data.splits import Split
from ravar_bench.engine import checkpoints, identity, provenance
from ravar_bench.engine.device import compute_device, dist_backend, with_precision
from ravar_bench.engine.hashing import file_sha256, stable_hash
from ravar_bench.engine.locking import once
from ravar_bench.engine.prediction import Tested, predict
from ravar_bench.engine.request import RunRequest
from ravar_bench.engine.results import condition_name, is_finished, run_dir, staging_dir, write_run
from ravar_bench.engine.submission import (
    LOADERS,
    Submission,
    load_submission,
    training_identity,
    with_data_root,
    with_seed,
    with_test_conditions,
)
from ravar_bench.engine.training import train
from ravar_bench.errors import UserError


@dataclass(frozen=True)
class Data:
    """The data set a run reads: folder, name for results paths, synth generator version if any."""

    root: Path
    name: str
    generator_version: str | None


def resolve_data(data_root: str | None) -> Data:
    """``--data-root`` if given (must exist), else the embedded RefAVA-Synth, generated on first use."""
    from ravar_bench.data.synth import default_root

    if data_root is not None:
        root = Path(data_root).expanduser().resolve()
        if not root.is_dir():
            raise UserError(f"--data-root {data_root}: no such folder (expected RefAVA in the authors' format, "
                           "see docs/DATA.md)")
    else:
        if is_main_process():
            default_root(progress=True)
        barrier()
        root = default_root(progress=False)
    synth = synth_manifest(root)
    return Data(root, dataset_name(synth, root), None if synth is None else synth["generator_version"])


def synth_manifest(root: Path) -> dict | None:
    """The RefAVA-Synth manifest of the data set in ``root``; None for real RefAVA (no manifest)."""
    from ravar_bench.data.synth import MANIFEST_NAME

    manifest = root / MANIFEST_NAME
    return json.loads(manifest.read_text()) if manifest.is_file() else None


def dataset_name(synth_manifest: dict | None, root: Path) -> str:
    """The results-path name of a data set: without a RefAVA-Synth manifest ``refava`` or ``refava++`` by the
    pickle names in ``root``; else ``refava-synth`` for the default set (size "default", seed 0) and a
    suffixed name for any other, so that leaderboards never put two data sets in the same table."""
    if synth_manifest is None:
        try:
            return detect_naming(root)
        except ValueError as error:
            raise UserError(str(error)) from None
    size, seed = synth_manifest["size"], synth_manifest["seed"]
    return "refava-synth" + ("" if size == "default" else f"-{size}") + ("" if seed == 0 else f"-seed{seed}")


def data_identity(root: Path, splits: list[str]) -> dict[str, dict[str, str]]:
    """Each split's location-free identity (annotations and frames, ``data.manifest.split_identity``).
    The main process hashes first (filling the hash cache); the other ranks then read the cache."""
    for split in splits:
        files = split_files(root, Split.named(split).file_split).values()
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise UserError(f"split {split!r} is incomplete in {root}: missing {', '.join(missing)}")

    def compute() -> dict[str, dict[str, str]]:
        hashes = FileHashes(root)
        found = {split: split_identity(root, split, hashes) for split in splits}  # bad data: RefAVAFormatError
        hashes.save()
        return found

    found = compute() if is_main_process() else None
    barrier()
    return found if found is not None else compute()


def without_data_roots(cfg: Config) -> dict:
    """The config as a dict with every data root and ``feature_cache`` removed: a run id must not depend on
    where the data is, nor on whether frozen features were read from the cache (the numbers are the same)."""
    config = cfg.to_dict()
    config.pop("data_root", None)
    config.pop("feature_cache", None)
    for loader in LOADERS:
        if loader in config:
            config[loader]["dataset"].pop("data_root", None)
    return config


@dataclass(frozen=True)
class Prepared:
    """A submission with its data and seed applied, and the identity of the weights it trains."""

    submission: Submission
    data: Data
    cfg: Config
    training_hash: str
    seed: int
    code: dict
    training_parts: dict

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


def prepare(request: RunRequest) -> Prepared:
    """Load the submission, start distributed mode if asked, resolve the data, hash the training identity."""
    if request.launcher == "pytorch":
        start_distributed()
    submission = load_submission(request.submission, request.cfg_options)
    data = resolve_data(request.data_root)
    cfg = with_precision(with_seed(with_data_root(submission.cfg, data.root), request.seed), compute_device())
    manifests = data_identity(data.root, ["train", "val"])
    _, world_size = get_dist_info()  # the per-process batch is the config's: weights depend on the world size
    code = identity.code_identity(submission.path, submission.cfg)
    trained_from = dict(training_identity(cfg, manifests, world_size), code=code)
    return Prepared(submission, data, cfg, stable_hash(trained_from), request.seed, code,
                    identity.identity_parts(trained_from))


def ensure_weights(prepared: Prepared, request: RunRequest, allow_training: bool) -> Path:
    """``--checkpoint``, else the cached weights for this training identity, else train now."""
    if request.checkpoint:
        return Path(request.checkpoint)

    def find() -> Path | None:
        return checkpoints.find_cached_weights(prepared.cache_dir)

    cached = find()
    if cached is not None:
        return cached
    if not allow_training:
        raise UserError(f"no trained weights for {prepared.submission.name} (training hash {prepared.training_hash}); "
                       "run `ravar-bench train` first, or pass --checkpoint")

    def work() -> Path:
        if is_main_process():
            print(why_training(prepared))
        work_dir = Path(request.work_dir or "work_dirs") / prepared.training_hash
        meta = {"submission": prepared.submission.name, "training_hash": prepared.training_hash,
                "data": prepared.data.name, "seed": prepared.seed, "identity_parts": prepared.training_parts}
        return train(prepared.cfg, work_dir, request.launcher, prepared.cache_dir, meta)

    lock = prepared.cache_dir.with_name(f"{prepared.training_hash}.lock")
    return once(lock, f"training {prepared.submission.name} ({prepared.training_hash})", find, work)


def why_training(prepared: Prepared) -> str:
    """One line saying why training starts: what changed since the newest cached checkpoint of the
    same submission on the same data set, or that there is none."""
    name = prepared.submission.name
    files = sorted((cache_root() / "checkpoints").glob("*/meta.json"), key=lambda path: path.stat().st_mtime)
    metas = [json.loads(path.read_text()) for path in files]
    older = [meta for meta in metas if meta.get("submission") == name and meta.get("data") == prepared.data.name]
    if not older:
        return f"no cached checkpoint of {name} on {prepared.data.name}: training"
    newest = older[-1]
    changed = identity.changed_parts(newest.get("identity_parts"), prepared.training_parts)
    return f"{changed} changed since the cached checkpoint {newest.get('training_hash')} of {name}: retraining"


def why_running(final: Path, parts: dict[str, str]) -> str | None:
    """One line saying what changed since the newest finished run of the same cell, if there is one."""
    others = [path for path in final.parent.glob("*/results.json") if path.parent != final]
    if not others:
        return None
    records = [json.loads(path.read_text()) for path in others]
    newest = max(records, key=lambda r: str(r.get("provenance", {}).get("created_utc", "")))
    changed = identity.changed_parts(newest.get("provenance", {}).get("identity_parts"), parts)
    return f"{changed} changed since the finished run {newest.get('run_id')} of this cell: running again ({final.name})"


def test(prepared: Prepared, weights: Path, request: RunRequest) -> Path:
    """Test under the requested split, perturbation and text control; write (or reuse) the run directory."""
    from ravar_bench.perturbations.spec import parse_perturb

    perturbation = parse_perturb(request.perturb, seed=prepared.seed) if request.perturb else None
    cfg = with_test_conditions(prepared.cfg, request.split, perturbation, request.text_control, prepared.seed)
    checkpoint_sha = file_sha256(weights)
    data = data_identity(prepared.data.root, [request.split])[request.split]
    tested_from = {"config": without_data_roots(cfg), "data": data, "code": prepared.code,
                   "checkpoint": checkpoint_sha}
    parts = identity.identity_parts(tested_from)
    run_id = stable_hash(tested_from, length=12)
    final = run_dir(Path(request.results_dir), prepared.submission.name, prepared.data.name, request.split,
                    condition_name(perturbation, request.text_control), run_id)
    if is_finished(final):
        if is_main_process():
            Console().print(f"[dim]identical run already finished: {final}[/]")
        return final

    def work() -> Path:
        if is_main_process() and (why := why_running(final, parts)):
            print(why)
        record = {"checkpoint_sha": checkpoint_sha, "data": data, "identity_parts": parts}
        return run_test(prepared, cfg, weights, final, perturbation, request, record)

    return once(final.parent / f".{run_id}.lock", f"run {final}", lambda: final if is_finished(final) else None,
                work)


def run_test(prepared: Prepared, cfg: Config, weights: Path, final: Path, perturbation: dict | None,
             request: RunRequest, record: dict) -> Path:
    """Predict, score and write the run directory ``final`` (its identity parts in ``record``)."""
    run_id = final.name
    started = time.perf_counter()
    tested = predict(cfg, weights, staging_dir(final), f"test {request.split}")
    rows, metainfo = tested.rows, tested.metainfo
    seconds = time.perf_counter() - started
    if is_main_process():
        results = {
            "run_id": run_id, "submission": prepared.submission.name, "scale": cfg.scale,
            "submission_meta": cfg.get("meta", {}),
            "dataset": {"name": prepared.data.name, "split": request.split, "num_samples": len(rows),
                        "manifest_sha256": metainfo.get("manifest_sha256"), "box_units": metainfo.get("box_units"),
                        "detections": metainfo.get("detections"), "identity": record["data"],
                        "generator_version": prepared.data.generator_version},
            "perturbation": perturbation, "text_control": request.text_control, "metrics": tested.report,
            "provenance": provenance_record(prepared, cfg, weights, record, seconds, tested),
        }
        portable = with_data_root(cfg, Path(provenance.portable_path(prepared.data.root)))
        write_run(final, results, rows, portable.pretty_text)
    barrier()
    return final


def provenance_record(prepared: Prepared, cfg: Config, weights: Path, record: dict, test_seconds: float,
                      tested: Tested) -> dict:
    """Where a result came from: code, packages, the device the test ran on, config, weights, data, seeds,
    timings; paths only in portable form (``provenance.portable_path``)."""
    meta_file = weights.parent / "meta.json"
    train_meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
    _, world_size = get_dist_info()
    return {
        "code": provenance.git_state(), "packages": provenance.package_versions(),
        "device": dict(provenance.device_info(tested.device), world_size=world_size,
                       precision=cfg.get("precision", "fp32")),
        "code_identity": prepared.code, "identity_parts": record["identity_parts"],
        "config_sha256": stable_hash(without_data_roots(cfg), length=64), "training_hash": prepared.training_hash,
        "checkpoint": {"path": provenance.portable_path(weights), "sha256": record["checkpoint_sha"],
                       "train_meta": train_meta},
        "data_root": provenance.portable_path(prepared.data.root),
        "seeds": {"run": prepared.seed, "train": cfg.randomness.seed, "bootstrap": cfg.test_evaluator.get("seed"),
                  "perturbation": prepared.seed, "text_control": prepared.seed},
        "timings": {"train_seconds": train_meta.get("train_seconds"), "test_seconds": round(test_seconds, 2),
                    "test_clips_per_second": round(len(tested.rows) / max(test_seconds, 1e-9), 1)},
        "command": provenance.portable_command(sys.argv),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }
