"""Stream encoders of RefAtomNet: BLIP-2 (ViT + Q-Former, visual and text paths) and a BERT name encoder.

Built from transformers config objects (random init) or loaded from a local pretrained directory.
"""

from __future__ import annotations

import json
import os

import torch
from torch import nn
from transformers import (
    BertConfig,
    BertModel,
    Blip2Config,
    Blip2ForImageTextRetrieval,
    Blip2QFormerConfig,
    Blip2QFormerModel,
    Blip2VisionConfig,
    Blip2VisionModel,
)
from transformers.models.blip_2.modeling_blip_2 import Blip2TextEmbeddings

from ravar_bench.models.tokenizers import require_local_path


def blip2_config(path: str) -> Blip2Config:
    """A local BLIP-2 directory's config, reading the Q-Former's text-path flag under either spelling: older
    configs write ``qformer_text_input``, which transformers 5 ignores (it reads ``use_qformer_text_input``)."""
    config = Blip2Config.from_pretrained(path, local_files_only=True)
    with open(os.path.join(path, "config.json")) as handle:
        qformer = json.load(handle).get("qformer_config", {})
    flag = qformer.get("use_qformer_text_input", qformer.get("qformer_text_input"))
    if flag is not None:
        config.qformer_config.use_qformer_text_input = bool(flag)
    return config


class BLIP2Encoder(nn.Module):
    """BLIP-2's image encoder and Q-Former with its BERT text path (the ``Blip2ForImageTextRetrieval`` parts).

    ``encode_frames``: ViT patch tokens of each frame -> Q-Former query tokens; ``encode_text``: the
    Q-Former's text path (BERT word/position embeddings, self-attention, text FFN) over a reference.
    """

    def __init__(self, vision: dict | None, qformer: dict, num_query_tokens: int = 32,
                 pretrained: str | None = None) -> None:
        """``vision=None`` builds no ViT: the Q-Former then reads memory tokens of width
        ``qformer['encoder_hidden_size']`` given to :meth:`query` (RefAtomNet's person tubes)."""
        super().__init__()
        if pretrained is not None:
            path = require_local_path(pretrained, "pretrained_blip2")
            source = Blip2ForImageTextRetrieval.from_pretrained(path, config=blip2_config(path), local_files_only=True)
            if not source.config.qformer_config.use_qformer_text_input:
                raise ValueError(f"pretrained_blip2={pretrained!r}: its Q-Former has no text path "
                                 "(qformer_config.use_qformer_text_input is False)")
            self.vision_model, self.query_tokens = source.vision_model, source.query_tokens
            self.embeddings, self.qformer = source.embeddings, source.qformer
            return
        if vision is None:
            self.vision_model = None
            qformer_cfg = Blip2QFormerConfig(**{**qformer, "use_qformer_text_input": True})
        else:
            vision_cfg = Blip2VisionConfig(**vision)
            qformer_cfg = Blip2QFormerConfig(**{**qformer, "encoder_hidden_size": vision_cfg.hidden_size,
                                                "use_qformer_text_input": True})
            self.vision_model = Blip2VisionModel(vision_cfg)
        self.query_tokens = nn.Parameter(torch.zeros(1, num_query_tokens, qformer_cfg.hidden_size))
        nn.init.normal_(self.query_tokens, std=qformer_cfg.initializer_range)
        self.embeddings = Blip2TextEmbeddings(qformer_cfg)
        self.qformer = Blip2QFormerModel(qformer_cfg)

    @property
    def dim(self) -> int:
        """Width of the Q-Former tokens."""
        return self.query_tokens.shape[-1]

    @property
    def num_query_tokens(self) -> int:
        """Number of learnable queries per frame."""
        return self.query_tokens.shape[1]

    @property
    def vocab_size(self) -> int:
        """Size of the Q-Former's word-embedding table."""
        return self.embeddings.word_embeddings.num_embeddings

    def encode_frames(self, frames: torch.Tensor, text_ids: torch.Tensor | None = None,
                      text_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Frames [B,T,3,H,W] -> per-frame query tokens [B,T,Q,D] over each frame's ViT patches (see :meth:`query`)."""
        b, t = frames.shape[:2]
        images = frames.flatten(0, 1)
        size = self.vision_model.config.image_size
        resized = tuple(images.shape[-2:]) != (size, size)
        patches = self.vision_model(pixel_values=images, interpolate_pos_encoding=resized).last_hidden_state
        if text_ids is not None:
            text_ids, text_mask = text_ids.repeat_interleave(t, dim=0), text_mask.repeat_interleave(t, dim=0)
        tokens = self.query(patches, None, text_ids, text_mask)
        return tokens.view(b, t, *tokens.shape[1:])

    def query(self, memory: torch.Tensor, memory_mask: torch.Tensor | None = None,
              text_ids: torch.Tensor | None = None, text_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Memory tokens [B,S,E] (mask [B,S]) -> query tokens [B,Q,D] that cross-attend to them.

        With ``text_ids`` / ``text_mask`` [B,L] the queries share the Q-Former's self-attention with the
        reference's tokens (BLIP-2's image-text matching mode), so they pick memory content for that text.
        """
        queries = self.query_tokens.expand(memory.shape[0], -1, -1)
        if memory_mask is not None:  # 4-D and broadcast over rows: transformers would expand a 2-D mask to
            memory_mask = memory_mask[:, None, None, :].bool()  # queries + text, but only queries cross-attend
        if text_ids is None:
            return self.qformer(query_embeds=queries, encoder_hidden_states=memory,
                                encoder_attention_mask=memory_mask).last_hidden_state
        num_queries = queries.shape[1]
        embeds = self.embeddings(input_ids=text_ids, query_embeds=queries)
        mask = torch.cat([text_mask.new_ones(len(text_ids), num_queries), text_mask], dim=1)
        return self.qformer(query_embeds=embeds, query_length=num_queries, attention_mask=mask,
                            encoder_hidden_states=memory, encoder_attention_mask=memory_mask
                            ).last_hidden_state[:, :num_queries]

    def encode_text(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Token ids [B,L] -> Q-Former text-path token embeddings [B,L,D]."""
        embeds = self.embeddings(input_ids=input_ids)
        return self.qformer(query_embeds=embeds, query_length=0, attention_mask=attention_mask).last_hidden_state


class NameEncoder(nn.Module):
    """BERT over detector category names -> one embedding per name (mean over its non-pad tokens)."""

    def __init__(self, bert: dict, pretrained: str | None = None) -> None:
        super().__init__()
        if pretrained is not None:
            self.bert = BertModel.from_pretrained(require_local_path(pretrained, "pretrained_bert"),
                                                  local_files_only=True, add_pooling_layer=False)
        else:
            self.bert = BertModel(BertConfig(**bert), add_pooling_layer=False)

    @property
    def dim(self) -> int:
        """Width of a name embedding."""
        return self.bert.config.hidden_size

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Token ids [K,L] -> name embeddings [K,D]."""
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)


class TokenResampler(nn.Module):
    """Map a masked, variable-content token sequence [B,L,D] to a fixed count [B,N,D] by a Linear on the token axis.

    Masked tokens are zeroed first, so padding carries no content.
    """

    def __init__(self, in_tokens: int, out_tokens: int) -> None:
        super().__init__()
        self.linear = nn.Linear(in_tokens, out_tokens)

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """[B,L,D], mask [B,L] -> [B,N,D]."""
        tokens = tokens * mask.unsqueeze(-1).to(tokens.dtype)
        return self.linear(tokens.transpose(1, 2)).transpose(1, 2)
