"""Training with MMEngine's Runner: validation each epoch, best epoch kept by val mAP, resumable."""

from __future__ import annotations

import time
from pathlib import Path

from mmengine.config import Config
from mmengine.dist import barrier, is_main_process
from mmengine.runner import Runner

from ravar_bench.engine.checkpoints import read_state_dict, store_weights
from ravar_bench.engine.device import compute_device, ddp_wrapper_cfg
from ravar_bench.engine.feature_cache import feature_cache_enabled

BEST_METRIC = "ravar/mAP"


def runner_config(cfg: Config, work_dir: Path, launcher: str) -> Config:
    """A copy of ``cfg`` as the Runner gets it: work dir, launcher, resume, the DDP wrapper under a launcher and
    the feature-cache hook when ``feature_cache`` is on."""
    cfg = cfg.copy()
    cfg.work_dir = str(work_dir)
    cfg.launcher = launcher
    cfg.resume = (work_dir / "last_checkpoint").is_file()
    if launcher != "none" and "model_wrapper_cfg" not in cfg:
        cfg.model_wrapper_cfg = ddp_wrapper_cfg(compute_device())
    if feature_cache_enabled(cfg):
        cfg.custom_hooks = [*cfg.get("custom_hooks", []), dict(type="FeatureCacheHook")]
    return cfg


def train(cfg: Config, work_dir: Path, launcher: str, cache_dir: Path, meta: dict) -> Path:
    """Train ``cfg`` in ``work_dir`` (resuming from its last epoch checkpoint, if any) and store the
    best epoch's weights in ``cache_dir``. Returns the cached weights' path."""
    cfg = runner_config(cfg, work_dir, launcher)
    started = time.perf_counter()
    runner = Runner.from_cfg(cfg)
    runner.train()
    best = runner.message_hub.get_info("best_ckpt")
    if not best:
        raise RuntimeError(f"training in {work_dir} kept no best checkpoint; is '{BEST_METRIC}' in val metrics?")
    meta = dict(meta, best_checkpoint=Path(best).name, best_val_mAP=runner.message_hub.get_info("best_score"),
                epochs=runner.epoch, train_seconds=round(time.perf_counter() - started, 1),
                resumed=bool(cfg.resume))
    if is_main_process():
        store_weights(read_state_dict(best), cache_dir, meta)
    barrier()
    return cache_dir / "model.pth"
