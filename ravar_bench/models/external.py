"""Builders that put timm and transformers models behind the MMEngine registry.

MMAction2 and MMDetection models are registered in their own scopes and build through
``MODELS.build(dict(type="mmaction.X3D", ...))``. timm and transformers have no MMEngine registry, so
these two builders give them one: a config dict in, a randomly initialised model out. Neither ever
downloads weights; pretrained weights come from local files (see docs/MODELS.md).
"""

from __future__ import annotations

from torch import nn

from ravar_bench.registry import MODELS


@MODELS.register_module()
def TransformersModel(config_class: str, model_class: str, **config) -> nn.Module:
    """``transformers.<model_class>(transformers.<config_class>(**config))``, e.g. BertModel(BertConfig)."""
    import transformers

    return getattr(transformers, model_class)(getattr(transformers, config_class)(**config))


@MODELS.register_module()
def TimmModel(model_name: str, **kwargs) -> nn.Module:
    """``timm.create_model(model_name, pretrained=False, **kwargs)``: architecture only."""
    import timm

    if kwargs.pop("pretrained", False):
        raise ValueError(f"TimmModel({model_name!r}): pretrained=True would download weights; load a local "
                         "checkpoint instead (pretrained_cfg_overlay=dict(file=PATH))")
    return timm.create_model(model_name, pretrained=False, **kwargs)
