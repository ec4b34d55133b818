"""The leaderboard tables (paper Tables 2, 3, 4, 10-11 and a text-control table) as plain data.

Every table holds display cells (Markdown) and raw cells (CSV) for the same rows. Our tables are
built from selected ``Run`` records of one (dataset, scale); reported tables from reported.json.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ravar_bench.data.splits import TABLE_SPLITS
from ravar_bench.leaderboard import significance
from ravar_bench.leaderboard.collect import METRICS, Run
from ravar_bench.metrics.estimate import Estimate, percent

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


LEGACY_NOTE = ("[low-high]: an interval of a schema-1 result (per-sample percentile bootstrap, class set "
               "recomputed per resample; it can miss its point estimate); (low-high): the video bootstrap.")
SEEDS_NOTE = "mean ± sd (n seeds): a cell trained with several seeds shows their mean and standard deviation."
CSV_ESTIMATE = ("", " ci_low", " ci_high", " sd")


def md_estimate(est: Estimate | None) -> str:
    """``55.98 (52.10-58.30)``: value and 95% CI in percent (square brackets for a schema-1 interval),
    ``55.98 ± 1.20 (3 seeds)`` over several seeds; ``-`` when the run is missing."""
    if est is None:
        return "-"
    if est.n_seeds > 1:
        return f"{percent(est.value)} ± {percent(est.spread)} ({est.n_seeds} seeds)"
    if not est.has_interval:
        return percent(est.value)
    opening, closing = "[]" if est.legacy else "()"
    return f"{percent(est.value)} {opening}{percent(est.ci_low)}-{percent(est.ci_high)}{closing}"


def csv_estimate(est: Estimate | None) -> list[str]:
    """Value, CI low, CI high and the spread over seeds in percent (empty strings when missing)."""
    if est is None:
        return ["", "", "", ""]
    return ["" if x is None else f"{100 * x:.4f}" for x in (est.value, est.ci_low, est.ci_high, est.spread)]


def metric_columns(prefixes: Sequence[str], tests: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """Markdown and CSV headers for ``prefix metric`` blocks, then run-id and seed-count columns per prefix,
    then one p-value column per prefix, metric and test (``tests``: "best", "refatomnet")."""
    md = [f"{p} {m}".strip() for p in prefixes for m in METRICS]
    csv = [f"{p} {m}{s}".strip() for p in prefixes for m in METRICS for s in CSV_ESTIMATE]
    runs = [f"{p} {column}".strip() for p in prefixes for column in ("run_id", "seeds")]
    p_values = [f"{p} {m} p_vs_{t}".strip() for p in prefixes for m in METRICS for t in tests]
    return [*md, "run ids"], csv + runs + p_values


def metric_cells(runs: Sequence[Run | None], marks: Sequence[tuple[str, str]] = ()) -> tuple[list[str], list[str]]:
    """The metric cells of one row whose column blocks come from ``runs`` (None = not run); ``marks`` are
    (Markdown mark, CSV p-value) pairs per block, metric and test, in ``metric_columns`` order."""
    tests = len(marks) // max(len(runs) * len(METRICS), 1)
    md = []
    for i, (run, metric) in enumerate((r, m) for r in runs for m in METRICS):
        cell = md_estimate(None if run is None else run.metrics[metric])
        signs = " ".join(mark for mark, _ in marks[i * tests:(i + 1) * tests] if mark)
        md.append(f"{cell} {signs}" if signs else cell)
    csv = [c for r in runs for m in METRICS for c in csv_estimate(None if r is None else r.metrics[m])]
    ids = [c for r in runs for c in (("", "") if r is None else (r.run_id, str(len(r.members))))]
    return [*md, " / ".join(r.run_id if r else "-" for r in runs)], csv + ids + [p for _, p in marks]


def table_notes(rows: Sequence[Sequence[Run | None]], tested: bool, reference: bool) -> list[str]:
    """The legends a table needs: marks, schema-1 intervals, seed spreads."""
    present = [r for row in rows for r in row if r is not None]
    notes = [significance.LEGEND] if tested else []
    notes += [significance.REFERENCE_LEGEND] if reference else []
    if any(e.legacy for r in present for e in r.metrics.values()):
        notes.append(LEGACY_NOTE)
    if any(len(r.members) > 1 for r in present):
        notes.append(SEEDS_NOTE)
    return notes


def row_marks(rows: Sequence[Sequence[Run | None]], full_model: str | None) -> list[list[tuple[str, str]]]:
    """Per row: (mark, p-value) against the column's best row and, with ``full_model``, against its row."""
    out: list[list[tuple[str, str]]] = [[] for _ in rows]
    for block in range(len(rows[0]) if rows else 0):
        column = [row[block] for row in rows]
        reference = next((r for r in column if r is not None and r.submission == full_model), None)
        for metric in METRICS:
            best = significance.best_of(column, metric)
            tests = [(best, "")] + ([(reference, "R")] if full_model else [])
            marks = [[significance.versus(run, ref, metric, prefix) for run in column] for ref, prefix in tests]
            shown = [_shown(test_marks, column, ref) for test_marks, (ref, _) in zip(marks, tests, strict=True)]
            for i in range(len(column)):
                out[i] += [test_marks[i] for test_marks in shown]
    return out


def _shown(marks: list[tuple[str, str]], column: Sequence[Run | None], reference: Run | None) -> list[tuple[str, str]]:
    """The marks of one column and test, the reference's own mark dropped when no other row could be tested."""
    if any(p for _, p in marks):
        return marks
    return [("", "") if run is reference else mark for run, mark in zip(column, marks, strict=True)]


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


def split_table(title: str, runs: Sequence[Run], keep: Callable[[Run], bool], with_group: bool,
                full_model: str | None = None) -> Table:
    """Rows of submissions, columns val and test mIoU/mAP/AUROC on clean data (the Table 2 layout), each cell
    marked against the column's best row (and ``full_model``'s row) by a paired bootstrap."""
    cells = index(runs)
    tests = ("best", full_model) if full_model else ("best",)
    md_cols, csv_cols = metric_columns(TABLE_SPLITS, tests)
    labels = ["Group", "Method"] if with_group else ["Method"]
    table = Table(title, labels + md_cols, [*labels, "submission", *csv_cols])
    reps = submissions(runs, lambda run: keep(run) and run.in_marked_tables)
    rows = [[cells.get((rep.submission, s, None, None, None)) for s in TABLE_SPLITS] for rep in reps]
    marks = row_marks(rows, full_model)
    for rep, row, row_mark in zip(reps, rows, marks, strict=True):
        md, csv = metric_cells(row, row_mark)
        label = [rep.group, rep.display_name] if with_group else [rep.display_name]
        table.add(label + md, [*label, rep.submission, *csv], row)
    tested = any(p for row_mark in marks for _, p in row_mark)
    table.notes += table_notes(rows, tested=tested, reference=tested and full_model is not None)
    return table


def main_table(runs: Sequence[Run]) -> Table:
    """Paper Table 2: the submissions whose ``meta.tables`` holds ``main``, grouped by ``meta.group``."""
    return split_table("Main results (Table 2 layout)", runs, lambda r: "main" in r.tables, with_group=True)


def ablation_table(kind: str, runs: Sequence[Run]) -> Table:
    """Paper Table 3: the submissions whose ``meta.tables`` holds ``kind`` (the variants and the full model)."""
    return split_table(ABLATION_TABLES[kind], runs, lambda r: kind in r.tables, with_group=False,
                       full_model=significance.FULL_MODEL)


def perturbations(runs: Sequence[Run]) -> list[str]:
    """The perturbation names that occur, sorted."""
    return sorted({r.perturbation for r in runs if r.perturbation is not None})


def robustness_table(name: str, runs: Sequence[Run]) -> Table:
    """Paper Tables 10-11 for one perturbation: each submission at clean and each severity, val and test."""
    cells = index(runs)
    md_cols, csv_cols = metric_columns(TABLE_SPLITS)
    table = Table(f"Robustness: {name} (Tables 10-11 layout)", ["Method", "severity", *md_cols],
                  ["Method", "submission", "severity", *csv_cols])
    shown: list[Run | None] = []
    for rep in submissions(runs, lambda r: r.perturbation == name):
        severities = sorted({r.severity for r in runs if r.submission == rep.submission and r.perturbation == name})
        for severity in (None, *severities):
            key = (name, severity) if severity is not None else (None, None)
            row = [cells.get((rep.submission, s, *key, None)) for s in TABLE_SPLITS]
            shown += row
            md, csv = metric_cells(row)
            label = "clean" if severity is None else str(severity)
            table.add([rep.display_name, label, *md], [rep.display_name, rep.submission, label, *csv], row)
    table.notes += table_notes([shown], tested=False, reference=False)
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
    shown: list[Run | None] = []
    for rep in submissions(runs, lambda r: r.split == "test-rephrased" and r.perturbation is None):
        pair = [cells.get((rep.submission, s, None, None, None)) for s in ("test", "test-rephrased")]
        shown += pair
        md, csv = metric_cells(pair)
        deltas = [delta(*pair, "mAP"), delta(*pair, "mIoU")]
        table.add([rep.display_name, *md, *deltas], [rep.display_name, rep.submission, *csv, *deltas], pair)
    table.notes += table_notes([shown], tested=False, reference=False)
    return table


def text_control_table(runs: Sequence[Run]) -> Table:
    """Clean references against shuffled (another clip's) and empty ones: how much the text is used."""
    cells = index(runs)
    md_cols, csv_cols = metric_columns(("",))
    extra = ["delta mAP", "delta mIoU"]
    table = Table("Text controls", ["Method", "split", "text", *md_cols, *extra],
                  ["Method", "submission", "split", "text", *csv_cols, *extra])
    shown: list[Run | None] = []
    for rep in submissions(runs, lambda r: r.text_control is not None and r.perturbation is None):
        for split in sorted({r.split for r in runs if r.submission == rep.submission and r.text_control}):
            clean = cells.get((rep.submission, split, None, None, None))
            for control in TEXT_CONTROLS:
                run = cells.get((rep.submission, split, None, None, control))
                shown.append(run)
                md, csv = metric_cells([run])
                label = [split, control or "clean"]
                deltas = [delta(clean, run, "mAP"), delta(clean, run, "mIoU")]
                table.add([rep.display_name, *label, *md, *deltas],
                          [rep.display_name, rep.submission, *label, *csv, *deltas], [run])
    table.notes += table_notes([shown], tested=False, reference=False)
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
