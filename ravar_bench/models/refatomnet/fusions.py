"""The stream-fusion alternatives of the paper's Table 3: each maps M streams [B,N,D] to one [B,D].

Each is registered in ``ravar_bench.registry.FUSIONS`` under the name a config gives RefAtomNet's
``fusion`` (``"addition"``, ...); all share one constructor signature (``LateFusion``)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ravar_bench.registry import FUSIONS, build


def token_means(streams: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """Mean over the token axis of every stream: M x [B, D]."""
    return [s.mean(dim=1) for s in streams]


class LateFusion(nn.Module):
    """The interface of a late fusion: built from the token width, the number of streams, heads and MLP ratio
    (those it has no use for are ignored), so that RefAtomNet builds any of them from one config name."""

    def __init__(self, dim: int, num_streams: int, num_heads: int = 1, mlp_ratio: float = 4.0) -> None:
        super().__init__()

    def forward(self, streams: Sequence[torch.Tensor]) -> torch.Tensor:
        """M x [B,N,D] -> [B,D]."""
        raise NotImplementedError


@FUSIONS.register_module(name="addition")
class AdditionFusion(LateFusion):
    """Late fusion by addition of the token-mean of each stream (Table 3 "Addition" = w/o ALSAF)."""

    def forward(self, streams: Sequence[torch.Tensor]) -> torch.Tensor:
        """M x [B,N,D] -> [B,D]."""
        return torch.stack(token_means(streams)).sum(0)


@FUSIONS.register_module(name="multiplication")
class MultiplicationFusion(LateFusion):
    """Late fusion by element-wise product of the stream token-means."""

    def forward(self, streams: Sequence[torch.Tensor]) -> torch.Tensor:
        """M x [B,N,D] -> [B,D]."""
        return torch.stack(token_means(streams)).prod(0)


@FUSIONS.register_module(name="concatenation")
class ConcatenationFusion(LateFusion):
    """Late fusion by channel concatenation of the stream token-means and a linear map back to D."""

    def __init__(self, dim: int, num_streams: int, num_heads: int = 1, mlp_ratio: float = 4.0) -> None:
        super().__init__(dim, num_streams)
        self.proj = nn.Linear(num_streams * dim, dim)

    def forward(self, streams: Sequence[torch.Tensor]) -> torch.Tensor:
        """M x [B,N,D] -> [B,D]."""
        return self.proj(torch.cat(token_means(streams), dim=-1))


def _encoder_layer(dim: int, num_heads: int, mlp_ratio: float) -> nn.TransformerEncoderLayer:
    """A pre-LN PyTorch transformer layer."""
    return nn.TransformerEncoderLayer(dim, num_heads, int(dim * mlp_ratio), dropout=0.0, activation="gelu",
                                      batch_first=True, norm_first=True)


@FUSIONS.register_module(name="attention_bottleneck")
class AttentionBottleneckFusion(LateFusion):
    """Attention bottlenecks (Nagrani et al., 2021): streams exchange information only via shared tokens.

    Per layer, each stream m runs its own transformer layer over ``[X_m ; Z]``; the new bottleneck ``Z``
    is the mean over streams of their updated bottleneck tokens. Output: mean over streams of the
    token-mean of each stream.
    """

    def __init__(self, dim: int, num_streams: int, num_heads: int = 1, mlp_ratio: float = 4.0,
                 num_bottlenecks: int = 4, num_layers: int = 1) -> None:
        super().__init__(dim, num_streams)
        self.bottleneck = nn.Parameter(torch.zeros(1, num_bottlenecks, dim))
        nn.init.trunc_normal_(self.bottleneck, std=0.02)
        self.layers = nn.ModuleList(
            nn.ModuleList(_encoder_layer(dim, num_heads, mlp_ratio) for _ in range(num_streams))
            for _ in range(num_layers))

    def forward(self, streams: Sequence[torch.Tensor]) -> torch.Tensor:
        """M x [B,N,D] -> [B,D]."""
        streams = list(streams)
        z = self.bottleneck.expand(streams[0].shape[0], -1, -1)
        for per_stream in self.layers:
            outs = [layer(torch.cat([x, z], dim=1)) for layer, x in zip(per_stream, streams, strict=True)]
            streams = [o[:, : x.shape[1]] for o, x in zip(outs, streams, strict=True)]
            z = torch.stack([o[:, x.shape[1]:] for o, x in zip(outs, streams, strict=True)]).mean(0)
        return torch.stack(token_means(streams)).mean(0)


@FUSIONS.register_module(name="mcomet")
class McOmetFusion(LateFusion):
    """A simplified McOmet-style fusion (Zong & Sun, 2023): each stream cross-attends to the others.

    Stream m's tokens query the concatenated tokens of the other streams (multi-head cross-attention,
    pre-LN, residual) followed by an FFN; output is the mean over streams of the token-means. This
    keeps McOmet's cross-modal attention exchange and omits the rest of its design (documented).
    """

    def __init__(self, dim: int, num_streams: int, num_heads: int = 1, mlp_ratio: float = 4.0) -> None:
        super().__init__(dim, num_streams)
        self.norm_q = nn.ModuleList(nn.LayerNorm(dim) for _ in range(num_streams))
        self.norm_kv = nn.ModuleList(nn.LayerNorm(dim) for _ in range(num_streams))
        self.attn = nn.ModuleList(nn.MultiheadAttention(dim, num_heads, batch_first=True)
                                  for _ in range(num_streams))
        hidden = int(dim * mlp_ratio)
        self.ffn = nn.ModuleList(nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, hidden), nn.GELU(),
                                               nn.Linear(hidden, dim)) for _ in range(num_streams))

    def forward(self, streams: Sequence[torch.Tensor]) -> torch.Tensor:
        """M x [B,N,D] -> [B,D]."""
        fused = []
        for m, x in enumerate(streams):
            context = self.norm_kv[m](torch.cat([s for j, s in enumerate(streams) if j != m], dim=1))
            x = x + self.attn[m](self.norm_q[m](x), context, context, need_weights=False)[0]
            fused.append(x + self.ffn[m](x))
        return torch.stack(token_means(fused)).mean(0)


LATE_FUSIONS = tuple(FUSIONS.module_dict)  # the registered names, in registration order


def build_late_fusion(kind: str, dim: int, num_streams: int, num_heads: int = 1,
                      mlp_ratio: float = 4.0) -> nn.Module:
    """The late fusion registered as ``kind`` (one of Table 3's alternatives)."""
    return build(FUSIONS, dict(type=kind, dim=dim, num_streams=num_streams, num_heads=num_heads,
                               mlp_ratio=mlp_ratio))
