"""``ravar-bench compare RUN_A RUN_B``: paired video bootstrap of the difference of every headline metric."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ravar_bench.cli._common import add_parser
from ravar_bench.errors import UserError
from ravar_bench.metrics.bootstrap import DEFAULT_RESAMPLES, Difference


def register(subparsers) -> None:
    parser = add_parser(subparsers, "compare", "Is run A better than run B? Paired bootstrap over videos of the "
                        "difference of each headline metric, on the samples both runs scored.", handle)
    parser.add_argument("run_a", metavar="RUN_A", help="a results directory holding samples.jsonl (or the file)")
    parser.add_argument("run_b", metavar="RUN_B", help="the run to compare against, on the same samples")
    parser.add_argument("--convention", choices=("macro", "weighted"), default="macro",
                        help="class averaging of mAP and AUROC (see docs/METRICS.md)")
    parser.add_argument("--n-bootstrap", type=int, default=DEFAULT_RESAMPLES, help="number of video resamples")
    parser.add_argument("--seed", type=int, default=0, help="seed of the resamples (shared by both runs)")


def samples_path(run: str) -> Path:
    """``RUN/samples.jsonl`` for a run directory, the path itself for a ``.jsonl`` file."""
    path = Path(run)
    return path if path.suffix == ".jsonl" else path / "samples.jsonl"


def _percent(value: float | None, signed: bool = False) -> str:
    """A fraction in percent (points), two decimals."""
    return "-" if value is None else (f"{100 * value:+.2f}" if signed else f"{100 * value:.2f}")


def difference_table(differences: dict[str, Difference], title: str) -> Table:
    """Rich table: metric, A %, B %, A - B in points, its 95% CI, p-value, significant at 0.05."""
    table = Table(title=title)
    for column in ("metric", "A %", "B %", "A - B", "95% CI", "p", "p < 0.05"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for name, d in differences.items():
        interval = "-" if d.ci_low is None else f"[{_percent(d.ci_low, True)}, {_percent(d.ci_high, True)}]"
        table.add_row(name, _percent(d.a), _percent(d.b), _percent(d.diff, True), interval, f"{d.p_value:.3f}",
                      "yes" if d.significant() else "no")
    return table


def handle(args: argparse.Namespace) -> int:
    from ravar_bench.metrics.paired import compare_samples
    from ravar_bench.metrics.samples_file import read_samples

    path_a, path_b = samples_path(args.run_a), samples_path(args.run_b)
    for path in (path_a, path_b):
        if not path.is_file():
            raise UserError(f"{path}: no such file (compare needs a run's samples.jsonl; the committed results "
                           "keep only results.json, so re-run that cell to get it)")
    runs = [read_samples(path_a), read_samples(path_b)]
    try:
        differences = compare_samples(*runs, convention=args.convention, n_bootstrap=args.n_bootstrap,
                                      seed=args.seed)
    except ValueError as error:
        raise UserError(f"{path_a} vs {path_b}: {error}") from None
    title = (f"A = {path_a}\nB = {path_b}\n{len(runs[0]['keys'])} samples, {args.convention} convention, "
             f"{args.n_bootstrap} paired video resamples (seed {args.seed})")
    Console().print(difference_table(differences, title))
    return 0
