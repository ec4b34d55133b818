"""The results directory: ``results.json`` (schema below, versioned, with the run's config) and ``samples.jsonl``.

A run is staged in a hidden sibling folder and renamed into place when complete, so a results
directory either exists whole or not at all; the staging folder also holds the partial predictions
that let an interrupted test resume.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from ravar_bench.data.format import atomic_write_bytes

SCHEMA = "ravar-bench/results"
SCHEMA_VERSION = 2
# What a schema-1 interval is: per-sample percentile bootstrap, class set recomputed in every resample.
V1_BOOTSTRAP = {"method": "percentile", "unit": "sample", "class_set": "per-resample"}
PARTIAL_PATTERN = "predictions.rank*.jsonl"  # the per-rank predictions of a staged test, for its resume


def condition_name(perturbation: dict | None, text_control: str | None) -> str:
    """Folder name of the test condition: ``clean`` or ``fog-s3``, with ``-text-shuffled`` etc."""
    name = "clean" if perturbation is None else f"{perturbation['name']}-s{perturbation['severity']}"
    return f"{name}-text-{text_control}" if text_control else name


def run_dir(results_root: Path, submission: str, dataset: str, split: str, condition: str, run_id: str) -> Path:
    """``results/<submission>/<dataset>/<split>/<condition>/<run_id>``."""
    return results_root / submission / dataset / split / condition / run_id


def staging_dir(final: Path) -> Path:
    """The hidden folder a run is built in before it is renamed to ``final``."""
    return final.parent / f".{final.name}.partial"


def is_finished(final: Path) -> bool:
    """A run directory is finished when its results.json exists (written last, before the rename)."""
    return (final / "results.json").is_file()


def write_run(final: Path, results: dict, rows: list[dict], config_text: str) -> Path:
    """Complete the staged run: write samples.jsonl and results.json (the config's text inside), drop the
    partial predictions, rename into place."""
    stage = staging_dir(final)
    stage.mkdir(parents=True, exist_ok=True)
    results = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, **results, "config": config_text}
    atomic_write_bytes(stage / "samples.jsonl", "".join(json.dumps(row) + "\n" for row in rows).encode())
    atomic_write_bytes(stage / "results.json", json.dumps(results, indent=2, sort_keys=True).encode())
    for partial in stage.glob(PARTIAL_PATTERN):
        partial.unlink()
    if is_finished(final):  # an identical run finished meanwhile (same run id): keep the first
        shutil.rmtree(stage)
        return final
    if final.exists():  # leftovers of an unfinished copy, e.g. an untracked samples.jsonl
        shutil.rmtree(final)
    os.replace(stage, final)
    return final


def upgrade_v1(data: dict) -> dict:
    """A schema-1 results dict in schema 2 (docs/RESULTS.md, "Migration"): nothing is recomputed (schema-1
    runs kept no per-sample file), the intervals are marked as the old method and carry no replicates."""
    metrics = dict(data.get("metrics", {}))
    metrics["bootstrap"] = {**metrics.get("bootstrap", {}), **V1_BOOTSTRAP, "migrated_from_schema": 1}
    return {**data, "schema_version": SCHEMA_VERSION, "metrics": metrics}


def read_results(path: Path) -> dict:
    """A results.json, checked for schema and version; schema 1 is upgraded in memory."""
    return check_schema(json.loads(Path(path).read_text()), path)


def check_schema(data: dict, source) -> dict:
    """``data`` if it declares this schema and version (schema 1 upgraded in memory); else a ValueError naming
    ``source`` and the field."""
    if data.get("schema") != SCHEMA:
        raise ValueError(f"{source}: field 'schema' must be {SCHEMA!r}, got {data.get('schema')!r}")
    if data.get("schema_version") == 1:
        return upgrade_v1(data)
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"{source}: schema_version {data.get('schema_version')!r} is not 1 or {SCHEMA_VERSION}")
    return data
