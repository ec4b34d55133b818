"""Text-injection modules of the baselines: how each family of Sec. 3.2 mixes the reference into the video.

Every fusion maps ``(visual tokens [B,N,Cv] or None, TextFeatures, inputs)`` to a pooled feature
[B, out_dim] for the shared RAVAR head. Modules that own their encoders (X-CLIP, BLIP-2, AskAnything)
receive ``visual=None`` and read ``inputs`` themselves.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ravar_bench.models.baselines.encoders import TextFeatures, build_pretrained, masked_mean
from ravar_bench.models.encoders import BLIP2Encoder
from ravar_bench.registry import MODELS


def linear_or_identity(in_dim: int, out_dim: int) -> nn.Module:
    """A projection only where the widths differ."""
    return nn.Identity() if in_dim == out_dim else nn.Linear(in_dim, out_dim)


def match_features(video: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
    """Retrieval-style pair feature ``[v, t, v * t]`` of L2-normalised embeddings [B,D] -> [B,3D], scaled by
    sqrt(D) to unit RMS, the scale the head's layers are initialised for."""
    scale = video.shape[-1] ** 0.5
    video, text = F.normalize(video, dim=-1) * scale, F.normalize(text, dim=-1) * scale
    return torch.cat([video, text, video * text], dim=-1)


def transformer_layer(dim: int, num_heads: int, mlp_ratio: float, cross: bool = False) -> nn.Module:
    """A post-norm BERT-style layer (GELU); ``cross`` adds cross-attention to a memory (a fusion-encoder layer)."""
    layer = nn.TransformerDecoderLayer if cross else nn.TransformerEncoderLayer
    return layer(dim, num_heads, int(dim * mlp_ratio), dropout=0.0, activation="gelu", batch_first=True)


@MODELS.register_module()
class AdditiveFusion(nn.Module):
    """AAL: the pooled reference embedding is projected and added to the pooled visual feature."""

    def __init__(self, visual_dim: int, text_dim: int, dim: int) -> None:
        super().__init__()
        self.visual_proj, self.text_proj = nn.Linear(visual_dim, dim), nn.Linear(text_dim, dim)
        self.out_dim = dim

    def forward(self, visual: torch.Tensor, text: TextFeatures, inputs: dict) -> torch.Tensor:
        """mean_N(visual) W_v + pooled_text W_t -> [B, dim]."""
        return self.visual_proj(visual.mean(1)) + self.text_proj(text.pooled)


@MODELS.register_module()
class CrossAttentionFusion(nn.Module):
    """Singularity's fusion encoder: reference tokens self-attend and cross-attend to visual tokens; masked mean."""

    def __init__(self, visual_dim: int, text_dim: int, num_layers: int, num_heads: int, mlp_ratio: float = 4.0) -> None:
        super().__init__()
        self.visual_proj = linear_or_identity(visual_dim, text_dim)
        self.decoder = nn.TransformerDecoder(transformer_layer(text_dim, num_heads, mlp_ratio, cross=True), num_layers)
        self.out_dim = text_dim

    def forward(self, visual: torch.Tensor, text: TextFeatures, inputs: dict) -> torch.Tensor:
        """Text tokens [B,L,C] x visual tokens [B,N,Cv] -> [B, C]."""
        padding = text.attention_mask == 0
        fused = self.decoder(text.tokens, self.visual_proj(visual), tgt_key_padding_mask=padding)
        return masked_mean(fused, text.attention_mask)


@MODELS.register_module()
class JointSequenceFusion(nn.Module):
    """Su et al.'s "sequence as a whole": video and reference tokens in one transformer encoder; masked mean."""

    def __init__(self, visual_dim: int, text_dim: int, dim: int, num_layers: int, num_heads: int,
                 mlp_ratio: float = 4.0) -> None:
        super().__init__()
        self.visual_proj, self.text_proj = nn.Linear(visual_dim, dim), nn.Linear(text_dim, dim)
        self.modality = nn.Parameter(torch.zeros(2, dim))
        nn.init.normal_(self.modality, std=0.02)
        self.encoder = nn.TransformerEncoder(transformer_layer(dim, num_heads, mlp_ratio), num_layers)
        self.out_dim = dim

    def forward(self, visual: torch.Tensor, text: TextFeatures, inputs: dict) -> torch.Tensor:
        """[visual; text] tokens with modality embeddings -> encoder -> mean over valid tokens [B, dim]."""
        v = self.visual_proj(visual) + self.modality[0]
        t = self.text_proj(text.tokens) + self.modality[1]
        mask = torch.cat([text.attention_mask.new_ones(v.shape[:2]), text.attention_mask], dim=1)
        fused = self.encoder(torch.cat([v, t], dim=1), src_key_padding_mask=mask == 0)
        return masked_mean(fused, mask)


@MODELS.register_module()
class RetrievalFusion(nn.Module):
    """CLIP4Clip / MeVTR: per-frame embeddings, optional temporal transformer, video-text pair feature.

    ``pool="mean"`` is CLIP4Clip's meanP; ``pool="text"`` weights frames by their similarity to the
    reference (MeVTR's text-conditioned key-event pooling).
    """

    def __init__(self, visual_dim: int, text_dim: int, dim: int, temporal_layers: int = 0, num_heads: int = 8,
                 max_frames: int = 32, pool: str = "mean") -> None:
        super().__init__()
        if pool not in ("mean", "text"):
            raise ValueError(f"RetrievalFusion: pool must be 'mean' or 'text', got {pool!r}")
        self.pool = pool
        self.temporal = None
        if temporal_layers:
            self.frame_pos = nn.Parameter(torch.zeros(max_frames, visual_dim))
            self.temporal = nn.TransformerEncoder(transformer_layer(visual_dim, num_heads, 4.0), temporal_layers)
        self.visual_proj, self.text_proj = linear_or_identity(visual_dim, dim), linear_or_identity(text_dim, dim)
        self.out_dim = 3 * dim

    def forward(self, visual: torch.Tensor, text: TextFeatures, inputs: dict) -> torch.Tensor:
        """Frame embeddings [B,T,Cv] and the pooled reference -> ``[v, t, v*t]`` [B, 3*dim]."""
        if self.temporal is not None:
            visual = visual + self.temporal(visual + self.frame_pos[: visual.shape[1]])  # CLIP4Clip seqTransf
        frames, reference = self.visual_proj(visual), self.text_proj(text.pooled)
        if self.pool == "mean":
            video = frames.mean(1)
        else:
            sim = torch.einsum("btd,bd->bt", F.normalize(frames, dim=-1), F.normalize(reference, dim=-1))
            video = (sim.div(0.1).softmax(-1).unsqueeze(-1) * frames).sum(1)
        return match_features(video, reference)


@MODELS.register_module()
class XCLIPFusion(nn.Module):
    """X-CLIP (transformers ``XCLIPModel``): cross-frame video embedding and its video-prompted text embedding."""

    def __init__(self, xclip: dict, pretrained: str | None = None) -> None:
        super().__init__()
        self.xclip = build_pretrained(xclip, pretrained, "model.fusion.pretrained")
        # The temperature only scales X-CLIP's contrastive logits, which RAVAR's heads do not use.
        self.xclip.logit_scale.requires_grad_(False)
        self.image_size = self.xclip.config.vision_config.image_size
        self.vocab_size = self.xclip.config.text_config.vocab_size
        self.out_dim = 3 * self.xclip.config.projection_dim

    def forward(self, visual: None, text: TextFeatures, inputs: dict) -> torch.Tensor:
        """Frames [B,T,3,H,W] and reference ids -> ``[v, t_v, v*t_v]`` with t_v prompted by its own video."""
        frames = inputs["frames"]
        if frames.shape[-1] != self.image_size:
            size = (self.image_size, self.image_size)
            frames = F.interpolate(frames.flatten(0, 1), size=size, mode="bilinear", align_corners=False)
            frames = frames.view(*inputs["frames"].shape[:3], *size)
        out = self.xclip(input_ids=text.input_ids, attention_mask=text.attention_mask, pixel_values=frames)
        own_text = out.text_embeds.diagonal(dim1=0, dim2=1).T  # [B,B,D]: video b prompts text k; keep k = b
        return match_features(out.video_embeds, own_text)


@MODELS.register_module()
class BLIP2Fusion(nn.Module):
    """BLIP-2: frame Q-Former queries (averaged over frames) matched to the reference's Q-Former [CLS].

    The query most similar to the reference is kept (a softmax over BLIP-2's ITC max over queries).
    """

    def __init__(self, vision: dict, qformer: dict, num_query_tokens: int = 32, pretrained: str | None = None) -> None:
        super().__init__()
        self.blip2 = BLIP2Encoder(vision, qformer, num_query_tokens, pretrained)
        self.vocab_size = self.blip2.vocab_size
        self.out_dim = 3 * self.blip2.dim

    def forward(self, visual: None, text: TextFeatures, inputs: dict) -> torch.Tensor:
        """Frames and reference ids -> ``[v, t, v*t]`` [B, 3D]."""
        queries = self.blip2.encode_frames(inputs["frames"]).mean(1)                       # [B,Q,D]
        reference = self.blip2.encode_text(text.input_ids, text.attention_mask)[:, 0]     # [CLS], [B,D]
        sim = torch.einsum("bqd,bd->bq", F.normalize(queries, dim=-1), F.normalize(reference, dim=-1))
        video = (sim.div(0.07).softmax(-1).unsqueeze(-1) * queries).sum(1)
        return match_features(video, reference)


@MODELS.register_module()
class LLMFusion(nn.Module):
    """AskAnything (VideoChat): BLIP-2 frame queries projected into a LLaMA prompt before the question.

    The LLM's hidden state at the last question token goes through a small ``adapter`` (the trainable part
    when the encoders, projection and LLM are frozen, as in the paper's 0.66M trainable parameters).
    """

    def __init__(self, vision: dict, qformer: dict, llm: dict, dim: int, num_query_tokens: int = 32,
                 pretrained_blip2: str | None = None, pretrained_llm: str | None = None) -> None:
        super().__init__()
        self.blip2 = BLIP2Encoder(vision, qformer, num_query_tokens, pretrained_blip2)
        self.llm = build_pretrained(llm, pretrained_llm, "model.fusion.pretrained_llm")
        self.proj = nn.Linear(self.blip2.dim, self.llm.config.hidden_size)
        self.adapter = nn.Linear(self.llm.config.hidden_size, dim)
        self.vocab_size = self.llm.config.vocab_size
        self.out_dim = dim

    def forward(self, visual: None, text: TextFeatures, inputs: dict) -> torch.Tensor:
        """[video queries of all frames; question tokens] -> LLaMA -> last question token -> adapter [B, dim]."""
        video = self.proj(self.blip2.encode_frames(inputs["frames"]).flatten(1, 2))       # [B,T*Q,H]
        question = self.llm.get_input_embeddings()(text.input_ids)
        mask = torch.cat([text.attention_mask.new_ones(video.shape[:2]), text.attention_mask], dim=1)
        embeds = torch.cat([video.to(question.dtype), question], dim=1)  # the LLM may be held in bf16
        hidden = self.llm(inputs_embeds=embeds, attention_mask=mask).last_hidden_state
        last = mask.sum(1) - 1                                    # right padding: last valid position
        pooled = hidden[torch.arange(len(last), device=last.device), last]
        return self.adapter(pooled.to(self.adapter.weight.dtype))


@MODELS.register_module()
class RegionScoringFusion(nn.Module):
    """Single-frame baselines: key-frame regions (SAM cells, DETR queries, RefCLIP anchors) scored by the reference.

    The softmax-weighted region, CLIP's global key-frame embedding, the reference and region x reference
    are concatenated.
    """

    def __init__(self, visual_dim: int, text_dim: int, dim: int, image_encoder: dict) -> None:
        super().__init__()
        self.image_encoder = MODELS.build(image_encoder)
        self.region_proj, self.text_proj = nn.Linear(visual_dim, dim), nn.Linear(text_dim, dim)
        self.image_proj = nn.Linear(self.image_encoder.out_dim, dim)
        self.out_dim = 4 * dim

    def forward(self, visual: torch.Tensor, text: TextFeatures, inputs: dict) -> torch.Tensor:
        """Regions [B,R,Cr] -> reference-weighted region ⊕ global image ⊕ reference ⊕ product [B, 4*dim]."""
        regions, reference = self.region_proj(visual), self.text_proj(text.pooled)
        scores = torch.einsum("brd,bd->br", regions, reference) / regions.shape[-1] ** 0.5
        region = (scores.softmax(-1).unsqueeze(-1) * regions).sum(1)
        image = self.image_proj(self.image_encoder(inputs).mean(1))
        return torch.cat([region, image, reference, region * reference], dim=-1)
