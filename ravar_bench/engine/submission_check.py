"""Contract checks of a submission config (docs/INTERFACES.md), behind ``ravar-bench check``.

A submission passes when its config loads, carries ``meta`` (display_name, group), builds its model,
runs every forward mode on a 2-sample batch made by its own test pipeline from the data room's tiny
RefAVA fixture (one sample with detections, one without), and round-trips through ``Config.dump``.
A config whose model names local weights that are absent (e.g. submissions/paper/) is only checked
to fail its build with an error naming the missing path, with downloads switched off.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from ravar_bench.data.format import NUM_CLASSES
from ravar_bench.leaderboard.tables import MEMBERSHIP_TABLES
from ravar_bench.models.weights import weight_paths
from ravar_bench.registry import DATASETS, MODELS
from ravar_bench.structures import prediction_problem

BATCH_SIZE = 2
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one contract check."""

    name: str
    passed: bool
    detail: str = ""


class ContractError(AssertionError):
    """A submission breaks the contract; the message says what was expected."""


def write_contract_data(root: str | os.PathLike) -> Path:
    """The data room's tiny RefAVA (test split) with detections on the first sample only."""
    from ravar_bench.data.format import write_detections
    from ravar_bench.testing.refava import tiny_records, write_tiny_refava

    root = write_tiny_refava(root, splits=("test",), detections=False)
    first = tiny_records()[0].key
    write_detections(root, "test", {first: {"boxes": [[0.1, 0.1, 0.5, 0.9], [0.6, 0.0, 1.0, 0.4]],
                                            "names": ["person", "cup"], "scores": [0.9, 0.55]}},
                     {"type": "contract-fixture"})
    return root


def missing_weights(cfg: Config) -> list[str]:
    """Weight paths the model config names that do not exist here."""
    from ravar_bench.models.tokenizers import find_local_path

    return sorted({p for p in weight_paths(cfg.model.to_dict()) if find_local_path(p) is None})


@contextmanager
def offline() -> Iterator[None]:
    """Switch Hugging Face downloads off while building, restoring the environment after."""
    saved = {k: os.environ.get(k) for k in OFFLINE_ENV}
    os.environ.update(OFFLINE_ENV)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build_model(cfg: Config, seed: int = 0) -> torch.nn.Module:
    """The model, initialised under a fixed seed without touching the caller's global RNG state."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return MODELS.build(copy.deepcopy(cfg.model))


def contract_batch(cfg: Config, data_root: Path) -> dict:
    """Two samples through the submission's own test pipeline, collated like its dataloader."""
    dataset_cfg = copy.deepcopy(cfg.test_dataloader.dataset)
    dataset_cfg.update(data_root=str(data_root), split="test")
    dataset = DATASETS.build(dataset_cfg)
    counts = [len(dataset.get_data_info(i)["detections"]["names"]) for i in range(len(dataset))]
    if 0 not in counts or not any(counts):
        raise ContractError(f"{data_root}: the contract batch needs a sample with and one without detections")
    picked = [next(i for i, n in enumerate(counts) if n), counts.index(0)]
    return pseudo_collate([dataset[i] for i in picked])


def check_meta(cfg: Config) -> str:
    """``meta`` with non-empty ``display_name`` and ``group`` strings and the leaderboard ``tables`` it is a
    row of (a non-empty list of known table names)."""
    meta = cfg.get("meta")
    if not isinstance(meta, dict):
        raise ContractError("config has no `meta` dict (needs display_name, group and tables)")
    for key in ("display_name", "group"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise ContractError(f"meta.{key} must be a non-empty string, got {meta.get(key)!r}")
    tables = meta.get("tables")
    if not isinstance(tables, list | tuple) or not tables or any(t not in MEMBERSHIP_TABLES for t in tables):
        raise ContractError(f"meta.tables must be a non-empty list of {MEMBERSHIP_TABLES}, got {tables!r}")
    return f"{meta['display_name']} (group {meta['group']}, tables {', '.join(tables)})"


def _finite(t: torch.Tensor) -> bool:
    return bool(torch.isfinite(t).all())


def check_loss(model: torch.nn.Module, batch: dict) -> str:
    """``loss``: finite scalar losses whose sum backpropagates into every trainable parameter."""
    model.train()
    model.zero_grad(set_to_none=True)
    losses = model(**model.data_preprocessor(copy.deepcopy(batch), training=True), mode="loss")
    if not isinstance(losses, dict) or not losses:
        raise ContractError(f"mode='loss' must return a non-empty dict of losses, got {type(losses).__name__}")
    for name, value in losses.items():
        if not isinstance(value, torch.Tensor) or value.numel() != 1 or not _finite(value):
            raise ContractError(f"loss {name!r} must be a finite scalar tensor, got {value!r}")
    sum(losses.values()).backward()
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    dead = [n for n, p in trainable if p.grad is None]
    if dead:
        raise ContractError(f"{len(dead)} trainable parameters get no gradient, e.g. {dead[:3]}: unused weights "
                            "break distributed (DDP) training and count as trainable in parameter totals; "
                            "freeze them (frozen_modules, requires_grad_(False)) or do not build them")
    bad = [n for n, p in trainable if not _finite(p.grad)]
    if bad:
        raise ContractError(f"non-finite gradients in {bad[:3]}")
    return ", ".join(f"{k}={v.item():.3f}" for k, v in losses.items()) + f"; {len(trainable)} trainable tensors"


def check_predict(model: torch.nn.Module, batch: dict) -> str:
    """``predict``: each sample gets pred_scores [80] in [0, 1] and a finite pred_box [4]."""
    model.eval()
    with torch.no_grad():
        samples = model(**model.data_preprocessor(copy.deepcopy(batch)), mode="predict")
    if len(samples) != BATCH_SIZE:
        raise ContractError(f"mode='predict' returned {len(samples)} samples for a batch of {BATCH_SIZE}")
    for i, sample in enumerate(samples):
        for field in ("pred_scores", "pred_box"):
            if not isinstance(getattr(sample, field, None), torch.Tensor):
                raise ContractError(f"sample {i}: {field} must be a tensor, got {getattr(sample, field, None)!r}")
        problem = prediction_problem(sample.pred_scores, sample.pred_box)
        if problem:
            raise ContractError(f"sample {i}: {problem}")
    return f"{BATCH_SIZE} samples"


def check_tensor(model: torch.nn.Module, batch: dict) -> str:
    """``tensor``: ``(logits [B, 80], boxes [B, 4])``."""
    model.eval()
    with torch.no_grad():
        out = model(**model.data_preprocessor(copy.deepcopy(batch)), mode="tensor")
    expected = ((BATCH_SIZE, NUM_CLASSES), (BATCH_SIZE, 4))
    shapes = tuple(tuple(t.shape) for t in out) if isinstance(out, tuple | list) else None
    if shapes != expected:
        raise ContractError(f"mode='tensor' must return tensors of shapes {expected}, got {shapes or type(out)}")
    return f"logits {shapes[0]}, boxes {shapes[1]}"


def check_round_trip(cfg: Config) -> str:
    """``Config.dump`` then reload gives the same model dict."""
    with tempfile.TemporaryDirectory() as tmp:
        dumped = Path(tmp) / "config.py"
        cfg.dump(str(dumped))
        reloaded = Config.fromfile(str(dumped))
    if reloaded.model.to_dict() != cfg.model.to_dict():
        raise ContractError("the model dict differs after Config.dump and reload")
    return "model dict identical"


def check_needs_weights(cfg: Config, missing: list[str]) -> str:
    """Building without the local weights fails, naming a missing path, with downloads off."""
    try:
        with offline():
            build_model(cfg)
    except Exception as err:  # any build error is acceptable if it names the missing files
        if any(path in str(err) for path in missing):
            return f"fails as it should: {type(err).__name__} names {missing[0]}"
        raise ContractError(f"build failed without naming a missing weight path {missing}: {err}") from err
    raise ContractError(f"built although {missing} are absent: it must not download or silently skip weights")


def _attempt(name: str, fn: Callable[[], object], describe: Callable[[object], str] = str) -> tuple:
    """Run one check; ``(CheckResult, value)``, any exception turned into a failed result with its message."""
    try:
        value = fn()
    except Exception as err:  # a broken submission may raise anything; report it, don't crash the table
        return CheckResult(name, False, f"{type(err).__name__}: {err}"), None
    return CheckResult(name, True, describe(value)), value


def check_submission(path: str | os.PathLike, data_root: str | os.PathLike | None = None,
                     cfg_options: list[str] | None = None) -> list[CheckResult]:
    """Every contract check of one submission file, in order; checks needing a failed one are not run."""
    from ravar_bench.engine.submission import load_submission

    result, submission = _attempt("loads", lambda: load_submission(str(path), cfg_options), lambda s: str(s.path))
    if submission is None:
        return [result]
    cfg = submission.cfg
    results = [result, _attempt("meta", lambda: check_meta(cfg))[0]]
    missing = missing_weights(cfg)
    if missing:
        return [*results, _attempt("needs local weights", lambda: check_needs_weights(cfg, missing))[0]]
    results.append(_attempt("round-trip", lambda: check_round_trip(cfg))[0])
    result, model = _attempt("builds", lambda: build_model(cfg), lambda m: type(m).__name__)
    results.append(result)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(data_root) if data_root is not None else write_contract_data(tmp)
        result, batch = _attempt("batch", lambda: contract_batch(cfg, root),
                                 lambda b: f"{len(b['data_samples'])} samples through the test pipeline")
        results.append(result)
    if model is None or batch is None:
        return results
    for name, check in (("loss", check_loss), ("predict", check_predict), ("tensor", check_tensor)):
        results.append(_attempt(name, lambda check=check: check(model, batch))[0])
    return results


def failures(results: list[CheckResult]) -> str:
    """The failed checks, one per line ("" when all passed): for assertion messages."""
    return "\n".join(f"{r.name}: {r.detail}" for r in results if not r.passed)
