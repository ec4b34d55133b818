"""1D agent attention (RefAtomNet Eq. 4-6, 10-11) and the cross-stream fusion of Eq. 8-9.

Agent attention (Han et al., 2023) with agent tokens ``A`` standing in for the full ``N x N`` map:
agent aggregation ``V_A = softmax(A K^T s) V`` and agent broadcast ``O = softmax(Q A^T s) V_A``.
RefAtomNet makes ``A`` a fully connected projection of ``Q`` along the token axis (no 2D pooling, no
depthwise-convolution branch, no position bias).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn


def cross_stream_fuse(x: torch.Tensor, others: Sequence[torch.Tensor]) -> torch.Tensor:
    """Eq. 8/9: ``mean(x, x * softmax_{-2}(G), x * softmax_{-1}(G))`` with ``G`` the sum of ``others``.

    For an agent query map [B,h,N,n] axis -2 is the token axis (N) and -1 the agent axis; for agent
    tokens [B,h,n,d] axis -2 is the agent-token axis and -1 the channel axis.
    """
    guide = torch.stack(list(others)).sum(0)
    return (x + x * guide.softmax(dim=-2) + x * guide.softmax(dim=-1)) / 3


@dataclass
class AgentState:
    """Every intermediate of one agent-attention pass (shapes for ``h`` heads, ``n`` agents)."""

    q: torch.Tensor        # [B, h, N, d]      Eq. 4
    k: torch.Tensor        # [B, h, N, d]      Eq. 4
    v: torch.Tensor        # [B, h, N, d]      Eq. 4
    agents: torch.Tensor   # [B, h, n, d]      Eq. 4 (after CATF, Eq. 9, when fused)
    s_q: torch.Tensor      # [B, h, N, n]      agent query attention, Eq. 5/7 (after CAAF, Eq. 8, when fused)
    s_k: torch.Tensor      # [B, h, n, N]      agent key attention, Eq. 5/10
    agent_v: torch.Tensor  # [B, h, n, d]      agent-aggregated values S_k V
    out: torch.Tensor      # [B, N, D]         Eq. 11 before the output projection


@dataclass
class CrossStreamGuide:
    """The other streams' agent query maps and agent tokens that steer the visual stream."""

    s_q: Sequence[torch.Tensor]
    agents: Sequence[torch.Tensor]


class AgentAttention1D(nn.Module):
    """Agent attention over a fixed-length 1D token sequence, with optional CAAF and CATF inputs."""

    def __init__(self, dim: int, num_tokens: int, num_agents: int = 4, num_heads: int = 1,
                 qkv_bias: bool = True) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f"AgentAttention1D: dim {dim} is not divisible by num_heads {num_heads}")
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.agent = nn.Linear(num_tokens, num_agents)  # FC over the token axis replaces 2D pooling
        self.proj = nn.Linear(dim, dim)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        """[B, N, D] -> [B, h, N, D/h]."""
        b, n, _ = x.shape
        return x.view(b, n, self.num_heads, -1).transpose(1, 2)

    def attend(self, x: torch.Tensor, guide: CrossStreamGuide | None = None,
               use_caaf: bool = True, use_catf: bool = True) -> AgentState:
        """Eq. 4-5 (and 7-11 for a guided stream); returns every intermediate."""
        q, k, v = (self._heads(t) for t in self.qkv(x).chunk(3, dim=-1))
        agents = self.agent(q.transpose(-2, -1)).transpose(-2, -1)          # Eq. 4: [B,h,n,d]
        s_q = (q @ agents.transpose(-2, -1) * self.scale).softmax(dim=-1)   # Eq. 5/7: [B,h,N,n]
        if guide is not None and use_caaf:
            s_q = cross_stream_fuse(s_q, guide.s_q)                          # Eq. 8 (CAAF)
        if guide is not None and use_catf:
            agents = cross_stream_fuse(agents, guide.agents)                 # Eq. 9 (CATF)
        s_k = (agents @ k.transpose(-2, -1) * self.scale).softmax(dim=-1)   # Eq. 5/10: [B,h,n,N]
        agent_v = s_k @ v                                                    # [B,h,n,d]
        out = (s_q @ agent_v).transpose(1, 2).flatten(2)                     # Eq. 11: [B,N,D]
        return AgentState(q, k, v, agents, s_q, s_k, agent_v, out)


class AgentBlock(nn.Module):
    """Pre-LN transformer block: ``x + proj(AgentAttn(LN x))`` then ``x + FFN(LN x)`` (Eq. 6)."""

    def __init__(self, dim: int, num_tokens: int, num_agents: int = 4, num_heads: int = 1,
                 mlp_ratio: float = 4.0) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = AgentAttention1D(dim, num_tokens, num_agents, num_heads)
        self.norm2 = nn.LayerNorm(dim)
        hidden = int(dim * mlp_ratio)
        self.ffn = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x: torch.Tensor, guide: CrossStreamGuide | None = None, use_caaf: bool = True,
                use_catf: bool = True) -> tuple[torch.Tensor, AgentState]:
        """Tokens [B, N, D] -> (tokens [B, N, D], the attention intermediates)."""
        state = self.attn.attend(self.norm1(x), guide, use_caaf, use_catf)
        x = x + self.attn.proj(state.out)
        return x + self.ffn(self.norm2(x)), state
