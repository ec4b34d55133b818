"""What one run is asked to do: the typed request the CLI builds once and the engine (and the sweep) read."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class RunRequest:
    """A submission to train (if needed) and test under one condition; paths as the user gave them."""

    submission: str
    split: str = "test"
    perturb: str | None = None  # NAME[:SEVERITY], parsed by perturbations.spec
    text_control: str | None = None  # None, "shuffled" or "empty"
    checkpoint: str | None = None  # weights to test instead of the cached or trained ones
    data_root: str | None = None  # real RefAVA; None = the embedded RefAVA-Synth
    seed: int = 0
    work_dir: str | None = None
    launcher: str = "none"  # "pytorch" under torchrun
    results_dir: str = "results"
    cfg_options: tuple[str, ...] = ()  # KEY=VALUE / +KEY=VALUE, checked against the config when it is loaded

    def __post_init__(self) -> None:
        object.__setattr__(self, "cfg_options", tuple(self.cfg_options))

    def with_cell(self, submission: str, split: str, perturb: str | None, text_control: str | None) -> RunRequest:
        """The same options for another (submission, split, condition): one cell of a sweep."""
        return replace(self, submission=submission, split=split, perturb=perturb, text_control=text_control)

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> RunRequest:
        """A request from a mapping that may hold more keys (e.g. ``vars(argparse_namespace)``)."""
        return cls(**{key: value for key, value in values.items() if key in cls.__dataclass_fields__})
