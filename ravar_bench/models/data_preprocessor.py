"""Batch assembly for every RAVAR model: stack the packed uint8 clips and normalise them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from mmengine.model import BaseDataPreprocessor

from ravar_bench.registry import MODELS

# OpenAI-CLIP / BLIP-2 image statistics on the 0..255 scale.
CLIP_MEAN = (122.770938, 116.7460125, 104.09373615)
CLIP_STD = (68.5005327, 66.6321579, 70.32316305)


def _stack(items: torch.Tensor | Sequence[torch.Tensor], name: str) -> torch.Tensor:
    """Stack per-sample tensors of one input field, with a clear error on mismatched shapes."""
    if isinstance(items, torch.Tensor):
        return items
    shapes = {tuple(t.shape) for t in items}
    if len(shapes) != 1:
        raise ValueError(f"RAVARDataPreprocessor: inputs['{name}'] has differing shapes {sorted(shapes)} in one "
                         "batch; resize every clip to one size in the pipeline (ResizeClip)")
    return torch.stack(list(items))


def _gather_inputs(inputs: Mapping | Sequence[Mapping]) -> dict:
    """Turn either a dict of per-sample lists or a list of per-sample dicts into a dict of lists."""
    if isinstance(inputs, Mapping):
        return dict(inputs)
    return {key: [sample[key] for sample in inputs] for key in inputs[0]}


@MODELS.register_module()
class RAVARDataPreprocessor(BaseDataPreprocessor):
    """Stack ``frames`` [T,3,H,W] -> float [B,T,3,H,W] and ``keyframe`` [3,h,w] -> [B,3,h,w], normalised.

    ``(x - mean) / std`` per RGB channel, both on the 0..255 scale; data samples pass through.
    """

    def __init__(self, mean: Sequence[float] = CLIP_MEAN, std: Sequence[float] = CLIP_STD,
                 non_blocking: bool = False) -> None:
        super().__init__(non_blocking)
        if len(mean) != 3 or len(std) != 3:
            raise ValueError(f"RAVARDataPreprocessor: mean and std need 3 values (RGB), got {mean} and {std}")
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(3, 1, 1), persistent=False)

    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        """Float ``(x - mean) / std`` over the channel axis at dim -3."""
        return (images.float() - self.mean) / self.std

    def forward(self, data: dict, training: bool = False) -> dict:
        """Collated ``dict(inputs, data_samples)`` -> stacked, normalised tensors on the model's device."""
        if "inputs" not in data:
            raise KeyError("RAVARDataPreprocessor: the batch has no 'inputs' (expected PackRAVARInputs output)")
        inputs = _gather_inputs(data["inputs"])
        for key in ("frames", "keyframe"):
            if key not in inputs:
                raise KeyError(f"RAVARDataPreprocessor: inputs has no '{key}' (got {sorted(inputs)})")
        stacked = {key: _stack(value, key) for key, value in inputs.items()}
        stacked = self.cast_data(stacked)
        frames, keyframe = stacked["frames"], stacked["keyframe"]
        if frames.dim() != 5 or frames.shape[2] != 3:
            raise ValueError(f"RAVARDataPreprocessor: frames must stack to [B,T,3,H,W], got {tuple(frames.shape)}")
        if keyframe.dim() != 4 or keyframe.shape[1] != 3:
            raise ValueError(f"RAVARDataPreprocessor: keyframe must stack to [B,3,h,w], got {tuple(keyframe.shape)}")
        stacked.update(frames=self.normalize(frames), keyframe=self.normalize(keyframe))
        return dict(inputs=stacked, data_samples=self.cast_data(data.get("data_samples")))
