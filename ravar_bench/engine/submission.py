"""From a submission file and the command line to the configs that train and test it."""

from __future__ import annotations

import ast
import copy
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mmengine.config import Config

from ravar_bench.engine.cfg_options import cfg_options_dict
from ravar_bench.errors import UserError
from ravar_bench.paths import list_configs

LOADERS = ("train_dataloader", "val_dataloader", "test_dataloader")
# The config entries that decide the trained weights; their hash keys the checkpoint cache.
# Hooks are in: a hook may change the weights (a pretraining stage) or which epoch is kept (the
# checkpoint hook's save_best); one that does not (the logger) costs a cache miss when it changes, never a
# stale hit.
TRAINING_KEYS = ("model", "train_dataloader", "val_dataloader", "val_evaluator", "optim_wrapper",
                 "param_scheduler", "train_cfg", "randomness", "default_hooks", "custom_hooks")


@dataclass(frozen=True)
class Submission:
    """A loaded submission: its name (path under submissions/, no suffix), file and config."""

    name: str
    path: Path
    cfg: Config


def syntax_error_in(file: Path, seen: frozenset = frozenset()) -> SyntaxError | None:
    """The first syntax error in ``file`` or the ``_base_`` files it inherits, with its real file name."""
    try:
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    except SyntaxError as error:
        return error
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_base_" for t in node.targets):
            try:
                bases = ast.literal_eval(node.value)
            except ValueError:
                return None
            for base in [bases] if isinstance(bases, str) else bases:
                path = (file.parent / base).resolve()
                if path.suffix == ".py" and path.is_file() and path not in seen:
                    found = syntax_error_in(path, seen | {path})
                    if found is not None:
                        return found
    return None


def read_config(file: Path) -> Config:
    """MMEngine's ``Config.fromfile``; a syntax error in it or its bases is one line with file and line
    (MMEngine's own error names no file, or the inheriting one)."""
    try:
        return Config.fromfile(str(file))
    except SyntaxError as error:
        cause = syntax_error_in(file) or error
        raise UserError(f"{cause.filename}:{cause.lineno or '?'}: syntax error: {cause.msg}") from None


def load_submission(path: str, cfg_options: Sequence[str] = ()) -> Submission:
    """Read a submission config and apply ``KEY=VALUE`` options; an unknown path lists the known ones."""
    file = Path(path)
    if not file.is_file():
        raise UserError(f"unknown submission {path!r}; known: {', '.join(list_configs('submissions'))}")
    cfg = read_config(file)
    if cfg_options:
        cfg.merge_from_dict(cfg_options_dict(cfg, cfg_options, str(path)))
    cfg = with_input_size(cfg)
    if not isinstance(cfg.get("scale"), str) or not cfg.scale:
        raise UserError(f"{path}: key 'scale' is missing (expected a string, e.g. \"cpu\" or \"paper\")")
    if not isinstance(cfg.get("meta"), dict):
        raise UserError(f"{path}: key 'meta' is missing (expected a dict with display_name, group and tables)")
    parts = file.resolve().with_suffix("").parts
    name = "/".join(parts[parts.index("submissions") + 1:]) if "submissions" in parts else file.stem
    return Submission(name=name, path=file.resolve(), cfg=cfg)


# Top-level input settings and the pipeline step arguments they set in every loader.
INPUT_KEYS = {"num_frames": ("SampleClip", "num_frames"), "clip_size": ("ResizeClip", "size"),
              "keyframe_size": ("ResizeClip", "keyframe_size")}


def with_input_size(cfg: Config) -> Config:
    """``cfg`` with its top-level ``num_frames``, ``clip_size`` and ``keyframe_size`` written into every
    loader's pipeline, so that overriding them (in a config or with --cfg-options) reaches the data."""
    for key, (step_type, argument) in INPUT_KEYS.items():
        if key not in cfg:
            continue
        value = cfg[key]
        for loader in LOADERS:
            for step in cfg.get(loader, {}).get("dataset", {}).get("pipeline", []):
                if step.get("type") == step_type:
                    step[argument] = tuple(value) if isinstance(value, list) else value
    return cfg


def with_data_root(cfg: Config, data_root: Path) -> Config:
    """A copy of ``cfg`` whose three dataloaders read ``data_root``."""
    cfg = copy.deepcopy(cfg)
    cfg.data_root = str(data_root)
    for loader in LOADERS:
        if loader in cfg:
            cfg[loader].dataset.data_root = str(data_root)
    return cfg


def with_seed(cfg: Config, seed: int) -> Config:
    """A copy of ``cfg`` with the run seed in training, text controls, perturbations and bootstrap."""
    cfg = copy.deepcopy(cfg)
    cfg.randomness = dict(cfg.get("randomness", {}), seed=seed)
    cfg.test_evaluator = dict(cfg.test_evaluator, seed=seed)
    return cfg


def with_test_conditions(cfg: Config, split: str, perturbation: dict | None, text_control: str | None,
                         seed: int) -> Config:
    """A copy of ``cfg`` whose test loader reads ``split``, perturbed right after decoding, with a
    text control; the perturbation is applied to every visual input (see docs/PERTURBATIONS.md)."""
    cfg = copy.deepcopy(cfg)
    dataset = cfg.test_dataloader.dataset
    dataset.split = split
    dataset.text_control = text_control
    dataset.text_control_seed = seed
    if perturbation is not None:
        steps = [step["type"] for step in dataset.pipeline]
        if "DecodeFrames" not in steps:
            raise UserError("the submission's test pipeline has no DecodeFrames step to insert the perturbation after")
        dataset.pipeline.insert(steps.index("DecodeFrames") + 1, perturbation)
    return cfg


def training_identity(cfg: Config, manifests: dict[str, str], world_size: int = 1) -> dict:
    """What decides the trained weights: the training entries of the config, with data roots replaced
    by the data manifests' hashes (so the same data in another folder hits the same cache), and the
    number of training processes."""
    identity = {key: copy.deepcopy(cfg.get(key)) for key in TRAINING_KEYS}
    for loader in ("train_dataloader", "val_dataloader"):
        identity[loader]["dataset"].pop("data_root", None)
    identity["manifests"] = manifests
    if world_size != 1:  # keeps single-process hashes unchanged
        identity["world_size"] = world_size
    return identity
