"""``ravar-bench sweep``: the grid of (submission, split, condition) cells, each run through the run path.

Each cell is one ``ravar-bench run`` invocation. The run path reuses cached checkpoints and finished
runs (same run id), and resumes an interrupted test from its staged predictions, so running the
sweep again after an interruption skips finished cells and continues the rest.
"""

from __future__ import annotations

import argparse
import glob
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ravar_bench.cli._common import CLIError, project_root

# Submissions that need local pretrained weights; a sweep includes them only when named explicitly.
NEEDS_WEIGHTS = "submissions/paper/"


@dataclass(frozen=True)
class Cell:
    """One run of the grid: a submission tested on a split under one condition."""

    submission: str
    split: str
    perturb: str | None = None
    text_control: str | None = None

    @cached_property
    def condition(self) -> str:
        """The results folder the run path writes for this cell: ``clean``, ``shot_noise-s3`` (aliases and
        default severities resolved) or ``clean-text-shuffled``."""
        from ravar_bench.engine.runs import condition_name
        from ravar_bench.perturbations.spec import parse_perturb

        return condition_name(parse_perturb(self.perturb) if self.perturb else None, self.text_control)

    def argv(self) -> list[str]:
        """This cell's ``ravar-bench run`` arguments (without the shared options)."""
        args = [self.submission, "--split", self.split]
        if self.perturb:
            args += ["--perturb", self.perturb]
        if self.text_control:
            args += ["--text-control", self.text_control]
        return args


def expand_submissions(patterns: Sequence[str] | None) -> list[str]:
    """Submission files matching the glob patterns (relative to the project root when not found here);
    by default every submission that needs no local weights."""
    root = project_root()
    if not patterns:
        from ravar_bench.engine.submission import known_submissions

        return [s for s in known_submissions() if not s.startswith(NEEDS_WEIGHTS)]
    found: list[str] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) or sorted(str(p.relative_to(root)) for p in root.glob(pattern))
        matches = [m for m in matches if "_base_" not in Path(m).parts]
        if not matches:
            raise CLIError(f"--submissions {pattern!r}: no submission file matches")
        found += [m for m in matches if m not in found]
    return found


def grid(submissions: Sequence[str], splits: Sequence[str], perturbations: Sequence[str],
         severities: Sequence[int], text_controls: Sequence[str]) -> list[Cell]:
    """Per submission and split: clean, each perturbation at each severity, each text control (clean video)."""
    cells = []
    for submission in submissions:
        for split in splits:
            cells.append(Cell(submission, split))
            cells += [Cell(submission, split, perturb=f"{p}:{s}") for p in perturbations for s in severities]
            cells += [Cell(submission, split, text_control=t) for t in text_controls]
    return cells


def dataset_name(data_root: str | None) -> str:
    """The results-path name the run path gives the data set (``runs.dataset_name``), without generating
    anything: no ``--data-root`` means the default RefAVA-Synth."""
    import json

    from ravar_bench.data.synth import MANIFEST_NAME
    from ravar_bench.engine import runs

    if data_root is None:
        return "refava-synth"
    root = Path(data_root).expanduser()
    manifest = root / MANIFEST_NAME
    return runs.dataset_name(json.loads(manifest.read_text()) if manifest.is_file() else None, root)


def finished(cell: Cell, results_dir: Path, dataset: str) -> bool:
    """Whether some finished run of this cell is stored (any run id); the run path decides exact reuse."""
    from ravar_bench.engine.submission import load_submission

    name = load_submission(cell.submission).name
    folder = results_dir / name / dataset / cell.split / cell.condition
    return folder.is_dir() and any((d / "results.json").is_file() for d in folder.iterdir())


def run_args(cell: Cell, shared: Sequence[str]) -> argparse.Namespace:
    """The argparse namespace ``ravar-bench run`` would build for this cell, via its own parser."""
    from ravar_bench.cli.run import add_run_arguments

    parser = argparse.ArgumentParser(prog="ravar-bench run")
    add_run_arguments(parser)
    return parser.parse_args([*cell.argv(), *shared])


def run_cell(cell: Cell, shared: Sequence[str]) -> Path:
    """Train-if-needed and test one cell through the run path; the results folder it wrote or reused."""
    from ravar_bench.engine.runs import ensure_weights, prepare, test

    args = run_args(cell, shared)
    prepared = prepare(args)
    return test(prepared, ensure_weights(prepared, args, allow_training=True), args)
