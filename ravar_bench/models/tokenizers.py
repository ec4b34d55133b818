"""Text tokenizers owned by RAVAR models: a vocabulary-free hashing tokenizer and a local pretrained one."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence

import torch

from ravar_bench.registry import MODELS

_WORD = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")


def find_local_path(path: str | os.PathLike | None) -> str | None:
    """Where local pretrained files named ``path`` are: as given (relative to the working directory), else
    a relative path under the project root (the folder holding submissions/, e.g. its checkpoints/), else None."""
    if path is None:
        return None
    if os.path.exists(path):
        return os.fspath(path)
    if not os.path.isabs(path):
        from ravar_bench.errors import UserError
        from ravar_bench.paths import project_root

        try:
            candidate = project_root() / path
        except UserError:
            return None
        if candidate.exists():
            return str(candidate)
    return None


def require_local_path(path: str | os.PathLike | None, key: str) -> str:
    """:func:`find_local_path` of ``path``, or raise naming the config ``key`` when nothing exists there."""
    found = find_local_path(path)
    if found is None:
        raise FileNotFoundError(
            f"{key}: local pretrained files not found at {str(path)!r}. Nothing is downloaded at run time; "
            f"put the files there or set `{key}` to the directory that holds them.")
    return found


def _as_list(texts: str | Sequence[str]) -> list[str]:
    """Accept one string or a sequence of strings."""
    return [texts] if isinstance(texts, str) else list(texts)


@MODELS.register_module()
class HashingTokenizer:
    """Lower-cased word split, each word hashed (BLAKE2b, stable across processes) into a bucket.

    Ids: 0 = [PAD], 1 = [CLS], 2.. = ``vocab_size - 2`` hash buckets. Every sequence starts with
    [CLS] and is padded or truncated to ``max_length``, so needs no downloaded vocabulary.
    """

    PAD_ID = 0
    CLS_ID = 1
    NUM_SPECIAL = 2

    def __init__(self, vocab_size: int = 4096, max_length: int = 32) -> None:
        if vocab_size <= self.NUM_SPECIAL or max_length < 1:
            raise ValueError(f"HashingTokenizer: need vocab_size > {self.NUM_SPECIAL} and max_length >= 1, "
                             f"got vocab_size={vocab_size}, max_length={max_length}")
        self.vocab_size = vocab_size
        self.max_length = max_length

    def word_id(self, word: str) -> int:
        """Stable bucket id of one word (independent of PYTHONHASHSEED)."""
        digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
        return self.NUM_SPECIAL + int.from_bytes(digest, "little") % (self.vocab_size - self.NUM_SPECIAL)

    def encode(self, text: str) -> list[int]:
        """Token ids of one text, [CLS] first, truncated to ``max_length`` (no padding)."""
        words = _WORD.findall(text.lower())
        return [self.CLS_ID, *(self.word_id(w) for w in words)][: self.max_length]

    def __call__(self, texts: str | Sequence[str]) -> dict[str, torch.Tensor]:
        """Batch-encode into ``input_ids`` and ``attention_mask`` long tensors [B, max_length]."""
        texts = _as_list(texts)
        ids = torch.full((len(texts), self.max_length), self.PAD_ID, dtype=torch.long)
        for row, text in enumerate(texts):
            encoded = self.encode(text)
            ids[row, : len(encoded)] = torch.tensor(encoded, dtype=torch.long)
        return dict(input_ids=ids, attention_mask=(ids != self.PAD_ID).long())


@MODELS.register_module()
class PretrainedTokenizer:
    """A transformers tokenizer loaded from a local directory only (``local_files_only=True``)."""

    def __init__(self, path: str, max_length: int = 32, key: str = "tokenizer.path") -> None:
        from transformers import AutoTokenizer

        self.path = require_local_path(path, key)
        self.max_length = max_length
        self._tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
        if self._tokenizer.pad_token is None:
            # LLaMA's tokenizer has no pad token; pad with <unk> (VideoChat's choice), or else </s>. Padding is
            # masked out, so which token fills it does not change a model's output.
            self._tokenizer.pad_token = self._tokenizer.unk_token or self._tokenizer.eos_token
        if self._tokenizer.pad_token is None:
            raise ValueError(f"{key}: the tokenizer in {self.path!r} has no pad, unk or eos token to pad with")
        self.vocab_size = len(self._tokenizer)

    def __call__(self, texts: str | Sequence[str]) -> dict[str, torch.Tensor]:
        """Batch-encode into ``input_ids`` and ``attention_mask`` [B, max_length] (padded, truncated)."""
        out = self._tokenizer(_as_list(texts), padding="max_length", truncation=True,
                              max_length=self.max_length, return_tensors="pt")
        return dict(input_ids=out["input_ids"], attention_mask=out["attention_mask"])
