"""Tables to Markdown and CSV text, and mAP-against-severity plots to PNG bytes (matplotlib Agg).

Everything here is a pure function of its input, so rebuilding from the same runs gives the same bytes.
Drawing dominates a rebuild (importing matplotlib and rendering take about a second), so each PNG carries
the key of what it shows (``PLOT_KEY``: the plotted numbers and labels, the matplotlib version and this
module's source) and a rebuild keeps an earlier PNG whose key matches instead of drawing it again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

from ravar_bench.leaderboard.collect import Run
from ravar_bench.leaderboard.tables import TABLE_SPLITS, Table, submissions

SEVERITY_TICKS = (0, 1, 2, 3, 4, 5)


def _md_cell(text: str) -> str:
    """A Markdown table cell: pipes escaped, newlines flattened."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(table: Table, level: int = 2) -> str:
    """A Markdown section: heading, pipe table (or a line saying there are no rows), notes."""
    lines = [f"{'#' * level} {table.title}", ""]
    if table.md_rows:
        lines.append("| " + " | ".join(_md_cell(h) for h in table.md_header) + " |")
        lines.append("|" + "|".join("---" for _ in table.md_header) + "|")
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.md_rows]
    else:
        lines.append("No runs yet.")
    if table.notes:
        lines += ["", *table.notes]
    return "\n".join(lines) + "\n"


def csv_text(table: Table) -> str:
    """The table's raw cells as CSV (Unix line endings)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.csv_header)
    writer.writerows(table.csv_rows)
    return buffer.getvalue()


def _series(runs: Sequence[Run], submission: str, split: str, name: str) -> list[tuple[int, float, float, float]]:
    """(severity (0 = clean), mAP, CI low, CI high) in percent for one submission, split and perturbation."""
    points = []
    for run in runs:
        if run.submission != submission or run.split != split or run.text_control is not None:
            continue
        if run.perturbation in (None, name) and run.metrics["mAP"].value is not None:
            est = run.metrics["mAP"]
            low, high = (est.ci_low, est.ci_high) if est.has_interval else (est.value, est.value)
            points.append((run.severity or 0, 100 * est.value, 100 * low, 100 * high))
    return sorted(points)


PLOT_KEY = "ravar-bench-plot"  # the PNG text field that holds the key of the plot's input
Series = list[tuple[str, list[tuple[str, list[tuple[float, float, float, float]]]]]]


def severity_series(runs: Sequence[Run], name: str) -> Series:
    """What a severity plot of perturbation ``name`` shows: per submission (its display name), per split, the
    (severity, mAP, CI low, CI high) points in percent."""
    reps = submissions(runs, lambda r: r.perturbation == name)
    return [(rep.display_name, [(split, _series(runs, rep.submission, split, name)) for split in TABLE_SPLITS])
            for rep in reps]


def plot_key(series: Series, title: str) -> str:
    """The key of a plot's bytes: its series and title, the matplotlib version and this module's source."""
    payload = json.dumps([series, title, version("matplotlib")]).encode()
    return hashlib.sha256(payload + Path(__file__).read_bytes()).hexdigest()


def severity_plot(runs: Sequence[Run], name: str, title: str, previous: bytes | None = None) -> bytes:
    """PNG of ``severity_series``: ``previous`` (an earlier build's bytes of this plot) when it carries the
    same key, else a new drawing."""
    series = severity_series(runs, name)
    key = plot_key(series, title)
    if previous is not None and f"{PLOT_KEY}\0{key}".encode() in previous:
        return previous
    return draw_severity_plot(series, title, key)


def draw_severity_plot(series: Series, title: str, key: str) -> bytes:
    """PNG: mAP against severity with its 95% CI as a vertical segment, one line per submission, one panel
    per split. Segments, not error bars: a percentile interval need not contain its point estimate.
    Each submission keeps one of 20 colours in both panels and is nudged sideways so segments stay apart."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    colours = colormaps["tab20"].colors
    figure = Figure(figsize=(12, 4.5), dpi=100)
    figure.subplots_adjust(left=0.06, right=0.8, top=0.86)
    axes = figure.subplots(1, len(TABLE_SPLITS), sharey=True)
    legend = {}
    for ax, split in zip(axes, TABLE_SPLITS, strict=True):
        for i, (display_name, per_split) in enumerate(series):
            points = dict(per_split)[split]
            if points:
                x, y, low, high = zip(*points, strict=True)
                nudged = [s + 0.25 * (i / max(len(series) - 1, 1) - 0.5) for s in x]
                colour = colours[i % len(colours)]
                (legend[display_name],) = ax.plot(nudged, y, marker="o", markersize=4, color=colour)
                ax.vlines(nudged, low, high, color=colour, alpha=0.6)
        ax.set(title=f"{split}", xlabel="severity (0 = clean)", xticks=SEVERITY_TICKS)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("mAP % (95% CI)")
    if legend:
        figure.legend(list(legend.values()), list(legend), loc="center right", fontsize="small")
    figure.suptitle(title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None, PLOT_KEY: key})
    return buffer.getvalue()
