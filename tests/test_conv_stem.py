"""The convolutional stem keeps a patchify projection's output shape, and only patchify convolutions are replaced."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ravar_bench.models.conv_stem import ConvStem, is_patchify, replace_patchify_stems

PATCHIFY = {  # the CPU configs' patchify projections, and the input each sees
    "ViT / CLIP / BLIP-2 / SAM, 16 px": (nn.Conv2d(3, 128, 16, stride=16), (2, 3, 64, 64)),
    "Hiera, 7 x 7 / 4": (nn.Conv2d(3, 96, 7, stride=4, padding=3), (2, 3, 64, 64)),
    "VideoMAE tubelet 2 x 16 x 16": (nn.Conv3d(3, 128, (2, 16, 16), stride=(2, 16, 16)), (2, 3, 8, 64, 64)),
    "MViT 3 x 8 x 8 / 2 x 8 x 8": (nn.Conv3d(3, 96, (3, 8, 8), stride=(2, 8, 8), padding=(1, 0, 0)),
                                   (2, 3, 8, 64, 64)),
}


@pytest.mark.parametrize("name", PATCHIFY)
@pytest.mark.parametrize("convs_per_stage", [1, 2])
def test_stem_gives_the_patchify_output_shape(name: str, convs_per_stage: int) -> None:
    patchify, shape = PATCHIFY[name]
    images = torch.randn(shape)
    stem = ConvStem(patchify, convs_per_stage)
    assert stem(images).shape == patchify(images).shape
    strided = [m for m in stem.stages if isinstance(m, (nn.Conv2d, nn.Conv3d)) and max(m.stride) > 1]
    assert len(strided) == int(torch.log2(torch.tensor(patchify.stride[-1])))    # one stride-2 conv per octave
    assert len([m for m in stem.stages if isinstance(m, (nn.Conv2d, nn.Conv3d))]) == len(strided) * convs_per_stage
    assert stem.stages[-3].out_channels == patchify.out_channels == stem.weight.shape[0]


def test_video_stem_keeps_frames_apart_until_the_tubelet() -> None:
    """Each frame's stem output depends on that frame alone; the tubelet projection then mixes frames."""
    stem = ConvStem(nn.Conv3d(3, 32, (2, 16, 16), stride=(2, 16, 16))).eval()
    clip = torch.randn(1, 3, 4, 32, 32)
    changed = clip.clone()
    changed[:, :, 3] += 1.0
    before, after = stem.stages(clip), stem.stages(changed)
    assert torch.equal(before[:, :, :3], after[:, :, :3]) and not torch.equal(before[:, :, 3], after[:, :, 3])


def test_stem_refuses_a_patch_stride_that_is_not_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of 2"):
        ConvStem(nn.Conv2d(3, 64, 14, stride=14))


def test_only_rgb_convolutions_of_stride_four_or_more_are_replaced() -> None:
    model = nn.Module()
    model.resnet_stem = nn.Conv2d(3, 16, 7, stride=2, padding=3)   # a CNN's first conv: kept
    model.inner = nn.Module()
    model.inner.patch = nn.Conv2d(3, 32, 8, stride=8)             # patchify: replaced
    model.features = nn.Conv2d(16, 32, 4, stride=4)               # not over RGB: kept
    assert [n for n, m in model.named_modules() if is_patchify(m)] == ["inner.patch"]
    assert replace_patchify_stems(model) == ["inner.patch"]
    assert isinstance(model.inner.patch, ConvStem)
    assert isinstance(model.resnet_stem, nn.Conv2d) and isinstance(model.features, nn.Conv2d)
    assert not any(is_patchify(m) for m in model.modules())


def test_conv_stem_on_a_model_without_a_patchify_convolution_is_an_error() -> None:
    from ravar_bench.registry import MODELS

    with pytest.raises(ValueError, match="conv_stem: PriorOnly has no patchify convolution"):
        MODELS.build(dict(type="PriorOnly", conv_stem=dict(convs_per_stage=2)))
