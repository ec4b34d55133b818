"""Significance marks: is a row's metric different from the best row's (or the full model's)?

A paired video bootstrap of the difference (docs/METRICS.md) from the resample replicates both
results.json files recorded with the same resample plan. Rows that merge several training seeds are
compared seed by seed (each seed's runs share their resamples); the difference counts as significant
only when it is significant, with one sign, at every seed both rows have (an intersection-union test,
whose p-value is the largest of the seeds'). Results without replicates (schema 1) or on other
resample plans cannot be tested: they get no mark, never a guessed one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ravar_bench.leaderboard.collect import Run
from ravar_bench.metrics.paired import compare_reports

ALPHA = 0.05
FULL_MODEL = "refatomnet"  # the reference row of the Table 3 ablation tables
LEGEND = ("Marks (paired video bootstrap, p < 0.05): ◆ best row of the column; ▼ / ▲ significantly below / "
          "above it; ≈ not significantly different; no mark: cannot be tested (results without bootstrap "
          "replicates, e.g. schema 1, or runs on other resamples).")
REFERENCE_LEGEND = ("R: the full model (RefAtomNet); R▼ / R▲ significantly below / above it; R≈ not "
                    "significantly different.")


@dataclass(frozen=True)
class Test:
    """A paired test of one metric of a row against a reference row."""

    significant: bool
    sign: int  # sign of row - reference
    p_value: float  # the largest p-value over the seeds both rows share


def paired_test(row: Run, reference: Run, metric: str) -> Test | None:
    """The test of ``row`` against ``reference``, seed by seed; None when it cannot be made."""
    by_seed = {run.seed: run for run in reference.members}
    differences = []
    for run in row.members:
        other = by_seed.get(run.seed)
        if other is None:
            continue
        if run.report is None or other.report is None:
            return None
        difference = compare_reports(run.report, other.report, run.convention, metric)
        if difference is None:
            return None
        differences.append(difference)
    if not differences:
        return None
    signs = {(d.diff > 0) - (d.diff < 0) for d in differences}
    significant = len(signs) == 1 and 0 not in signs and all(d.significant(ALPHA) for d in differences)
    return Test(significant, signs.pop() if len(signs) == 1 else 0, max(d.p_value for d in differences))


def versus(row: Run | None, reference: Run | None, metric: str, prefix: str = "") -> tuple[str, str]:
    """(Markdown mark, CSV p-value) of ``row`` against ``reference``: ◆ (or R) on the reference itself."""
    if row is None or reference is None:
        return "", ""
    if row is reference:
        return (prefix or "◆"), ""
    test = paired_test(row, reference, metric)
    if test is None:
        return "", ""
    arrow = ("▲" if test.sign > 0 else "▼") if test.significant else "≈"
    return prefix + arrow, f"{test.p_value:.4f}"


def best_of(column: list[Run | None], metric: str) -> Run | None:
    """The row with the highest value of ``metric`` (the first of equals)."""
    valued = [r for r in column if r is not None and r.metrics[metric].value is not None]
    return max(valued, key=lambda r: r.metrics[metric].value, default=None)
