"""Trained weights: a cache keyed by the training identity, stored as plain state dicts."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import torch
from torch import nn

from ravar_bench.cache import cache_root
from ravar_bench.data.format import atomic_write_bytes


def cached_checkpoint_dir(training_hash: str) -> Path:
    """Cache folder of the weights of one training identity (the model config is part of it, so two
    submissions share weights only when they train the same model the same way)."""
    return cache_root() / "checkpoints" / training_hash


def store_weights(state_dict: dict, folder: Path, meta: dict) -> Path:
    """Write ``model.pth`` (tensors only) then ``meta.json``; the meta file marks the cache entry complete."""
    buffer = io.BytesIO()
    torch.save({key: value.detach().cpu() for key, value in state_dict.items()}, buffer)
    weights = folder / "model.pth"
    atomic_write_bytes(weights, buffer.getvalue())
    atomic_write_bytes(folder / "meta.json", json.dumps(meta, indent=2, sort_keys=True).encode())
    return weights


def find_cached_weights(folder: Path) -> Path | None:
    """The cached weights if the entry is complete, else None."""
    weights = folder / "model.pth"
    return weights if weights.is_file() and (folder / "meta.json").is_file() else None


def read_state_dict(path: str | os.PathLike) -> dict:
    """Model weights from a ``.safetensors`` file, a plain state dict or an MMEngine / MMAction2 / MMDetection
    checkpoint: the project's one checkpoint reader (MMEngine's loader, made weights-only with the
    project's allow-list in ravar_bench/_compat.py)."""
    from mmengine.runner.checkpoint import CheckpointLoader

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path))
    loaded = CheckpointLoader.load_checkpoint(str(path), map_location="cpu")
    state = loaded.get("state_dict", loaded) if isinstance(loaded, dict) else None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f"checkpoint {path} holds no state dict of tensors")
    return state


def load_weights(model: nn.Module, path: str | os.PathLike) -> None:
    """Load weights into ``model``; every parameter must match by name and shape."""
    missing, unexpected = model.load_state_dict(read_state_dict(path), strict=False)
    if missing or unexpected:
        raise ValueError(f"checkpoint {path} does not fit {type(model).__name__}: missing {missing[:5]}, "
                         f"unexpected {unexpected[:5]}")
