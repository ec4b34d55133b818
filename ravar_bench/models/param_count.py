"""Parameter counts of a model config without allocating weights (built on the meta device)."""

from __future__ import annotations

import copy

import torch

from ravar_bench.registry import MODELS

PRETRAINED_KEYS = ("pretrained_blip2", "pretrained_bert")


def _without_files(cfg):
    """Copy of ``cfg`` that needs no local files: pretrained paths dropped, pretrained tokenizers swapped.

    Tokenizers hold no parameters, so a ``PretrainedTokenizer`` becomes a tiny ``HashingTokenizer`` of the
    same ``max_length``.
    """
    if isinstance(cfg, dict):
        if cfg.get("type") == "PretrainedTokenizer":
            return dict(type="HashingTokenizer", vocab_size=3, max_length=cfg.get("max_length", 32))
        return {k: (None if k in PRETRAINED_KEYS else _without_files(v)) for k, v in cfg.items()}
    if isinstance(cfg, list | tuple):
        return type(cfg)(_without_files(v) for v in cfg)
    return cfg


def count_parameters(model_cfg: dict, trainable_only: bool = True) -> int:
    """Number of (trainable) parameters of ``MODELS.build(model_cfg)``, built on the meta device.

    The architecture comes from the config alone (the pretrained weights' shapes equal it), so
    paper-scale counts need neither weights nor memory.
    """
    cfg = _without_files(copy.deepcopy(dict(model_cfg)))
    with torch.device("meta"):
        model = MODELS.build(cfg)
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
