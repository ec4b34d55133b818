"""What every perturbation shares: the input contract, the severity lookup and registration."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from ravar_bench.registry import PERTURBATIONS

SEVERITIES = (1, 2, 3, 4, 5)

Row = TypeVar("Row")
PerturbationFn = Callable[[np.ndarray, int, np.random.Generator], np.ndarray]


def check_clip(frames: np.ndarray, name: str) -> None:
    """Raise unless ``frames`` is a non-empty uint8 clip [T, H, W, 3], the input every perturbation takes."""
    if not isinstance(frames, np.ndarray) or frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[-1] != 3:
        got = f"{type(frames).__name__} {getattr(frames, 'dtype', '')} {getattr(frames, 'shape', '')}".strip()
        raise ValueError(f"perturbation {name!r} expects frames as a uint8 array [T, H, W, 3]; got {got}")
    if 0 in frames.shape:
        raise ValueError(f"perturbation {name!r} got an empty clip of shape {frames.shape}")


def severity_row(table: Sequence[Row], severity: int, name: str) -> Row:
    """The row of a five-level severity table for ``severity`` (1..5), or a clear error."""
    if isinstance(severity, bool) or not isinstance(severity, int | np.integer) or severity not in SEVERITIES:
        raise ValueError(f"perturbation {name!r}: severity must be an integer in 1..5, got {severity!r}")
    return table[int(severity) - 1]


def register_perturbation(name: str, version: int, table: Sequence) -> Callable[[PerturbationFn], PerturbationFn]:
    """Register a perturbation under ``name`` and attach its ``version`` and ``severity_table``.

    The version changes whenever the function's output for a given (input, severity, Generator) changes,
    so a stored result names exactly which corruption it was measured under.
    """
    if len(table) != len(SEVERITIES):
        raise ValueError(f"perturbation {name!r}: the severity table needs {len(SEVERITIES)} rows, got {len(table)}")

    def register(fn: PerturbationFn) -> PerturbationFn:
        fn.version = version
        fn.severity_table = tuple(table)
        PERTURBATIONS.register_module(name=name, module=fn)
        return fn

    return register
