"""Parameter counts of a model config without allocating weights (built on the meta device)."""

from __future__ import annotations

import copy

import torch

from ravar_bench._compat import host_linspace
from ravar_bench.models.weights import without_weights
from ravar_bench.registry import MODELS


def count_parameters(model_cfg: dict, trainable_only: bool = True) -> int:
    """Number of (trainable) parameters of ``MODELS.build(model_cfg)``, built on the meta device.

    The architecture comes from the config alone (the pretrained weights' shapes equal it), so
    paper-scale counts need neither weights nor memory.
    """
    cfg = without_weights(copy.deepcopy(dict(model_cfg)))
    with host_linspace(), torch.device("meta"):
        model = MODELS.build(cfg)
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
