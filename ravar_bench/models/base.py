"""``RAVARBaseModel``: the forward modes, losses and freezing every RAVAR model shares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import nn

from ravar_bench.models.conv_stem import replace_patchify_stems
from ravar_bench.registry import MODELS
from ravar_bench.structures import RAVARDataSample


def gt_stack(data_samples: Sequence[RAVARDataSample], field: str) -> torch.Tensor:
    """Stack one ground-truth field of every sample, naming the field when it is missing."""
    missing = [s.metainfo.get("key", i) for i, s in enumerate(data_samples) if field not in s]
    if missing:
        raise KeyError(f"loss needs data_sample.{field} on every sample; missing on {missing[:5]}")
    return torch.stack([torch.as_tensor(getattr(s, field)).float() for s in data_samples])


@dataclass
class Encoded:
    """What an encoder hands the head: the pooled feature [B, D], its own training losses, and optionally a
    box [B, 4] it chose for the head to refine (an anchored head)."""

    pooled: torch.Tensor
    losses: dict[str, torch.Tensor] = field(default_factory=dict)
    box_anchor: torch.Tensor | None = None


class RAVARBaseModel(BaseModel):
    """Base for RAVAR models: subclasses implement ``encode(inputs, data_samples) -> pooled [B, D]``.

    A subclass builds its encoders, then calls ``finish_init(D)`` (builds ``head``, applies freezing).

    ``mode="loss"``: ``loss_cls = w_cls * BCEWithLogits``, ``loss_box = w_box * MSE``, plus any losses of the
    encoder itself (``encode_for_head``);
    ``mode="predict"``: data samples with ``pred_scores`` (sigmoid) and ``pred_box``;
    ``mode="tensor"``: ``(logits [B, C], boxes [B, 4])``.
    Modules named in ``frozen_modules`` (attribute paths) get no gradient and stay in eval mode.
    ``conv_stem`` (``ConvStem`` options, e.g. ``dict(convs_per_stage=2)``) replaces every patchify convolution
    of the model's vision transformers by a convolutional stem; a model without one is an error.
    """

    def __init__(self, head: dict | None = None, loss_cls_weight: float = 5.0, loss_box_weight: float = 1.0,
                 frozen_modules: Sequence[str] = (), conv_stem: dict | None = None,
                 data_preprocessor: dict | nn.Module | None = None, init_cfg: dict | None = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type="RAVARDataPreprocessor")
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.head_cfg = dict(head or dict(type="RAVARHead"))
        self.loss_cls_weight = loss_cls_weight
        self.loss_box_weight = loss_box_weight
        self.frozen_modules = tuple(frozen_modules)
        self.conv_stem_cfg = conv_stem

    def finish_init(self, in_dim: int) -> None:
        """Build the head on ``in_dim`` features, put in the convolutional stems and freeze ``frozen_modules``;
        ends a subclass __init__."""
        self.head = MODELS.build({**self.head_cfg, "in_dim": in_dim})
        if self.conv_stem_cfg is not None and not replace_patchify_stems(self, **self.conv_stem_cfg):
            raise ValueError(f"conv_stem: {type(self).__name__} has no patchify convolution (an RGB conv of "
                             "stride >= 4) to replace; remove conv_stem from the model config")
        self.freeze()

    def freeze(self) -> None:
        """Turn off gradients of the modules in ``frozen_modules`` and keep them in eval mode."""
        for name in self.frozen_modules:
            try:
                module = self.get_submodule(name)
            except AttributeError as err:
                raise KeyError(f"frozen_modules: {type(self).__name__} has no submodule '{name}'") from err
            module.requires_grad_(False)
            module.eval()

    def train(self, mode: bool = True) -> RAVARBaseModel:
        """Switch modes, keeping frozen modules in eval (no dropout, fixed statistics)."""
        super().train(mode)
        for name in self.frozen_modules:
            self.get_submodule(name).eval()
        return self

    def encode(self, inputs: dict, data_samples: Sequence[RAVARDataSample]) -> torch.Tensor:
        """Pooled clip-and-reference feature [B, D]; the one method a RAVAR model must implement."""
        raise NotImplementedError(f"{type(self).__name__} must implement encode(inputs, data_samples)")

    def encode_for_head(self, inputs: dict, data_samples: Sequence[RAVARDataSample], training: bool) -> Encoded:
        """The pooled feature, plus (when a model overrides this) its own training losses and a box anchor."""
        return Encoded(self.encode(inputs, data_samples))

    def forward(self, inputs: dict, data_samples: Sequence[RAVARDataSample] | None = None,
                mode: str = "tensor"):
        """Dispatch on ``mode`` in {"loss", "predict", "tensor"}."""
        if mode not in ("loss", "predict", "tensor"):
            raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got {mode!r}")
        if data_samples is None:
            raise ValueError(f"{type(self).__name__}.forward needs data_samples (the reference text lives there)")
        encoded = self.encode_for_head(inputs, data_samples, training=mode == "loss")
        logits, boxes = self.head(encoded.pooled, encoded.box_anchor)
        if mode == "tensor":
            return logits, boxes
        if mode == "loss":
            return {**self.loss(logits, boxes, data_samples), **encoded.losses}
        return self.predict(logits, boxes, data_samples)

    def loss(self, logits: torch.Tensor, boxes: torch.Tensor,
             data_samples: Sequence[RAVARDataSample]) -> dict[str, torch.Tensor]:
        """Weighted multi-label BCE on logits and MSE on the normalised box."""
        gt_labels = gt_stack(data_samples, "gt_labels").to(logits.device)
        gt_box = gt_stack(data_samples, "gt_box").to(boxes.device)
        if gt_labels.shape != logits.shape or gt_box.shape != boxes.shape:
            raise ValueError(f"gt_labels {tuple(gt_labels.shape)} / gt_box {tuple(gt_box.shape)} do not match "
                             f"the predictions {tuple(logits.shape)} / {tuple(boxes.shape)}")
        return dict(loss_cls=self.loss_cls_weight * F.binary_cross_entropy_with_logits(logits, gt_labels),
                    loss_box=self.loss_box_weight * F.mse_loss(boxes, gt_box))

    @staticmethod
    def predict(logits: torch.Tensor, boxes: torch.Tensor,
                data_samples: Sequence[RAVARDataSample]) -> Sequence[RAVARDataSample]:
        """Attach ``pred_scores`` (sigmoid probabilities) and ``pred_box`` to each data sample."""
        scores = logits.sigmoid().detach()
        for sample, score, box in zip(data_samples, scores, boxes.detach(), strict=True):
            sample.pred_scores = score
            sample.pred_box = box
        return data_samples
