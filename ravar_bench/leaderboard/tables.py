"""The leaderboard tables (paper Tables 2, 3, 4, 10-11 and a text-control table) as plain data.

Every table holds display cells (Markdown) and raw cells (CSV) for the same rows. Our tables are
built from selected ``Run`` records of one (dataset, scale); reported tables from reported.json.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ravar_bench.data.splits import TABLE_SPLITS
from ravar_bench.leaderboard.collect import METRICS, Run
from ravar_bench.metrics.estimate import Estimate, with_interval

# Row groups of the paper's Table 2, in order; unknown groups follow alphabetically.
GROUP_ORDER = ("AAL", "VQA", "VTR", "SF", "VOS", "Ours")
# The tables a submission declares itself a row of (``meta.tables``); the other tables show every run.
ABLATION_TABLES = {"ablation_modules": "Module ablations (Table 3, left)",
                   "ablation_fusion": "Fusion mechanisms (Table 3, right)"}
MEMBERSHIP_TABLES = ("main", *ABLATION_TABLES)

TEXT_CONTROLS = (None, "shuffled", "empty")


@dataclass
class Table:
    """A titled table: Markdown header and rows, CSV header and rows, notes printed under it, and the runs
    behind each row (what the site links to; empty for the paper's reported rows)."""

    title: str
    md_header: list[str]
    csv_header: list[str]
    md_rows: list[list[str]] = field(default_factory=list)
    csv_rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    row_runs: list[list[Run]] = field(default_factory=list)

    def add(self, md: list[str], csv: list[str], runs: Sequence[Run | None] = ()) -> None:
        """Append one row in both forms, with the runs it shows (None = cell not run)."""
        self.md_rows.append(md)
        self.csv_rows.append(csv)
        self.row_runs.append([r for r in runs if r is not None])


def md_estimate(est: Estimate | None) -> str:
    """``55.98 (52.10-58.30)``: value and 95% CI in percent; ``-`` when the run is missing."""
    if est is None:
        return "-"
    return with_interval(est)


def csv_estimate(est: Estimate | None) -> list[str]:
    """Value, CI low, CI high in percent (empty strings when missing)."""
    if est is None:
        return ["", "", ""]
    return ["" if x is None else f"{100 * x:.4f}" for x in (est.value, est.ci_low, est.ci_high)]


def metric_columns(prefixes: Sequence[str]) -> tuple[list[str], list[str]]:
    """Markdown and CSV headers for ``prefix metric`` blocks, then one run-id column per prefix."""
    md = [f"{p} {m}".strip() for p in prefixes for m in METRICS]
    csv = [f"{p} {m}{s}".strip() for p in prefixes for m in METRICS for s in ("", " ci_low", " ci_high")]
    runs = [f"{p} run_id".strip() for p in prefixes]
    return [*md, "run ids"], csv + runs


def metric_cells(runs: Sequence[Run | None]) -> tuple[list[str], list[str]]:
    """The metric cells of one row whose column blocks come from ``runs`` (None = not run)."""
    md = [md_estimate(None if r is None else r.metrics[m]) for r in runs for m in METRICS]
    csv = [c for r in runs for m in METRICS for c in csv_estimate(None if r is None else r.metrics[m])]
    ids = ["" if r is None else r.run_id for r in runs]
    return [*md, " / ".join(i or "-" for i in ids)], csv + ids


def group_key(group: str) -> tuple[int, str]:
    """Sort key placing the paper's groups first, in its order."""
    return (GROUP_ORDER.index(group), "") if group in GROUP_ORDER else (len(GROUP_ORDER), group)


def index(runs: Sequence[Run]) -> dict[tuple, Run]:
    """Runs by (submission, split, perturbation, severity, text_control)."""
    return {r.cell[2:]: r for r in runs}


def submissions(runs: Sequence[Run], keep: Callable[[Run], bool]) -> list[Run]:
    """One representative run per submission passing ``keep``, in table order (group, name, path)."""
    first: dict[str, Run] = {}
    for run in runs:
        if keep(run):
            first.setdefault(run.submission, run)
    return sorted(first.values(), key=lambda r: (group_key(r.group), r.display_name, r.submission))


def split_table(title: str, runs: Sequence[Run], keep: Callable[[Run], bool], with_group: bool) -> Table:
    """Rows of submissions, columns val and test mIoU/mAP/AUROC on clean data (the Table 2 layout)."""
    cells = index(runs)
    md_cols, csv_cols = metric_columns(TABLE_SPLITS)
    labels = ["Group", "Method"] if with_group else ["Method"]
    table = Table(title, labels + md_cols, [*labels, "submission", *csv_cols])
    def clean(run: Run) -> bool:
        return keep(run) and run.split in TABLE_SPLITS and run.perturbation is None and run.text_control is None

    for rep in submissions(runs, clean):
        row = [cells.get((rep.submission, s, None, None, None)) for s in TABLE_SPLITS]
        md, csv = metric_cells(row)
        label = [rep.group, rep.display_name] if with_group else [rep.display_name]
        table.add(label + md, [*label, rep.submission, *csv], row)
    return table


def main_table(runs: Sequence[Run]) -> Table:
    """Paper Table 2: the submissions whose ``meta.tables`` holds ``main``, grouped by ``meta.group``."""
    return split_table("Main results (Table 2 layout)", runs, lambda r: "main" in r.tables, with_group=True)


def ablation_table(kind: str, runs: Sequence[Run]) -> Table:
    """Paper Table 3: the submissions whose ``meta.tables`` holds ``kind`` (the variants and the full model)."""
    return split_table(ABLATION_TABLES[kind], runs, lambda r: kind in r.tables, with_group=False)


def perturbations(runs: Sequence[Run]) -> list[str]:
    """The perturbation names that occur, sorted."""
    return sorted({r.perturbation for r in runs if r.perturbation is not None})


def robustness_table(name: str, runs: Sequence[Run]) -> Table:
    """Paper Tables 10-11 for one perturbation: each submission at clean and each severity, val and test."""
    cells = index(runs)
    md_cols, csv_cols = metric_columns(TABLE_SPLITS)
    table = Table(f"Robustness: {name} (Tables 10-11 layout)", ["Method", "severity", *md_cols],
                  ["Method", "submission", "severity", *csv_cols])
    for rep in submissions(runs, lambda r: r.perturbation == name):
        severities = sorted({r.severity for r in runs if r.submission == rep.submission and r.perturbation == name})
        for severity in (None, *severities):
            key = (name, severity) if severity is not None else (None, None)
            row = [cells.get((rep.submission, s, *key, None)) for s in TABLE_SPLITS]
            md, csv = metric_cells(row)
            label = "clean" if severity is None else str(severity)
            table.add([rep.display_name, label, *md], [rep.display_name, rep.submission, label, *csv], row)
    return table


def delta(a: Run | None, b: Run | None, metric: str) -> str:
    """``b - a`` of one metric in percentage points, signed; ``-`` when either is missing."""
    if a is None or b is None or a.metrics[metric].value is None or b.metrics[metric].value is None:
        return "-"
    return f"{100 * (b.metrics[metric].value - a.metrics[metric].value):+.2f}"


def rephrasing_table(runs: Sequence[Run]) -> Table:
    """Paper Table 4: clean test against test-rephrased, with the change in mAP and mIoU."""
    cells = index(runs)
    md_cols, csv_cols = metric_columns(("test", "test-rephrased"))
    extra = ["delta mAP", "delta mIoU"]
    table = Table("Reference rephrasing (Table 4 layout)", ["Method", *md_cols, *extra],
                  ["Method", "submission", *csv_cols, *extra])
    for rep in submissions(runs, lambda r: r.split == "test-rephrased" and r.perturbation is None):
        pair = [cells.get((rep.submission, s, None, None, None)) for s in ("test", "test-rephrased")]
        md, csv = metric_cells(pair)
        deltas = [delta(*pair, "mAP"), delta(*pair, "mIoU")]
        table.add([rep.display_name, *md, *deltas], [rep.display_name, rep.submission, *csv, *deltas], pair)
    return table


def text_control_table(runs: Sequence[Run]) -> Table:
    """Clean references against shuffled (another clip's) and empty ones: how much the text is used."""
    cells = index(runs)
    md_cols, csv_cols = metric_columns(("",))
    extra = ["delta mAP", "delta mIoU"]
    table = Table("Text controls", ["Method", "split", "text", *md_cols, *extra],
                  ["Method", "submission", "split", "text", *csv_cols, *extra])
    for rep in submissions(runs, lambda r: r.text_control is not None and r.perturbation is None):
        for split in sorted({r.split for r in runs if r.submission == rep.submission and r.text_control}):
            clean = cells.get((rep.submission, split, None, None, None))
            for control in TEXT_CONTROLS:
                run = cells.get((rep.submission, split, None, None, control))
                md, csv = metric_cells([run])
                label = [split, control or "clean"]
                deltas = [delta(clean, run, "mAP"), delta(clean, run, "mIoU")]
                table.add([rep.display_name, *label, *md, *deltas],
                          [rep.display_name, rep.submission, *label, *csv, *deltas], [run])
    return table


def reported_table(title: str, rows: Sequence[dict], with_group: bool = False) -> Table:
    """A table of the paper's own numbers (percent, no CIs), from reported.json rows."""
    labels = ["Group", "Method"] if with_group else ["Method"]
    header = labels + [f"{s} {m}" for s in TABLE_SPLITS for m in METRICS]
    table = Table(title, header, header)
    for row in rows:
        label = [row["group"], row["method"]] if with_group else [row["method"]]
        values = [f"{row[s][m]:.2f}" for s in TABLE_SPLITS for m in METRICS]
        table.add(label + values, label + values)
    return table
