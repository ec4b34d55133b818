"""The RAVAR output head shared by every model: multi-label class logits and one key-frame box."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import torch
from torch import nn

from ravar_bench.registry import MODELS


def mlp(in_dim: int, hidden: Sequence[int], out_dim: int, dropout: float = 0.0) -> nn.Sequential:
    """Linear-ReLU stack; dropout (if any) after the first hidden layer, as in the release."""
    layers: list[nn.Module] = []
    dims = [in_dim, *hidden]
    for i, (d_in, d_out) in enumerate(itertools.pairwise(dims)):
        layers += [nn.Linear(d_in, d_out), nn.ReLU()]
        if i == 0 and dropout > 0:
            layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(dims[-1], out_dim))
    return nn.Sequential(*layers)


def centre_size_to_corners(box: torch.Tensor) -> torch.Tensor:
    """(cx, cy, w, h) -> (x1, y1, x2, y2)."""
    centre, size = box[..., :2], box[..., 2:]
    return torch.cat([centre - size / 2, centre + size / 2], dim=-1)


def refine_box(anchor: torch.Tensor, delta: torch.Tensor) -> torch.Tensor:
    """Corners of ``anchor`` [...,4] moved by ``delta`` [...,4] in the R-CNN parametrisation: the centre by
    ``delta[:2]`` anchor sizes, the size scaled by ``exp(delta[2:])`` (clamped to e^±4); clipped to [0, 1]."""
    size = anchor[..., 2:] - anchor[..., :2]
    centre = anchor[..., :2] + size / 2 + size * delta[..., :2]
    size = size * delta[..., 2:].clamp(-4.0, 4.0).exp()
    return centre_size_to_corners(torch.cat([centre, size], dim=-1)).clamp(0.0, 1.0)


@MODELS.register_module()
class RAVARHead(nn.Module):
    """MLP class head -> ``num_classes`` logits; MLP box head -> one normalised x1, y1, x2, y2 box.

    The box head predicts centre and size through a sigmoid and returns corners: corners are always
    ordered, and an untrained head starts at the centred half-size box instead of a zero-area one at
    (0.5, 0.5), which gives the box loss a useful gradient from the first step. The class logits'
    bias starts at the logit of ``prior_prob`` (RetinaNet's prior initialisation): most of the 80
    labels are negative for any person, and starting there keeps early BCE steps from being spent on
    learning that.

    With ``linear_skip=True`` a linear classifier runs beside the class MLP and their logits add up. The
    CPU protocol uses it: trained from scratch for 3 epochs, the MLP alone learns the actions too slowly
    (docs/MODELS.md, "The class head's linear path").

    With ``anchored=True`` the box head instead refines a box the model chose (``anchor``, e.g. a person
    detection; :func:`refine_box`), starting from it exactly (its last layer starts at zero).
    """

    def __init__(self, in_dim: int, num_classes: int = 80, cls_hidden: Sequence[int] = (512, 256),
                 box_hidden: Sequence[int] = (512, 128), dropout: float = 0.2, prior_prob: float = 0.03,
                 anchored: bool = False, linear_skip: bool = False) -> None:
        super().__init__()
        self.cls_head = mlp(in_dim, cls_hidden, num_classes, dropout)
        self.box_head = mlp(in_dim, box_hidden, 4)
        self.anchored = anchored
        # With a linear path the MLP's last layer starts at zero: the head starts as a linear classifier at the
        # prior and the MLP adds to it as it learns.
        self.cls_linear = nn.Linear(in_dim, num_classes) if linear_skip else None
        if self.cls_linear is not None:
            nn.init.zeros_(self.cls_head[-1].weight)
            nn.init.zeros_(self.cls_head[-1].bias)
        nn.init.constant_(self.prior_bias, math.log(prior_prob / (1 - prior_prob)))
        if anchored:
            nn.init.zeros_(self.box_head[-1].weight)
            nn.init.zeros_(self.box_head[-1].bias)

    @property
    def prior_bias(self) -> nn.Parameter:
        """The class-logit bias that starts at the prior: the linear path's if there is one, else the MLP's."""
        return (self.cls_head[-1] if self.cls_linear is None else self.cls_linear).bias

    @property
    def num_classes(self) -> int:
        """Number of class logits."""
        return self.cls_head[-1].out_features

    def forward(self, pooled: torch.Tensor, anchor: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """[B, D] (and anchor boxes [B, 4] when anchored) -> (logits [B, num_classes], boxes [B, 4] as x1, y1,
        x2, y2)."""
        if self.anchored != (anchor is not None):
            raise ValueError("RAVARHead: an anchored head needs the model's box anchor, and only it takes one "
                             f"(anchored={self.anchored}, anchor given: {anchor is not None})")
        box = self.box_head(pooled)
        box = refine_box(anchor, box) if self.anchored else centre_size_to_corners(box.sigmoid())
        logits = self.cls_head(pooled)
        if self.cls_linear is not None:
            logits = logits + self.cls_linear(pooled)
        return logits, box
