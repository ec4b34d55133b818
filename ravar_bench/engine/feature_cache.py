"""The ``feature_cache`` option: frozen encoders' outputs read from the user cache in training and testing.

``feature_cache = True`` (a top-level config key, ``--cfg-options feature_cache=True``) turns on
``models/feature_cache.py`` for the model's frozen modules, in training (through :class:`FeatureCacheHook`,
which training adds to the Runner's hooks) and in testing (``engine/prediction.py``). Entries live in
``<cache>/features/``; see docs/MODELS.md, "Frozen-encoder feature cache".
"""

from __future__ import annotations

from pathlib import Path

import torch
from mmengine.config import Config
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch import nn

from ravar_bench.cache import cache_root
from ravar_bench.engine.hashing import stable_hash
from ravar_bench.errors import UserError
from ravar_bench.models.feature_cache import FeatureCache, enable_feature_cache
from ravar_bench.registry import HOOKS

KEY = "feature_cache"
# Samples of the train set read twice to tell a random train pipeline from a deterministic one.
PROBE_SAMPLES = 2


def feature_cache_enabled(cfg: Config) -> bool:
    """The config's ``feature_cache`` value (absent = False); anything but a bool is a UserError."""
    value = cfg.get(KEY, False)
    if not isinstance(value, bool):
        raise UserError(f"{KEY}: expected True or False, got {value!r}")
    return value


def feature_cache_folder() -> Path:
    """Where cached frozen features are kept: ``features/`` in the user cache."""
    return cache_root() / "features"


def cache_salt(cfg: Config) -> str:
    """What a frozen module's output depends on besides its weights and input: the harness code, the
    pinned stack and the model config (an architecture argument can change the output, not the weights)."""
    from ravar_bench.engine.identity import package_sha256
    from ravar_bench.engine.provenance import package_versions

    return stable_hash({"package": package_sha256(), "stack": package_versions(), "model": cfg.model}, length=32)


def apply_feature_cache(model: nn.Module, cfg: Config) -> dict[str, FeatureCache]:
    """Cache the frozen modules of ``model`` (unwrapped from DDP) when ``cfg`` asks for it."""
    if not feature_cache_enabled(cfg):
        return {}
    inner = model.module if is_model_wrapper(model) else model
    return enable_feature_cache(inner, feature_cache_folder(), cache_salt(cfg))


def _same(a, b) -> bool:
    """Whether two packed inputs (tensors, dicts and sequences of them) are exactly equal."""
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and a.dtype == b.dtype and torch.equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(map(_same, a, b))
    return a == b


def check_deterministic(dataset, samples: int = PROBE_SAMPLES) -> None:
    """Refuse a train pipeline whose model inputs differ between two reads of the same sample (random
    augmentation): features cached once would not be the features of each epoch's draw."""
    for index in range(min(samples, len(dataset))):
        first, second = dataset[index], dataset[index]
        if not _same(first["inputs"], second["inputs"]):
            key = first["data_samples"].metainfo.get("key", index)
            raise UserError(f"{KEY}: the train pipeline is random (two reads of sample {key} give different "
                            "inputs), so cached features would be wrong; set feature_cache=False or make "
                            "train_dataloader.dataset.pipeline deterministic")


@HOOKS.register_module()
class FeatureCacheHook(Hook):
    """Turns the feature cache on before training (after checking the train pipeline is deterministic)
    and reports its hits and misses after training."""

    priority = "VERY_HIGH"

    def __init__(self) -> None:
        self.caches: dict[str, FeatureCache] = {}

    def before_train(self, runner) -> None:
        """Check the train inputs, then cache the frozen modules of the runner's model."""
        if not feature_cache_enabled(runner.cfg):
            return
        check_deterministic(runner.train_dataloader.dataset)
        self.caches = apply_feature_cache(runner.model, runner.cfg)

    def after_train(self, runner) -> None:
        """One line per cached module: items read from the cache, computed, calls run uncached."""
        if not is_main_process():
            return
        for name, cache in self.caches.items():
            stats = cache.stats
            print(f"feature cache {name}: {stats.hits} read, {stats.misses} computed, {stats.bypassed} uncached calls")
