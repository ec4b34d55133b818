"""``ravar-bench sweep``: the grid of (submission, split, condition) cells, each run through the run path.

Each cell is one run request (``engine.request.RunRequest``), as ``ravar-bench run`` would make. The
run path reuses cached checkpoints and finished runs (same run id), and resumes an interrupted test
from its staged predictions, so running the sweep again after an interruption skips finished cells
and continues the rest.
"""

from __future__ import annotations

import dataclasses
import functools
import glob
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from mmengine.config import Config

from ravar_bench.engine.request import RunRequest
from ravar_bench.errors import UserError
from ravar_bench.models.weights import weight_paths
from ravar_bench.paths import list_configs, project_root


@dataclass(frozen=True)
class Cell:
    """One run of the grid: a submission tested on a split under one condition."""

    submission: str
    split: str
    perturb: str | None = None
    text_control: str | None = None
    seed: int = 0

    @cached_property
    def condition(self) -> str:
        """The results folder the run path writes for this cell: ``clean``, ``shot_noise-s3`` (aliases and
        default severities resolved) or ``clean-text-shuffled``."""
        from ravar_bench.engine.results import condition_name
        from ravar_bench.perturbations.spec import parse_perturb

        return condition_name(parse_perturb(self.perturb) if self.perturb else None, self.text_control)

    def request(self, shared: RunRequest) -> RunRequest:
        """This cell's run request (its seed included), with the sweep's shared options."""
        return dataclasses.replace(shared.with_cell(self.submission, self.split, self.perturb, self.text_control),
                                   seed=self.seed)


def expand_submissions(patterns: Sequence[str] | None) -> list[str]:
    """Submission files matching the glob patterns (relative to the project root when not found here);
    by default every submission whose model names no local weights (those run only when named)."""
    root = project_root()
    if not patterns:
        return [s for s in list_configs("submissions") if not needs_weights(s)]
    found: list[str] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) or sorted(str(p.relative_to(root)) for p in root.glob(pattern))
        matches = [m for m in matches if "_base_" not in Path(m).parts]
        if not matches:
            raise UserError(f"--submissions {pattern!r}: no submission file matches")
        found += [m for m in matches if m not in found]
    return found


def needs_weights(submission: str) -> bool:
    """Whether the submission's model config names local weight files (``models.weights.weight_paths``)."""
    return bool(weight_paths(Config.fromfile(str(project_root() / submission)).model.to_dict()))


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


GRID_KEYS = ("submissions", "splits", "perturb", "severities", "text_controls")


def perturbation_names(names: Sequence[str] | None) -> list[str]:
    """Perturbation names with aliases resolved (``shot`` -> ``shot_noise``); None: every configured one."""
    from ravar_bench.perturbations.spec import ALIASES, config_names

    chosen = config_names(project_root()) if names is None else names
    return [ALIASES.get(name.lower(), name.lower()) for name in chosen]


def _grid_part(path: Path, index: int, part: object) -> dict[str, list]:
    """One part of a grid file, checked: the five lists of GRID_KEYS, each entry of the allowed kind."""
    from ravar_bench.data.dataset import TEXT_CONTROLS
    from ravar_bench.data.splits import EVALUATION_SPLITS
    from ravar_bench.perturbations.common import SEVERITIES
    from ravar_bench.perturbations.spec import config_names

    where = f"{path}: parts[{index}]"
    if not isinstance(part, dict) or set(part) != set(GRID_KEYS):
        keys = sorted(part) if isinstance(part, dict) else type(part).__name__
        raise UserError(f"{where}: expected an object with exactly the keys {', '.join(GRID_KEYS)}; got {keys}")
    allowed = {"splits": EVALUATION_SPLITS, "severities": SEVERITIES, "text_controls": TEXT_CONTROLS,
               "perturb": config_names(project_root())}
    checked = {}
    for key in GRID_KEYS:
        kind, values = (int if key == "severities" else str), part[key]
        if not isinstance(values, list) or not all(type(v) is kind for v in values):
            raise UserError(f"{where}.{key}: expected a list of {kind.__name__}s, got {values!r}")
        if key == "perturb":
            values = perturbation_names(values)
        unknown = [v for v in values if key in allowed and v not in allowed[key]]
        if unknown:
            raise UserError(f"{where}.{key}: unknown {unknown}; expected some of {list(allowed[key])}")
        checked[key] = values
    return checked


def read_grid(path: Path) -> list[Cell]:
    """The cells of a grid file (docs/LEADERBOARDS.md, "Grid files"): the union of its parts' grids, each
    submission's cells together, submissions in the order they first appear, so a sweep cut short
    leaves whole rows behind."""
    import json

    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise UserError(f"{path}: no such grid file") from None
    except json.JSONDecodeError as err:
        raise UserError(f"{path}: not JSON ({err.msg} at line {err.lineno})") from None
    parts = data.get("parts") if isinstance(data, dict) else None
    if not isinstance(parts, list) or not parts or set(data) - {"about", "parts"}:
        raise UserError(f"{path}: expected an object with a non-empty list 'parts' (and optionally 'about')")
    cells: list[Cell] = []
    for index, part in enumerate(parts):
        checked = _grid_part(path, index, part)
        cells += grid(expand_submissions(checked["submissions"]), checked["splits"], checked["perturb"],
                      checked["severities"], checked["text_controls"])
    unique = list(dict.fromkeys(cells))
    first = {name: rank for rank, name in enumerate(dict.fromkeys(cell.submission for cell in unique))}
    return sorted(unique, key=lambda cell: first[cell.submission])


@functools.cache
def submission_scale(submission: str) -> str:
    """The ``scale`` a submission's config declares (``cpu`` when it says nothing)."""
    from ravar_bench.engine.submission import load_submission

    return str(load_submission(submission).cfg.get("scale", "cpu"))


def with_seeds(cells: Sequence[Cell], seeds: Sequence[int]) -> list[Cell]:
    """Every cell once per seed (seeds outermost: the first seed's grid completes first); submissions of
    another scale than ``cpu`` (paper-scale) are trained with the first seed only."""
    return [dataclasses.replace(cell, seed=seed) for i, seed in enumerate(dict.fromkeys(seeds)) for cell in cells
            if i == 0 or submission_scale(cell.submission) == "cpu"]


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
    """Whether some finished run of this cell with its seed is stored (any run id); the run path decides
    exact reuse."""
    from ravar_bench.engine.results import read_results
    from ravar_bench.engine.submission import load_submission

    name = load_submission(cell.submission).name
    folder = results_dir / name / dataset / cell.split / cell.condition
    if not folder.is_dir():
        return False
    stored = [d / "results.json" for d in folder.iterdir() if (d / "results.json").is_file()]
    return any(read_results(p).get("provenance", {}).get("seeds", {}).get("run") == cell.seed for p in stored)


def run_cell(cell: Cell, shared: RunRequest) -> Path:
    """Train-if-needed and test one cell through the run path; the results folder it wrote or reused."""
    from ravar_bench.engine.runs import ensure_weights, prepare, test

    request = cell.request(shared)
    prepared = prepare(request)
    return test(prepared, ensure_weights(prepared, request, allow_training=True), request)
