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
def TransformersModel(config_class: str, model_class: str, pretrained: str | None = None,
                      key: str = "pretrained", dtype: str | None = None, **config) -> nn.Module:
    """``transformers.<model_class>(transformers.<config_class>(**config))``, e.g. BertModel(BertConfig).

    With ``pretrained`` (a local ``save_pretrained`` directory) the model is built by ``from_pretrained``
    with that architecture, so its weights are read into the one copy that is kept; ``dtype`` (e.g.
    "bfloat16" for a frozen LLM) is the dtype it is held in, float32 by default. A checkpoint that lacks
    any of the model's weights (but the unused [CLS] pooler) raises naming the config ``key``.
    """
    import torch
    import transformers

    architecture = getattr(transformers, config_class)(**config)
    model_type = getattr(transformers, model_class)
    torch_dtype = getattr(torch, dtype or "float32")
    if pretrained is None:
        return model_type(architecture).to(torch_dtype)
    model, info = model_type.from_pretrained(pretrained, config=architecture, local_files_only=True,
                                             output_loading_info=True, dtype=torch_dtype)
    # The [CLS] pooler is dropped by every encoder that would have one (encoders.drop_pooler).
    missing = sorted(k for k in info["missing_keys"] if not k.startswith("pooler."))
    if missing:
        raise KeyError(f"{key}: {pretrained!r} lacks {len(missing)} weights of {model_class}, e.g. {missing[:3]}")
    return model


@MODELS.register_module()
def TimmModel(model_name: str, **kwargs) -> nn.Module:
    """``timm.create_model(model_name, pretrained=False, **kwargs)``: architecture only."""
    import timm

    if kwargs.pop("pretrained", False):
        raise ValueError(f"TimmModel({model_name!r}): pretrained=True would download weights; load a local "
                         "checkpoint instead (pretrained_cfg_overlay=dict(file=PATH))")
    return timm.create_model(model_name, pretrained=False, **kwargs)
