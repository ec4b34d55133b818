"""Where and in which precision a model runs: the device from the environment, mixed precision through
MMEngine's ``AmpOptimWrapper`` (selected by one config entry, ``precision``), and the process-group backend
and DDP wrapper that fit the device."""

from __future__ import annotations

import contextlib
import copy
import os

import torch
from mmengine.config import Config

from ravar_bench.errors import UserError

PRECISIONS = ("auto", "fp32", "bf16", "fp16")
AMP_DTYPES = {"bf16": "bfloat16", "fp16": "float16"}


def compute_device() -> torch.device:
    """This process's GPU (``LOCAL_RANK`` under torchrun) when CUDA is visible, else the CPU; hide the GPUs
    (``CUDA_VISIBLE_DEVICES=``) to run on the CPU of a GPU machine. MMEngine's Runner trains on the same one."""
    if torch.cuda.is_available():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    return torch.device("cpu")


def resolve_precision(cfg: Config, device: torch.device) -> str:
    """The config's ``precision`` made concrete: "auto" is bf16 on a GPU for paper-scale configs (fp16 where the
    GPU has no bf16) and fp32 otherwise; bf16 and fp16 need a GPU (AmpOptimWrapper is GPU-only)."""
    precision = cfg.get("precision", "fp32")
    if precision not in PRECISIONS:
        raise UserError(f"precision: expected one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision == "auto":
        if device.type != "cuda" or cfg.get("scale", "cpu") != "paper":
            return "fp32"
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if precision in AMP_DTYPES and device.type != "cuda":
        raise UserError(f"precision={precision} needs a GPU (MMEngine's AmpOptimWrapper); this run is on {device}. "
                       "Use precision=fp32 or auto")
    return precision


def with_precision(cfg: Config, device: torch.device) -> Config:
    """A copy of ``cfg`` with ``precision`` resolved for ``device`` and, for bf16 / fp16, its optim wrapper
    made an ``AmpOptimWrapper`` autocasting to that dtype (fp16 with a dynamic loss scale). A config without
    the entry is returned as it is (fp32), so its run ids stay those of earlier results."""
    precision = resolve_precision(cfg, device)
    if "precision" not in cfg:
        return cfg
    cfg = copy.deepcopy(cfg)
    cfg.precision = precision
    if cfg.precision in AMP_DTYPES and "optim_wrapper" in cfg:
        amp = dict(type="AmpOptimWrapper", dtype=AMP_DTYPES[cfg.precision])
        if cfg.precision == "fp16":
            amp["loss_scale"] = "dynamic"
        cfg.optim_wrapper = dict(cfg.optim_wrapper, **amp)
    return cfg


def autocast(precision: str, device: torch.device):
    """The test-time counterpart of the AmpOptimWrapper: autocast to the precision's dtype (a no-op for fp32)."""
    if precision not in AMP_DTYPES:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=getattr(torch, AMP_DTYPES[precision]))


def dist_backend(device: torch.device) -> str:
    """NCCL between GPUs, gloo between CPU processes."""
    return "nccl" if device.type == "cuda" else "gloo"


def ddp_wrapper_cfg(device: torch.device) -> dict:
    """MMEngine's DDP wrapper for ``--launcher pytorch``. Ablations switch streams off, so some parameters get no
    gradient in a step: ``find_unused_parameters`` on both devices. On CPU ``device_ids`` must be None (the
    Runner's default, ``[LOCAL_RANK]``, is for GPUs)."""
    wrapper = dict(type="MMDistributedDataParallel", broadcast_buffers=False, find_unused_parameters=True)
    return wrapper if device.type == "cuda" else dict(wrapper, device_ids=None)
