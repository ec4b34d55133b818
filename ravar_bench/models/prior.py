"""``PriorOnly``: the reference row that sees neither the clip nor the text (class priors and the mean box)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ravar_bench.models.base import RAVARBaseModel
from ravar_bench.registry import MODELS
from ravar_bench.structures import RAVARDataSample


@MODELS.register_module()
class PriorOnly(RAVARBaseModel):
    """Feeds the shared head one learned constant feature, so training fits the class priors and the mean box.

    Every score and box is the same for every sample: the row a leaderboard entry must beat to show that it
    uses the clip or the reference at all (its AUROC is 50 by construction).
    """

    def __init__(self, dim: int = 16, **base_kwargs) -> None:
        super().__init__(**base_kwargs)
        self.feature = nn.Parameter(torch.zeros(dim))
        self.finish_init(dim)

    def encode(self, inputs: dict, data_samples: Sequence[RAVARDataSample]) -> torch.Tensor:
        """The constant feature, repeated for each sample: [B, dim]."""
        return self.feature.expand(len(data_samples), -1)
