"""Registered encoders of the baselines: library backbones (MMAction2, MMDetection, transformers, timm) behind
one output convention, visual tokens [B, N, C] and text tokens [B, L, C] with a mask.
"""

from __future__ import annotations

import os
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from ravar_bench.models.tokenizers import require_local_path
from ravar_bench.registry import MODELS


class TextFeatures(NamedTuple):
    """Tokenised reference and, when a text encoder ran, its tokens [B,L,C] and masked-mean pooling [B,C]."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    tokens: torch.Tensor | None = None
    pooled: torch.Tensor | None = None


def load_local_weights(module: nn.Module, path: str | None, key: str, prefix: str = "") -> None:
    """Load a local checkpoint file into ``module``; nothing is downloaded, a missing path raises naming ``key``.

    The file is a state dict (``.safetensors``, or a torch / MMEngine checkpoint read by the project's one
    weights-only reader), of which the entries under ``prefix`` (e.g. "backbone." in an MMAction2 or
    MMDetection checkpoint) are kept. transformers directories load in :func:`build_pretrained`.
    """
    from ravar_bench.engine.checkpoints import read_state_dict

    if path is None:
        return
    path = require_local_path(path, key)
    if os.path.isdir(path):
        raise ValueError(f"{key}: {path!r} is a directory, but {type(module).__name__} is not a transformers "
                         "model; give the checkpoint file")
    state = read_state_dict(path)
    state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    missing, unexpected = module.load_state_dict(state, strict=False)
    if missing:
        raise KeyError(f"{key}: {path!r} lacks {len(missing)} weights of {type(module).__name__}, e.g. {missing[:3]}"
                       f" (unexpected keys: {unexpected[:3]}; prefix kept: {prefix!r})")


def build_pretrained(model: dict, pretrained: str | None, key: str, prefix: str = "") -> nn.Module:
    """Build ``model`` with its local weights, holding one copy: a ``TransformersModel`` from a directory is
    built by ``from_pretrained``; anything else is built, then its checkpoint file is loaded."""
    if pretrained is not None and model.get("type") == "TransformersModel" and \
            os.path.isdir(require_local_path(pretrained, key)):
        return MODELS.build(dict(model, pretrained=require_local_path(pretrained, key), key=key))
    module = MODELS.build(model)
    load_local_weights(module, pretrained, key, prefix)
    return module


def drop_pooler(model: nn.Module) -> None:
    """Remove a transformers model's [CLS] pooler, which the baselines never read (no idle trainable weights)."""
    if getattr(model, "pooler", None) is not None:
        model.pooler = None


def to_tokens(features) -> torch.Tensor:
    """Any backbone output -> tokens [B, N, C]: maps [B,C,(T,)H,W] are flattened, vectors [B,C] become one token."""
    if isinstance(features, (tuple, list)):  # MMAction2 / timm: one entry per output stage, take the last
        features = features[-1]
    if isinstance(features, (tuple, list)):  # MViT: (patch-token map, cls token)
        features = features[0]
    if hasattr(features, "last_hidden_state"):
        features = features.last_hidden_state
    if features.dim() == 2:
        return features.unsqueeze(1)
    if features.dim() == 3:
        return features
    return features.flatten(2).transpose(1, 2)


@MODELS.register_module()
class VideoBackbone(nn.Module):
    """A 3D video backbone (e.g. ``mmaction.X3D``) over frames [B,T,3,H,W] -> spatio-temporal tokens [B,N,C]."""

    def __init__(self, backbone: dict, out_dim: int, pretrained: str | None = None,
                 pretrained_prefix: str = "backbone.") -> None:
        super().__init__()
        self.backbone = build_pretrained(backbone, pretrained, "model.visual.pretrained", pretrained_prefix)
        self.out_dim = out_dim

    def forward(self, inputs: dict) -> torch.Tensor:
        """Clip [B,T,3,H,W] (channels-second for MMAction2) -> tokens [B,N,out_dim]."""
        return to_tokens(self.backbone(inputs["frames"].transpose(1, 2)))


@MODELS.register_module()
class FrameBackbone(nn.Module):
    """A 2D image backbone (transformers or timm) applied to every frame, or to the key frame.

    Args:
        backbone: registry config of the image model (``TransformersModel`` / ``TimmModel``).
        out_dim: width C of its output.
        source: "frames" -> tokens [B, T*N, C]; "keyframe" -> [B, N, C].
        output: attribute of a transformers output to read ("last_hidden_state", "image_embeds",
            "pooler_output"); None for models that return a tensor.
        image_size: images are resized to this side first (a ViT's position table fixes it).
        pretrained / key: local weights, and the config key an error about them names.
        pretrained_prefix: the part of a checkpoint file to keep, e.g. "backbone." in an MMDetection detector.
    """

    def __init__(self, backbone: dict, out_dim: int, source: str = "frames", output: str | None = None,
                 image_size: int | None = None, pretrained: str | None = None,
                 key: str = "model.visual.pretrained", pretrained_prefix: str = "") -> None:
        super().__init__()
        if source not in ("frames", "keyframe"):
            raise ValueError(f"FrameBackbone: source must be 'frames' or 'keyframe', got {source!r}")
        self.backbone = build_pretrained(backbone, pretrained, key, pretrained_prefix)
        self.out_dim, self.source, self.output, self.image_size = out_dim, source, output, image_size
        if output == "last_hidden_state":
            drop_pooler(self.backbone)

    def forward(self, inputs: dict) -> torch.Tensor:
        """Images -> tokens [B, (T*)N, out_dim]."""
        images = inputs[self.source]
        batch = images.shape[0]
        images = images.flatten(0, 1) if self.source == "frames" else images
        if self.image_size is not None and tuple(images.shape[-2:]) != (self.image_size,) * 2:
            images = F.interpolate(images, size=(self.image_size,) * 2, mode="bilinear", align_corners=False)
        out = self.backbone(images) if self.output is None else getattr(self.backbone(pixel_values=images),
                                                                        self.output)
        tokens = to_tokens(out)
        return tokens.reshape(batch, -1, tokens.shape[-1])


@MODELS.register_module()
class DETRQueries(nn.Module):
    """An MMDetection DETR on the key frame -> its decoder's object queries with their predicted boxes [B,Q,C+4]."""

    def __init__(self, detector: dict, pretrained: str | None = None) -> None:
        super().__init__()
        self.detector = MODELS.build(detector)
        self.out_dim = self.detector.embed_dims + 4
        load_local_weights(self.detector, pretrained, "model.visual.pretrained")

    def forward(self, inputs: dict) -> torch.Tensor:
        """Key frame [B,3,h,w] -> last decoder layer's queries concatenated with their normalised cx,cy,w,h."""
        from mmdet.structures import DetDataSample

        images = inputs["keyframe"]
        shape = tuple(images.shape[-2:])
        samples = [DetDataSample(metainfo=dict(img_shape=shape, batch_input_shape=shape)) for _ in images]
        hidden = self.detector.forward_transformer(self.detector.extract_feat(images), samples)["hidden_states"]
        queries = hidden[-1]
        boxes = self.detector.bbox_head.fc_reg(self.detector.bbox_head.activate(
            self.detector.bbox_head.reg_ffn(queries))).sigmoid()
        return torch.cat([queries, boxes], dim=-1)


@MODELS.register_module()
class TextEncoder(nn.Module):
    """A transformers text model (BERT, CLIP text tower, ...) -> tokens [B,L,C] and their masked mean [B,C]."""

    def __init__(self, model: dict, pretrained: str | None = None) -> None:
        super().__init__()
        self.model = build_pretrained(model, pretrained, "model.text.pretrained")
        drop_pooler(self.model)
        self.out_dim = self.model.config.hidden_size
        self.vocab_size = self.model.config.vocab_size

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> TextFeatures:
        """Token ids [B,L] -> ``TextFeatures`` with tokens and pooled vector."""
        tokens = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return TextFeatures(input_ids, attention_mask, tokens, masked_mean(tokens, attention_mask))


def masked_mean(tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of tokens [B,L,C] over positions where mask [B,L] is non-zero."""
    weights = mask.unsqueeze(-1).to(tokens.dtype)
    return (tokens * weights).sum(1) / weights.sum(1).clamp(min=1)
