"""Where ravar-bench keeps what it generates or trains: ``$RAVAR_BENCH_CACHE`` or ``~/.cache/ravar-bench``."""

from __future__ import annotations

import os
from pathlib import Path


def results_root() -> Path:
    """Where runs write their results directories by default: ``results/`` in the user cache, outside the
    source tree (the leaderboards keep a compact index of the runs they show, see docs/RESULTS.md)."""
    return cache_root() / "results"


def cache_root() -> Path:
    """The user cache folder (RefAVA-Synth, trained checkpoints); not created here."""
    configured = os.environ.get("RAVAR_BENCH_CACHE")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "ravar-bench"
