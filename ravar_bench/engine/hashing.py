"""Stable content hashes for configs and files (provenance and cache keys)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path


def stable_hash(obj, length: int = 16) -> str:
    """SHA-256 of the canonical JSON form of ``obj`` (sorted keys), first ``length`` hex digits."""
    text = json.dumps(obj, sort_keys=True, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def file_sha256(path: str | os.PathLike) -> str:
    """Full SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
