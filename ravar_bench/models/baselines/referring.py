"""``ReferringBaseline``: the one RAVAR model class behind the paper's 15 baselines (Sec. 3.2).

visual encoder (or none) + text encoder (or none) + a fusion that injects the reference -> pooled
feature -> the shared ``RAVARHead`` and losses of ``RAVARBaseModel``. Each baseline is a config.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ravar_bench.models.base import RAVARBaseModel
from ravar_bench.models.baselines.encoders import TextFeatures
from ravar_bench.registry import MODELS
from ravar_bench.structures import RAVARDataSample


@MODELS.register_module()
class ReferringBaseline(RAVARBaseModel):
    """A baseline adapted to RAVAR: ``fusion(visual(inputs), text(tokenizer(prompt(reference))), inputs)``.

    Args:
        fusion: registry config of the text-injection module; ``visual_dim`` / ``text_dim`` are filled in
            from the encoders when those exist.
        tokenizer: reference tokenizer config (``HashingTokenizer`` at CPU scale, ``PretrainedTokenizer``).
        visual: registry config of a visual encoder (``inputs`` -> tokens [B,N,C]); None when the fusion owns it.
        text: ``TextEncoder`` config; None when the fusion embeds the token ids itself.
        prompt: format string the reference is put in, e.g. a question for the VQA baselines.
    """

    def __init__(self, fusion: dict, tokenizer: dict, visual: dict | None = None, text: dict | None = None,
                 prompt: str = "{}", **base_kwargs) -> None:
        super().__init__(**base_kwargs)
        if "{}" not in prompt:
            raise ValueError(f"prompt must contain '{{}}' where the reference goes, got {prompt!r}")
        self.prompt = prompt
        self.visual = MODELS.build(visual) if visual is not None else None
        self.text = MODELS.build(text) if text is not None else None
        dims = {k: m.out_dim for k, m in (("visual_dim", self.visual), ("text_dim", self.text)) if m is not None}
        self.fusion = MODELS.build({**fusion, **dims})
        self.tokenizer = MODELS.build(tokenizer)
        rows = getattr(self.text if self.text is not None else self.fusion, "vocab_size", None)
        if rows is not None and self.tokenizer.vocab_size > rows:
            raise ValueError(f"tokenizer: vocab_size {self.tokenizer.vocab_size} exceeds the {rows} word embeddings "
                             "of the model's text encoder; make the two agree in the config")
        self.finish_init(self.fusion.out_dim)

    def encode_text(self, data_samples: Sequence[RAVARDataSample], device: torch.device) -> TextFeatures:
        """Tokenise each sample's reference (in ``prompt``) and run the text encoder if there is one."""
        missing = [i for i, s in enumerate(data_samples) if "text" not in s.metainfo]
        if missing:
            raise KeyError(f"{type(self).__name__} needs data_sample.metainfo['text'] (the reference); "
                           f"missing on samples {missing}")
        encoded = self.tokenizer([self.prompt.format(s.metainfo["text"]) for s in data_samples])
        ids, mask = encoded["input_ids"].to(device), encoded["attention_mask"].to(device)
        return self.text(ids, mask) if self.text is not None else TextFeatures(ids, mask)

    def encode(self, inputs: dict, data_samples: Sequence[RAVARDataSample]) -> torch.Tensor:
        """Pooled clip-and-reference feature [B, fusion.out_dim]."""
        visual = self.visual(inputs) if self.visual is not None else None
        return self.fusion(visual, self.encode_text(data_samples, inputs["frames"].device), inputs)
