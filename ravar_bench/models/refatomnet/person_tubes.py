"""Person tubes: what each detected person looks like and does over the clip, as Q-Former memory.

Each person detection's key-frame box, widened so that a walker stays inside it over the clip, is cut
from every frame with RoIAlign; a small 3D CNN (the learnability study's, docs/STUDIES.md) turns each
person's stack of cuts into one token per frame (only the people are convolved, not the whole frame, and
the 3D kernels see motion). The result is
one token per (person, frame), masked where a sample has fewer detections than ``max_persons``. Used by
RefAtomNet's CPU-scale configs in place of per-frame ViT patches (docs/MODELS.md, "Eq. 1 at CPU scale").
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torchvision.ops import roi_align

from ravar_bench.registry import MODELS


def conv_block(cin: int, cout: int, stride: int) -> nn.Sequential:
    """3x3 convolution, group norm (8 groups, fewer for narrow layers), GELU."""
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
                         nn.GroupNorm(math.gcd(8, cout), cout), nn.GELU())


def tube_block(cin: int, cout: int) -> nn.Sequential:
    """3x3x3 convolution, batch norm, ReLU, then 2x2 spatial max pooling (time kept)."""
    return nn.Sequential(nn.Conv3d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm3d(cout), nn.ReLU(inplace=True),
                         nn.MaxPool3d((1, 2, 2)))


def widen_boxes(boxes: torch.Tensor, widen: float) -> torch.Tensor:
    """Normalised x1,y1,x2,y2 boxes [...,4] grown by ``widen`` box widths on each side, clipped to [0, 1]."""
    x1, y1, x2, y2 = boxes.unbind(-1)
    pad = widen * (x2 - x1)
    return torch.stack([x1 - pad, y1, x2 + pad, y2], dim=-1).clamp(0.0, 1.0)


def cut_boxes(images: torch.Tensor, boxes: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """RoIAlign of normalised boxes [N,M,4] from images [N,3,H,W] -> cuts [N*M,3,*size], image-major."""
    n, m = boxes.shape[:2]
    h, w = images.shape[-2:]
    pixels = (boxes * boxes.new_tensor([w, h, w, h])).reshape(-1, 4)
    index = torch.arange(n, device=images.device, dtype=pixels.dtype).repeat_interleave(m)
    return roi_align(images, torch.cat([index[:, None], pixels], dim=1), size, aligned=True)


@MODELS.register_module()
class PersonTubeEncoder(nn.Module):
    """Frames [B,T,3,H,W] and person boxes [B,M,4] -> tokens [B,M*T,dim], their mask [B,M*T] and each
    person's whole-tube summary [B,M,width] (the CNN's map averaged over time and space, the feature the
    learnability study classifies).

    Args:
        crop_size: (height, width) in pixels of each person cut.
        width: channels of the 3D CNN's last stages (four blocks of width/4, width/2, width and width
            channels, each halving the cut's height and width, none the time; each frame's map is flattened
            into its token, so top and bottom stay apart).
        dim: token width (the Q-Former's ``encoder_hidden_size``).
        max_frames: the longest clip the time embedding covers.
        widen: box widths added on each side of the key-frame box for the other frames.
    """

    def __init__(self, crop_size: tuple[int, int] = (32, 16), width: int = 64, dim: int = 128,
                 max_frames: int = 16, widen: float = 0.5) -> None:
        super().__init__()
        self.crop_size, self.widen = tuple(crop_size), widen
        self.cnn = nn.Sequential(tube_block(3, width // 4), tube_block(width // 4, width // 2),
                                 tube_block(width // 2, width), tube_block(width, width))
        self.embed = nn.Linear(width * (self.crop_size[0] // 16) * (self.crop_size[1] // 16), dim)
        self.box_embed = nn.Linear(4, dim)
        self.time_embed = nn.Parameter(torch.zeros(max_frames, dim))
        nn.init.normal_(self.time_embed, std=0.02)
        self.norm = nn.LayerNorm(dim)

    @property
    def dim(self) -> int:
        """Width of the tokens."""
        return self.embed.out_features

    @property
    def summary_dim(self) -> int:
        """Width of the per-person summaries (the CNN's last stage)."""
        return self.cnn[-1][0].out_channels

    def forward(self, frames: torch.Tensor, boxes: torch.Tensor, mask: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Tokens ordered person-major ([p0 t0, p0 t1, ...]), the mask repeated over frames, the summaries."""
        b, t = frames.shape[:2]
        m = boxes.shape[1]
        if t > self.time_embed.shape[0]:
            raise ValueError(f"PersonTubeEncoder: clip of {t} frames exceeds max_frames={self.time_embed.shape[0]}")
        wide = widen_boxes(boxes, self.widen).unsqueeze(1).expand(b, t, m, 4).reshape(b * t, m, 4)
        crops = cut_boxes(frames.flatten(0, 1), wide, self.crop_size)                    # [B*T*M,3,h',w']
        tubes = crops.view(b, t, m, *crops.shape[1:]).permute(0, 2, 3, 1, 4, 5).flatten(0, 1)  # [B*M,3,T,h',w']
        maps = self.cnn(tubes)                                                            # [B*M,C,T,h,w]
        tokens = self.embed(maps.transpose(1, 2).flatten(2)).view(b, m, t, -1)            # per frame: C*h*w
        tokens = self.norm(tokens + self.box_embed(boxes)[:, :, None] + self.time_embed[:t])
        summaries = maps.mean(dim=(2, 3, 4)).view(b, m, -1)
        return tokens.reshape(b, m * t, -1), mask.repeat_interleave(t, dim=1), summaries
