"""The static leaderboard site: one self-contained ``index.html`` per (dataset, scale) folder.

It renders the same ``Table`` objects as the Markdown and CSV writers, through jinja2 templates shipped
as package data, with CSS and JavaScript inlined: the page opens from disk with no network. Cells keep
their Markdown text; the site splits it into value, interval and any trailing mark (e.g. a significance
mark appended by the tables) and sorts on the value. Every row links to the results.json of its runs,
relative to the page, and shows per-class AP and provenance of those runs on demand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import jinja2

from ravar_bench.data.ava import action_name
from ravar_bench.data.format import NUM_CLASSES
from ravar_bench.engine.results import condition_name
from ravar_bench.leaderboard.collect import INDEX_NAME, Run
from ravar_bench.leaderboard.tables import Table

RUN_IDS_COLUMN = "run ids"
# ``55.98 (52.10-58.30)``, ``n/a``, ``-``, ``+1.20`` or ``3``, then anything else (a mark) after a space.
CELL = re.compile(r"^(?P<value>[+-]?\d+(?:\.\d+)?|n/a|-)(?: \((?P<low>[\d.]+)-(?P<high>[\d.]+)\))?(?: (?P<mark>.+))?$")


@dataclass(frozen=True)
class Cell:
    """One displayed cell: its text, sort key (None sorts last), interval and mark when it has them."""

    text: str
    sort: float | None = None
    interval: str | None = None
    mark: str | None = None


@dataclass
class Section:
    """A titled part of the page: its tables (ours, then the paper's reported ones) and PNG plots."""

    title: str
    tables: list[Table]
    plots: list[str] = field(default_factory=list)


def parse_cell(text: str) -> Cell:
    """Split a Markdown cell into value, interval and mark; plain text (names, ``clean``) stays as it is."""
    match = CELL.match(text)
    if match is None:
        return Cell(text)
    value = match["value"]
    number = None if value in ("n/a", "-") else float(value)
    interval = f"{match['low']}-{match['high']}" if match["low"] else None
    return Cell(value, number, interval, match["mark"])


def short(digest: str | None) -> str | None:
    """The first 16 hex digits of a SHA-256 (the full one is in the linked results.json)."""
    return None if digest is None else digest[:16]


def run_key(run: Run) -> tuple[str, str]:
    """A run's place in the page's run list: its cell and id (runs of one index share their file path)."""
    return repr(run.cell), run.run_id


def run_record(run: Run) -> dict:
    """What the page shows of one run: link (its line of the board's runs.jsonl), label, per-class AP (%),
    provenance.

    Read from the run's compact record, which a results.json and a runs.jsonl index line both give, so a
    board rebuilt from its index alone is the same page."""
    data = run.record
    per_class = data["metrics"].get("per_class_ap") or {}
    ap = [per_class.get(str(c)) for c in range(1, NUM_CLASSES + 1)]
    provenance = data.get("provenance", {})
    code = provenance.get("code") or {}
    condition = condition_name(data.get("perturbation"), data.get("text_control"))
    return {
        "id": run.run_id, "label": f"{run.display_name}, {run.split}, {condition}",
        "href": f"{INDEX_NAME}#{run.run_id}",  # the board's own index, next to the page, holds every run
        "ap": [None if x is None else round(100 * x, 1) for x in ap],
        "provenance": {"created_utc": provenance.get("created_utc"), "commit": code.get("commit"),
                       "dirty": code.get("dirty"), "training_hash": provenance.get("training_hash"),
                       "checkpoint_sha256": short(provenance.get("checkpoint_sha256")),
                       "config_sha256": short(provenance.get("config_sha256"))},
    }


def table_view(table: Table, index: dict[tuple[str, str], int]) -> dict:
    """A table as the template wants it: header, parsed cells and the run numbers of each row."""
    keep = [i for i, name in enumerate(table.md_header) if name != RUN_IDS_COLUMN]
    rows = []
    for n, row in enumerate(table.md_rows):
        runs = table.row_runs[n] if n < len(table.row_runs) else []
        rows.append({"cells": [parse_cell(row[i]) for i in keep], "runs": [index[run_key(r)] for r in runs]})
    numeric = [any(r["cells"][c].sort is not None for r in rows) for c in range(len(keep))]
    return {"title": table.title, "header": [table.md_header[i] for i in keep], "numeric": numeric, "rows": rows,
            "notes": [n for n in table.notes if n], "has_runs": any(r["runs"] for r in rows)}


def _environment() -> jinja2.Environment:
    """The template environment: package templates, HTML autoescaping, no undefined names, compact sorted JSON."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("ravar_bench.leaderboard", "site_templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}
    return env


def render_page(sections: Sequence[Section], dataset: str, scale: str) -> bytes:
    """The page of one (dataset, scale) folder (its links point into the folder: they hold no path)."""
    runs = {run_key(r): r for s in sections for t in s.tables for row in t.row_runs for r in row}
    keys = sorted(runs)
    index = {key: n for n, key in enumerate(keys)}
    records = [run_record(runs[k]) for k in keys]
    view = [{"title": s.title, "anchor": re.sub(r"[^a-z0-9]+", "-", s.title.lower()).strip("-"),
             "tables": [table_view(t, index) for t in s.tables], "plots": s.plots} for s in sections]
    html = _environment().get_template("index.html.j2").render(
        dataset=dataset, scale=scale, sections=view, runs=records,
        classes=[action_name(c) for c in range(1, NUM_CLASSES + 1)])
    return html.encode()
