"""Person-tube tokens: what each detected person looks like and does over the clip, as Q-Former memory.

Each person detection's key-frame box, widened so that a walker stays inside it over the clip, is cut
from every frame with RoIAlign; a small CNN turns each cut into a token (only the people are convolved,
not the whole frame); a temporal convolution over each person's frame tokens adds motion. The result is
one token per (person, frame), masked where a sample has fewer detections than ``max_persons``. Used by
RefAtomNet's CPU-scale configs in place of per-frame ViT patches (docs/MODELS.md, "Eq. 1 at CPU scale").
"""

from __future__ import annotations

import torch
from torch import nn
from torchvision.ops import roi_align

from ravar_bench.registry import MODELS


def _conv(cin: int, cout: int, stride: int) -> nn.Sequential:
    """3x3 convolution, group norm, GELU."""
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.GroupNorm(8, cout),
                         nn.GELU())


def widen_boxes(boxes: torch.Tensor, widen: float) -> torch.Tensor:
    """Normalised x1,y1,x2,y2 boxes [...,4] grown by ``widen`` box widths on each side, clipped to [0, 1]."""
    x1, y1, x2, y2 = boxes.unbind(-1)
    pad = widen * (x2 - x1)
    return torch.stack([x1 - pad, y1, x2 + pad, y2], dim=-1).clamp(0.0, 1.0)


@MODELS.register_module()
class PersonTubeEncoder(nn.Module):
    """Frames [B,T,3,H,W] and person boxes [B,M,4] -> tokens [B,M*T,dim] and their mask [B,M*T].

    Args:
        crop_size: (height, width) in pixels of each person cut.
        width: channels of the CNN's last stage (stride 4 on the cut, flattened so top and bottom stay apart).
        dim: token width (the Q-Former's ``encoder_hidden_size``).
        max_frames: the longest clip the time embedding covers.
        widen: box widths added on each side of the key-frame box for the other frames.
    """

    def __init__(self, crop_size: tuple[int, int] = (32, 16), width: int = 64, dim: int = 128,
                 max_frames: int = 16, widen: float = 0.5) -> None:
        super().__init__()
        self.crop_size, self.widen = tuple(crop_size), widen
        self.cnn = nn.Sequential(_conv(3, 16, 1), _conv(16, 32, 2), _conv(32, width, 2))
        self.embed = nn.Linear(width * (self.crop_size[0] // 4) * (self.crop_size[1] // 4), dim)
        self.box_embed = nn.Linear(4, dim)
        self.time_embed = nn.Parameter(torch.zeros(max_frames, dim))
        nn.init.normal_(self.time_embed, std=0.02)
        self.motion = nn.Conv1d(dim, dim, kernel_size=3, padding=1)
        self.norm = nn.LayerNorm(dim)

    @property
    def dim(self) -> int:
        """Width of the tokens."""
        return self.embed.out_features

    def forward(self, frames: torch.Tensor, boxes: torch.Tensor, mask: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """Tokens ordered person-major ([p0 t0, p0 t1, ...]) and the mask repeated over frames."""
        b, t, _, h, w = frames.shape
        m = boxes.shape[1]
        if t > self.time_embed.shape[0]:
            raise ValueError(f"PersonTubeEncoder: clip of {t} frames exceeds max_frames={self.time_embed.shape[0]}")
        scale = boxes.new_tensor([w, h, w, h])
        cut = (widen_boxes(boxes, self.widen) * scale).unsqueeze(1).expand(b, t, m, 4).reshape(-1, 4)
        image_index = torch.arange(b * t, device=frames.device, dtype=cut.dtype).repeat_interleave(m)
        crops = roi_align(frames.flatten(0, 1), torch.cat([image_index[:, None], cut], dim=1), self.crop_size,
                          aligned=True)                                               # [B*T*M,3,h',w']
        tokens = self.embed(self.cnn(crops).flatten(1)).view(b, t, m, -1).transpose(1, 2)   # [B,M,T,D]
        tokens = tokens + self.box_embed(boxes)[:, :, None] + self.time_embed[:t]
        moving = self.motion(tokens.reshape(b * m, t, -1).transpose(1, 2)).transpose(1, 2)
        tokens = self.norm(tokens + moving.reshape(b, m, t, -1))
        return tokens.reshape(b, m * t, -1), mask.repeat_interleave(t, dim=1)
