"""Read results.json files (or the compact run index a build writes, ``runs.jsonl``) into flat ``Run``
records and pick one run per leaderboard cell."""

from __future__ import annotations

import dataclasses
import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ravar_bench.data.splits import TABLE_SPLITS, Split
from ravar_bench.engine.results import SCHEMA, SCHEMA_VERSION, V1_BOOTSTRAP, check_schema, read_results
from ravar_bench.metrics.estimate import Estimate

METRICS = ("mIoU", "mAP", "AUROC")
INDEX_NAME = "runs.jsonl"  # one compact record per selected run, next to the tables it fills


def in_marked_tables(split: str, perturbation: dict | str | None, text_control: str | None) -> bool:
    """Whether a run can fill the tables with significance marks (the main table and Table 3): clean
    val or test. Only these runs' bootstrap replicates are ever read from the index."""
    return split in TABLE_SPLITS and perturbation is None and text_control is None


class LeaderboardError(ValueError):
    """A results file the leaderboards cannot use; the message names the file and the field."""


@dataclass(frozen=True)
class Run:
    """One finished test run, reduced to what the leaderboards show."""

    path: Path
    run_id: str
    created_utc: str
    submission: str
    display_name: str
    group: str
    tables: tuple[str, ...]
    dataset: str
    scale: str
    split: str
    perturbation: str | None
    severity: int | None
    text_control: str | None
    metrics: dict[str, Estimate]
    manifest: str | None = None
    record: dict = field(default_factory=dict, compare=False, repr=False)  # the run's line of runs.jsonl
    seed: int | None = 0  # the run seed (training, perturbations, text controls, bootstrap); None: merged seeds
    convention: str = "macro"
    report: dict | None = None  # results.json "metrics": values and bootstrap replicates for paired tests
    seed_runs: tuple[Run, ...] = ()  # when this row merges several training seeds: one run per seed

    @property
    def in_marked_tables(self) -> bool:
        """Clean val or test: a run the main and Table 3 tables can show (see ``in_marked_tables``)."""
        return in_marked_tables(self.split, self.perturbation, self.text_control)

    @property
    def members(self) -> tuple[Run, ...]:
        """The single-seed runs behind this row (itself when it is one)."""
        return self.seed_runs or (self,)

    @property
    def cell(self) -> tuple:
        """The leaderboard cell this run fills; several runs of one cell compete (see ``select``)."""
        return (self.dataset, self.scale, self.submission, self.split, self.perturbation, self.severity,
                self.text_control)


def _field(data: dict, dotted: str, path: Path):
    """``data[a][b]...`` for ``dotted = "a.b"``, or a LeaderboardError naming the file and the key."""
    node = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise LeaderboardError(f"{path}: missing field '{dotted}' (schema ravar-bench/results v{SCHEMA_VERSION})")
        node = node[part]
    return node


def _estimate(entry: dict, name: str, path: Path, legacy: bool) -> Estimate:
    """One metric entry ``{value, ci_low, ci_high}`` checked to hold numbers or nulls."""
    numbers = [entry.get(key) for key in ("value", "ci_low", "ci_high")]
    if not all(x is None or isinstance(x, int | float) for x in numbers):
        raise LeaderboardError(f"{path}: metric '{name}' must hold numbers or null in value/ci_low/ci_high, "
                               f"got {entry!r}")
    return Estimate(*numbers, legacy=legacy)


def is_legacy(report: dict) -> bool:
    """Whether a report's intervals come from schema 1's per-sample percentile bootstrap."""
    bootstrap = report.get("bootstrap") or {}
    return all(bootstrap.get(key) == value for key, value in V1_BOOTSTRAP.items())


def compact_record(data: dict, path: Path) -> dict:
    """What the leaderboards need of one results.json (and what a reader of the index wants: run id,
    submission, commit, config hash, package versions, device and threads, metrics), in the results.json
    schema so it parses the same way."""
    report = _field(data, "metrics", path)
    conventions = report.get("conventions") or {report.get("convention"): _field(data, "metrics.metrics", path)}
    provenance = _field(data, "provenance", path)
    perturbation = data.get("perturbation")
    bootstrap = report.get("bootstrap")
    if bootstrap and not in_marked_tables(data.get("dataset", {}).get("split"), perturbation, data.get("text_control")):
        bootstrap = {key: value for key, value in bootstrap.items() if key != "replicates"}  # never read: 27 KB a run
    return {
        "schema": SCHEMA, "schema_version": SCHEMA_VERSION, "run_id": data.get("run_id"),
        "submission": data.get("submission"), "scale": data.get("scale"),
        "submission_meta": data.get("submission_meta"),
        "dataset": {key: data.get("dataset", {}).get(key) for key in ("name", "split", "manifest_sha256")},
        "perturbation": None if perturbation is None else {k: perturbation.get(k) for k in ("name", "severity")},
        "text_control": data.get("text_control"),
        "metrics": {"convention": report.get("convention"),
                    "conventions": {c: {m: t[m] for m in METRICS if m in t} for c, t in conventions.items()},
                    "per_class_ap": report.get("per_class_ap"),
                    "bootstrap": bootstrap},  # its replicates give the significance marks
        "provenance": {"created_utc": provenance.get("created_utc"), "code": provenance.get("code"),
                       "seeds": provenance.get("seeds"),
                       "config_sha256": provenance.get("config_sha256"),
                       "training_hash": provenance.get("training_hash"),
                       "checkpoint_sha256": _checkpoint_sha256(provenance),
                       "packages": provenance.get("packages"), "device": provenance.get("device")},
    }


def _checkpoint_sha256(provenance: dict) -> str | None:
    """The checkpoint's hash, from a results.json (``checkpoint.sha256``) or an index line, which is already
    compact (``checkpoint_sha256``): compacting a compact record must give it back unchanged."""
    if "checkpoint_sha256" in provenance:
        return provenance["checkpoint_sha256"]
    return (provenance.get("checkpoint") or {}).get("sha256")


def read_records(path: Path) -> list[dict]:
    """The records of a results.json (one) or of a runs.jsonl index (one per line), schema checked."""
    try:
        if path.name == INDEX_NAME:
            lines = [line for line in path.read_text().splitlines() if line.strip()]
            return [check_schema(json.loads(line), f"{path}:{number}") for number, line in enumerate(lines, 1)]
        return [read_results(path)]
    except json.JSONDecodeError as err:
        raise LeaderboardError(f"{path}: not valid JSON ({err})") from err
    except ValueError as err:
        raise LeaderboardError(str(err)) from err


def parse_run(data: dict, path: Path, convention: str) -> Run:
    """One results record -> ``Run``, with the metrics of the given class-averaging convention."""
    report = _field(data, "metrics", path)
    table = report.get("conventions", {}).get(convention)
    if table is None:
        if report.get("convention") != convention:
            raise LeaderboardError(f"{path}: no metrics under convention {convention!r} "
                                   f"(has {sorted(report.get('conventions', {})) or report.get('convention')})")
        table = _field(data, "metrics.metrics", path)
    legacy = is_legacy(report)
    metrics = {name: _estimate(_field(table, name, path), name, path, legacy) for name in METRICS}
    seed = (data.get("provenance", {}).get("seeds") or {}).get("run")
    meta = data.get("submission_meta") or {}
    perturbation = data.get("perturbation")
    return Run(
        path=path, run_id=str(_field(data, "run_id", path)),
        created_utc=str(_field(data, "provenance.created_utc", path)),
        submission=str(_field(data, "submission", path)),
        display_name=str(meta.get("display_name", data["submission"])), group=str(meta.get("group", "Other")),
        tables=tuple(_field(data, "submission_meta.tables", path)),
        dataset=str(_field(data, "dataset.name", path)), scale=str(_field(data, "scale", path)),
        split=str(_field(data, "dataset.split", path)),
        perturbation=None if perturbation is None else str(_field(perturbation, "name", path)),
        severity=None if perturbation is None else int(_field(perturbation, "severity", path)),
        text_control=data.get("text_control"), metrics=metrics, manifest=data["dataset"].get("manifest_sha256"),
        record=compact_record(data, path),
        seed=0 if seed is None else int(seed), convention=convention, report=report,
    )


def find_results(roots: Iterable[Path]) -> list[Path]:
    """Every results.json and runs.jsonl index under the given folders (staging folders skipped), or the
    index files given themselves, sorted."""
    found = set()
    for root in roots:
        root = Path(root)
        if root.is_file() and root.name == INDEX_NAME:
            found.add(root)
            continue
        if not root.is_dir():
            raise LeaderboardError(f"{root}: no such results folder")
        found.update(p for name in ("results.json", INDEX_NAME) for p in root.rglob(name)
                     if not any(part.startswith(".") for part in p.relative_to(root).parts))
    return sorted(found)


def select(runs: Sequence[Run]) -> list[Run]:
    """One run per cell and seed: the newest ``created_utc``, ties broken by the larger ``run_id``; then one
    row per cell, merging the seeds when there are several (``merge_seeds``)."""
    best: dict[tuple, Run] = {}
    for run in runs:
        current = best.get((run.cell, run.seed))
        if current is None or (run.created_utc, run.run_id) > (current.created_utc, current.run_id):
            best[run.cell, run.seed] = run
    cells: dict[tuple, list[Run]] = {}
    for (cell, _), run in sorted(best.items(), key=lambda item: (_sort_key(item[0][0]), item[0][1])):
        cells.setdefault(cell, []).append(run)
    return [group[0] if len(group) == 1 else merge_seeds(group) for group in cells.values()]


def _sort_key(cell: tuple) -> tuple:
    """A cell as a sortable tuple (None first)."""
    return tuple("" if x is None else str(x) for x in cell)


def _mean_spread(estimates: Sequence[Estimate]) -> Estimate:
    """Mean and sample standard deviation over seeds (no interval: the seeds' spread replaces it)."""
    values = [e.value for e in estimates]
    if any(v is None for v in values):
        return Estimate(None, None, None, n_seeds=len(values))
    return Estimate(float(statistics.fmean(values)), None, None, spread=float(statistics.stdev(values)),
                    n_seeds=len(values))


def merge_seeds(runs: Sequence[Run]) -> Run:
    """One row for a cell trained with several seeds: mean and spread per metric, run ids joined."""
    first = runs[0]
    metrics = {name: _mean_spread([r.metrics[name] for r in runs]) for name in METRICS}
    return dataclasses.replace(first, run_id="+".join(r.run_id for r in runs), metrics=metrics, seed=None,
                               report=None, created_utc=max(r.created_utc for r in runs), seed_runs=tuple(runs))


def check_same_data(runs: Sequence[Run]) -> None:
    """Runs of one (dataset, scale) and split must have read the same files (same manifest hash).

    Two data sets under one name (e.g. the tiny and the default RefAVA-Synth presets) would otherwise
    share a table; the error names one file of each so their results can be kept in separate folders.
    """
    seen: dict[tuple, Run] = {}
    for run in runs:
        split = Split.named(run.split).file_split
        first = seen.setdefault((run.dataset, run.scale, split), run)
        if None not in (run.manifest, first.manifest) and run.manifest != first.manifest:
            raise LeaderboardError(f"{first.path} and {run.path}: both say dataset {run.dataset!r} split {split!r} "
                                   "but read different data (dataset.manifest_sha256 differs); build their "
                                   "leaderboards from separate results folders")


def load_runs(roots: Iterable[Path], convention: str = "macro") -> list[Run]:
    """Read and select the runs under ``roots``; any unusable file stops the build with its name."""
    runs = [parse_run(data, path, convention) for path in find_results(roots) for data in read_records(path)]
    check_same_data(runs)
    return select(runs)
