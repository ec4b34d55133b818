"""The frozen-encoder feature cache: a frozen module's outputs, computed once per input item, kept on disk.

A frozen module (one of the model's ``frozen_modules``, all of its parameters without gradients, in eval
mode) is a fixed function of its input, so its output for one clip is the same every epoch. The cache
replaces the module's ``forward`` (its state-dict keys stay as they were) by a lookup per batch item:

- the key of an item is a BLAKE2b hash of the caller's ``salt`` (the code and model config, given by the
  engine), the module's weights hash (its state dict's names, dtypes, shapes and bytes), the module's
  path in the model, the device type and autocast state, and the item's exact input tensors (dtype,
  shape, bytes) and non-tensor arguments. The input bytes identify the clip, its frames, the pipeline
  and the perturbation that produced them; a change to any of these misses, never hits stale;
- a call is cached only when it is a pure function of its inputs: the module is in eval mode, no input
  needs a gradient, every tensor argument and output has the batch size as its first dimension, every
  other argument is a plain value (None, bool, number, string, tuples or lists of them).
  Any other call runs the module as usual (``bypassed``), so the numbers never differ from no cache;
- the weights hash is recomputed whenever a parameter or buffer changes (in-place ``_version`` counter,
  storage pointer or dtype), e.g. when a checkpoint is loaded after the model was built;
- entries are written atomically (temporary file + ``os.replace``), one file per item.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ravar_bench.errors import UserError


def _update_tensor(digest, tensor: torch.Tensor) -> None:
    """Feed one tensor's dtype, shape and bytes into ``digest``."""
    data = tensor.detach().to("cpu").contiguous().reshape(-1)
    digest.update(f"{data.dtype}{tuple(tensor.shape)}".encode())
    digest.update(data.view(torch.uint8).numpy().tobytes())


def state_hash(module: nn.Module) -> str:
    """SHA-256 over a module's state dict (names, dtypes, shapes, bytes): the identity of its weights."""
    digest = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        digest.update(name.encode())
        _update_tensor(digest, tensor)
    return digest.hexdigest()


def _fingerprint(module: nn.Module) -> tuple:
    """Cheap change detector of a module's tensors: storage pointer, in-place version and dtype of each."""
    tensors = [*module.parameters(), *module.buffers()]
    return tuple((t.data_ptr(), t._version, t.dtype) for t in tensors)


def _is_plain(value) -> bool:
    """Whether a non-tensor argument is a plain value whose ``repr`` identifies it exactly."""
    if isinstance(value, (tuple, list)):
        return all(map(_is_plain, value))
    return value is None or isinstance(value, (bool, int, float, str))


def _split(tree, n: int) -> list | None:
    """A batch output (tensor, mapping, tuple/list of them, None) as ``n`` per-item trees; None if any
    tensor in it does not have ``n`` rows."""
    if isinstance(tree, torch.Tensor):
        return [row.detach().to("cpu").clone() for row in tree] if tree.dim() and len(tree) == n else None
    if tree is None:
        return [None] * n
    if isinstance(tree, Mapping):
        parts = {k: _split(v, n) for k, v in tree.items()}
        if any(p is None for p in parts.values()):
            return None
        kind = f"{type(tree).__module__}:{type(tree).__qualname__}"
        return [{"__type__": kind, **{k: p[i] for k, p in parts.items()}} for i in range(n)]
    if isinstance(tree, (tuple, list)):
        parts = [_split(v, n) for v in tree]
        if any(p is None for p in parts):
            return None
        return [type(tree)(p[i] for p in parts) for i in range(n)]
    return None


def _stack(items: list, device: torch.device):
    """The inverse of :func:`_split`: per-item trees -> one batch tree on ``device``."""
    first = items[0]
    if isinstance(first, torch.Tensor):
        return torch.stack(items).to(device)
    if first is None:
        return None
    if isinstance(first, dict):
        module, _, qualname = first["__type__"].partition(":")
        kind = functools.reduce(getattr, qualname.split("."), importlib.import_module(module))
        return kind(**{k: _stack([it[k] for it in items], device) for k in first if k != "__type__"})
    return type(first)(_stack([it[i] for it in items], device) for i in range(len(first)))


def _atomic_save(obj, path: Path) -> None:
    """``torch.save`` to ``path`` through a temporary file in the same folder and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(obj, handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class CacheStats:
    """Counts of one cached module: items read from disk, items computed and stored, calls run uncached."""

    hits: int = 0
    misses: int = 0
    bypassed: int = 0


class FeatureCache:
    """The cached ``forward`` of one frozen module (see the module docstring)."""

    def __init__(self, module: nn.Module, name: str, folder: Path, salt: str) -> None:
        self.module, self.name, self.folder, self.salt = module, name, Path(folder), salt
        self.compute = module.forward  # the original bound forward
        self.stats = CacheStats()
        self._weights: tuple[tuple, str] | None = None
        module.forward = self.forward

    def weights_hash(self) -> str:
        """The module's state hash, recomputed only when one of its tensors changed."""
        current = _fingerprint(self.module)
        if self._weights is None or self._weights[0] != current:
            self._weights = (current, state_hash(self.module))
        return self._weights[1]

    def _inputs(self, args: tuple, kwargs: dict) -> tuple[list[tuple[str, torch.Tensor]], list, int] | None:
        """The tensor arguments (named), the other arguments and the batch size; None if not cacheable."""
        named = [(str(i), a) for i, a in enumerate(args)] + sorted(kwargs.items())
        tensors = [(k, v) for k, v in named if isinstance(v, torch.Tensor)]
        plain = [(k, v) for k, v in named if not isinstance(v, torch.Tensor)]
        if not all(_is_plain(v) for _, v in plain):  # e.g. a list of tensors: its repr would not key it
            return None
        others = [(k, repr(v)) for k, v in plain]
        sizes = {len(v) if v.dim() else -1 for _, v in tensors}
        if len(sizes) != 1 or -1 in sizes or 0 in sizes:
            return None
        if torch.is_grad_enabled() and any(v.requires_grad for _, v in tensors):
            return None
        return tensors, others, sizes.pop()

    def _keys(self, tensors: list[tuple[str, torch.Tensor]], others: list, n: int) -> list[str]:
        """One content key per batch item."""
        device = tensors[0][1].device
        autocast = torch.is_autocast_enabled(device.type) and str(torch.get_autocast_dtype(device.type))
        head = f"{self.salt}|{self.weights_hash()}|{self.name}|{device.type}|{autocast}|{others}".encode()
        on_cpu = [(arg, tensor.detach().to("cpu")) for arg, tensor in tensors]  # one transfer per argument
        keys = []
        for i in range(n):
            digest = hashlib.blake2b(head, digest_size=20)
            for arg, tensor in on_cpu:
                digest.update(arg.encode())
                _update_tensor(digest, tensor[i])
            keys.append(digest.hexdigest())
        return keys

    def _path(self, key: str) -> Path:
        """The entry file of ``key`` (256 subfolders by its first two hex digits)."""
        return self.folder / key[:2] / f"{key}.pt"

    def _read(self, key: str):
        """The stored item of ``key``, or None when absent or unreadable (a torn or foreign file)."""
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            return torch.load(path, map_location="cpu", weights_only=True)
        except Exception:  # a torn or foreign file fails in many ways; each is a miss, recomputed and rewritten
            return None

    def forward(self, *args, **kwargs):
        """The module's output, from the cache where every item is stored, else computed (and stored)."""
        found = None if self.module.training else self._inputs(args, kwargs)
        if found is None:
            return self._bypass(args, kwargs)
        tensors, others, n = found
        keys = self._keys(tensors, others, n)
        items = [self._read(key) for key in keys]
        missing = [i for i, item in enumerate(items) if item is None]
        if not missing:
            self.stats.hits += n
            return _stack(items, tensors[0][1].device)
        if len(missing) == n:  # all new: the module's own batch output, exactly as without the cache
            output = self.compute(*args, **kwargs)
            self._store(output, keys, n)
            return output
        return self._fill(args, kwargs, items, missing, keys, tensors[0][1].device)

    def _bypass(self, args: tuple, kwargs: dict):
        """Run the module uncached (a call that is not a pure function of per-item inputs)."""
        self.stats.bypassed += 1
        return self.compute(*args, **kwargs)

    def _store(self, output, keys: list[str], n: int) -> None:
        """Write each item of a batch output under its key (nothing when the output is not per item)."""
        rows = _split(output, n)
        if rows is None:
            self.stats.bypassed += 1
            return
        self.stats.misses += n
        for key, row in zip(keys, rows, strict=True):
            _atomic_save(row, self._path(key))

    def _fill(self, args: tuple, kwargs: dict, items: list, missing: list[int], keys: list[str],
              device: torch.device):
        """A partly stored batch: compute the missing items as one sub-batch, store them, merge in order."""
        index = torch.tensor(missing, device=device)
        pick = [a.index_select(0, index) if isinstance(a, torch.Tensor) else a for a in args]
        picked = {k: v.index_select(0, index) if isinstance(v, torch.Tensor) else v for k, v in kwargs.items()}
        rows = _split(self.compute(*pick, **picked), len(missing))
        if rows is None:  # the output is not per item: the whole batch uncached
            return self._bypass(args, kwargs)
        self.stats.hits += len(items) - len(missing)
        self.stats.misses += len(missing)
        for i, row in zip(missing, rows, strict=True):
            _atomic_save(row, self._path(keys[i]))
            items[i] = row
        return _stack(items, device)


def frozen_module_names(model: nn.Module) -> list[str]:
    """The outermost of the model's ``frozen_modules`` (the config's list), each checked to have no
    trainable parameter; a UserError names the key when there is none or one is not frozen."""
    names = list(getattr(model, "frozen_modules", ()))
    if not names:
        raise UserError(f"feature_cache: {type(model).__name__} has no frozen modules (model.frozen_modules "
                        "is empty), so there are no frozen features to cache")
    outer = [n for n in names if not any(n.startswith(f"{other}.") for other in names if other != n)]
    for name in outer:
        trainable = [p for p, param in model.get_submodule(name).named_parameters() if param.requires_grad]
        if trainable:
            raise UserError(f"feature_cache: model.frozen_modules entry '{name}' has trainable parameters "
                            f"({trainable[0]}, ...); its outputs change during training and cannot be cached")
    return sorted(outer)


def enable_feature_cache(model: nn.Module, folder: Path, salt: str) -> dict[str, FeatureCache]:
    """Cache the outputs of the model's frozen modules under ``folder``; returns the caches by module
    name. Enabling twice keeps the first caches."""
    caches = getattr(model, "_feature_caches", None)
    if caches is None:
        caches = {name: FeatureCache(model.get_submodule(name), name, folder, salt)
                  for name in frozen_module_names(model)}
        model._feature_caches = caches
    return caches
