"""The RAVAR output head shared by every model: multi-label class logits and one key-frame box."""

from __future__ import annotations

import itertools
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


@MODELS.register_module()
class RAVARHead(nn.Module):
    """MLP class head -> ``num_classes`` logits; MLP box head -> 4 sigmoid outputs (normalised x1,y1,x2,y2)."""

    def __init__(self, in_dim: int, num_classes: int = 80, cls_hidden: Sequence[int] = (512, 256),
                 box_hidden: Sequence[int] = (512, 128), dropout: float = 0.2) -> None:
        super().__init__()
        self.cls_head = mlp(in_dim, cls_hidden, num_classes, dropout)
        self.box_head = mlp(in_dim, box_hidden, 4)

    def forward(self, pooled: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """[B, D] -> (logits [B, num_classes], boxes [B, 4] in [0, 1])."""
        return self.cls_head(pooled), self.box_head(pooled).sigmoid()
