"""Parameter counts of baseline configs without weights or memory (meta device), for Table 9 comparisons."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

import torch

from ravar_bench.models.param_count import count_parameters

WEIGHT_KEYS = ("pretrained", "pretrained_blip2", "pretrained_llm")


def without_weights(cfg):
    """Copy of a config with every local-weights path of the baselines set to None."""
    if isinstance(cfg, dict):
        return {k: (None if k in WEIGHT_KEYS else without_weights(v)) for k, v in cfg.items()}
    if isinstance(cfg, list | tuple):
        return type(cfg)(without_weights(v) for v in cfg)
    return cfg


@contextlib.contextmanager
def host_linspace() -> Iterator[None]:
    """Make ``torch.linspace`` build on the CPU for a while.

    MMAction2's ViTs read their drop-path schedule with ``torch.linspace(...)[i].item()``, which a meta
    tensor cannot answer; the schedule holds no parameters, so computing it on the host changes no count.
    """
    original = torch.linspace
    torch.linspace = functools.partial(original, device="cpu")
    try:
        yield
    finally:
        torch.linspace = original


def count_baseline_parameters(model_cfg: dict, trainable_only: bool = True) -> int:
    """(Trainable) parameters of a baseline config, built on the meta device (see ``count_parameters``)."""
    with host_linspace():
        return count_parameters(without_weights(dict(model_cfg)), trainable_only)
