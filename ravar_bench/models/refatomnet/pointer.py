"""The referring pointer: which detected person does the reference describe?

At CPU scale RefAtomNet learns grounding from a direct signal instead of only through the box loss on a
pooled feature: each person detection is cut from the key frame (RoIAlign) and described by a small CNN
plus its box geometry, the reference by the mean of the Q-Former text path's tokens, and a scaled dot
product scores each person, trained with cross-entropy on the detection that overlaps the ground-truth
box most. The visual stream then reads only the chosen person's tube, and the box head refines the chosen
person's box (docs/MODELS.md, "The referring pointer at CPU scale").
"""

from __future__ import annotations

import torch
from torch import nn
from torchvision.ops import box_iou

from ravar_bench.models.refatomnet.person_tubes import conv_block, cut_boxes
from ravar_bench.registry import MODELS


def box_geometry(boxes: torch.Tensor) -> torch.Tensor:
    """Normalised x1,y1,x2,y2 boxes [...,4] -> corners, centre and size [...,8]."""
    size = boxes[..., 2:] - boxes[..., :2]
    return torch.cat([boxes, boxes[..., :2] + size / 2, size], dim=-1)


@MODELS.register_module()
class ReferringPointer(nn.Module):
    """Key frame [B,3,H,W], person boxes [B,P,4] (mask [B,P]) and reference tokens [B,L,E] (mask [B,L])
    -> logits [B,P].

    Args:
        text_dim: width of the reference tokens.
        crop_size: (height, width) in pixels of each person's key-frame cut.
        width: channels of the appearance CNN (two stride-2 stages; the map is flattened, so top and
            bottom colours stay apart).
        dim: width of the score's query and key.
    """

    def __init__(self, text_dim: int, crop_size: tuple[int, int] = (32, 16), width: int = 32,
                 dim: int = 128) -> None:
        super().__init__()
        self.crop_size = tuple(crop_size)
        self.appearance = nn.Sequential(conv_block(3, 16, 1), conv_block(16, width, 2), conv_block(width, width, 2),
                                        nn.Flatten(), nn.Linear(width * (crop_size[0] // 4) * (crop_size[1] // 4), dim))
        self.geometry = nn.Sequential(nn.Linear(8, dim), nn.GELU(), nn.Linear(dim, dim))
        self.key = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, dim))
        self.query = nn.Sequential(nn.LayerNorm(text_dim), nn.Linear(text_dim, dim))

    def forward(self, keyframe: torch.Tensor, boxes: torch.Tensor, person_mask: torch.Tensor, text: torch.Tensor,
                text_mask: torch.Tensor) -> torch.Tensor:
        """Absent persons get a logit of -1e4, so a softmax over the row ignores them."""
        b, p = boxes.shape[:2]
        persons = self.appearance(cut_boxes(keyframe, boxes, self.crop_size)).view(b, p, -1)
        keys = self.key(persons + self.geometry(box_geometry(boxes)))                     # [B,P,dim]
        weights = text_mask.unsqueeze(-1).to(text.dtype)
        reference = self.query((text * weights).sum(1) / weights.sum(1).clamp(min=1))    # [B,dim]
        logits = (keys * reference.unsqueeze(1)).sum(-1) / keys.shape[-1] ** 0.5
        return logits.masked_fill(~person_mask.bool(), -1e4)


def grounding_targets(gt_boxes: torch.Tensor, person_boxes: torch.Tensor, person_mask: torch.Tensor,
                      min_iou: float = 0.5) -> tuple[torch.Tensor, torch.Tensor]:
    """For each sample the person with the highest IoU to the ground-truth box [B,4], and whether that IoU
    reaches ``min_iou`` (a sample whose referred person was not detected teaches the pointer nothing)."""
    iou = torch.stack([box_iou(gt[None], boxes)[0] for gt, boxes in zip(gt_boxes, person_boxes, strict=True)])
    best, target = iou.masked_fill(~person_mask.bool(), -1.0).max(dim=1)
    return target, best >= min_iou
