"""Convolutional stems in place of a vision transformer's patchify projection (Xiao et al., NeurIPS 2021).

A patchify stem is one convolution over RGB that downsamples by 4 or more at once (a ViT's p x p / p patch
projection, MViT's or VideoMAE's tubelet, Hiera's 7 x 7 / 4). ``ConvStem`` replaces it by stride-2 3 x 3
convolutions with batch norm and ReLU up to the same stride, then a projection to the same width, so the
tokens keep their count and width. From scratch, a ViT learns RefAVA-Synth's actions within the CPU budget
only with such a stem (docs/MODELS.md, "Convolutional stems").
"""

from __future__ import annotations

import math

import torch
from torch import nn


def is_patchify(module: nn.Module) -> bool:
    """True for a 2D or 3D convolution over RGB whose spatial stride is 4 or more."""
    return isinstance(module, (nn.Conv2d, nn.Conv3d)) and module.in_channels == 3 and min(module.stride[-2:]) >= 4


class ConvStem(nn.Module):
    """Stride-2 3x3 conv stages (``convs_per_stage`` convs each, BN, ReLU) to ``patchify``'s spatial stride, then
    its projection: a 1x1 conv, or for a 3D tubelet its temporal kernel, stride and padding over 1x1 space.

    Stage widths double up to the output width (e.g. 16, 32, 64, 128 for width 128 and stride 16).
    """

    def __init__(self, patchify: nn.Conv2d | nn.Conv3d, convs_per_stage: int = 2) -> None:
        super().__init__()
        stride = patchify.stride[-1]
        if patchify.stride[-2] != stride or stride & (stride - 1):
            raise ValueError(f"ConvStem: the patch stride must be square and a power of 2, got {patchify.stride}")
        video = isinstance(patchify, nn.Conv3d)
        if video:  # 1 x 3 x 3 kernels: the frames stay apart until the tubelet projection
            conv, norm, kernel, padding, halve = nn.Conv3d, nn.BatchNorm3d, (1, 3, 3), (0, 1, 1), (1, 2, 2)
        else:
            conv, norm, kernel, padding, halve = nn.Conv2d, nn.BatchNorm2d, 3, 1, 2
        stages = int(math.log2(stride))
        widths = [max(patchify.out_channels >> (stages - 1 - i), 8) for i in range(stages)]
        layers, width = [], patchify.in_channels
        for out in widths:
            for index in range(convs_per_stage):
                layers += [conv(width, out, kernel, stride=halve if index == 0 else 1, padding=padding, bias=False),
                           norm(out), nn.ReLU(inplace=True)]
                width = out
        self.stages = nn.Sequential(*layers)
        if video:
            self.proj = nn.Conv3d(width, patchify.out_channels, (patchify.kernel_size[0], 1, 1),
                                  stride=(patchify.stride[0], 1, 1), padding=(patchify.padding[0], 0, 0))
        else:
            self.proj = nn.Conv2d(width, patchify.out_channels, 1)

    @property
    def weight(self) -> torch.Tensor:
        """The projection's weight: transformers' ViTs read the patch embedding's ``weight.dtype``."""
        return self.proj.weight

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Images [B,3,(T,)H,W] -> the patchify conv's output shape [B,C,(T',)H/s,W/s]."""
        return self.proj(self.stages(images))


def replace_patchify_stems(model: nn.Module, convs_per_stage: int = 2) -> list[str]:
    """Swap every patchify convolution inside ``model`` for a ``ConvStem``; returns the names of those replaced."""
    names = [name for name, module in model.named_modules() if is_patchify(module)]
    for name in names:
        parent, _, attribute = name.rpartition(".")
        owner = model.get_submodule(parent) if parent else model
        setattr(owner, attribute, ConvStem(getattr(owner, attribute), convs_per_stage))
    return names
