"""``ravar-bench sweep``: run the grid of submissions x splits x conditions, then rebuild the leaderboards."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ravar_bench.cli._common import CLIError, add_parser
from ravar_bench.cli.run import SPLITS

SEVERITIES = (1, 2, 3, 4, 5)


def register(subparsers) -> None:
    parser = add_parser(subparsers, "sweep", "Run every (submission, split, condition) cell, resumably, then "
                        "rebuild the leaderboards.", handle)
    parser.add_argument("--submissions", nargs="+", metavar="GLOB",
                        help="submission files or globs (default: every submission except submissions/paper/)")
    parser.add_argument("--perturb", nargs="*", metavar="NAME", default=None,
                        help="perturbations to sweep (default: every one in perturbations/; none if given empty)")
    parser.add_argument("--severities", nargs="+", type=int, default=list(SEVERITIES), choices=SEVERITIES)
    parser.add_argument("--splits", nargs="+", choices=SPLITS, default=list(SPLITS))
    parser.add_argument("--text-controls", nargs="*", choices=("shuffled", "empty"), default=["shuffled", "empty"])
    parser.add_argument("--data-root", help="real RefAVA in the authors' format (default: embedded RefAVA-Synth)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work-dir", help="where training writes (default: ./work_dirs)")
    parser.add_argument("--results-dir", default="results")
    parser.add_argument("--cfg-options", nargs="+", action="extend", default=[], metavar="KEY=VALUE",
                        help="passed to every run, e.g. train_cfg.max_epochs=1")
    parser.add_argument("--out", help="leaderboards folder rebuilt at the end (default: leaderboards/, only with "
                        "the default --results-dir)")
    parser.add_argument("--dry-run", action="store_true", help="list the cells and whether each has results")


def shared_args(args: argparse.Namespace) -> list[str]:
    """The options every cell's ``ravar-bench run`` receives."""
    shared = ["--seed", str(args.seed), "--results-dir", args.results_dir]
    for flag, value in (("--data-root", args.data_root), ("--work-dir", args.work_dir)):
        if value:
            shared += [flag, value]
    return shared + (["--cfg-options", *args.cfg_options] if args.cfg_options else [])


def cells_of(args: argparse.Namespace) -> list:
    """The grid the arguments ask for."""
    from ravar_bench.cli._common import project_root
    from ravar_bench.engine.sweep import expand_submissions, grid
    from ravar_bench.perturbations.spec import ALIASES, config_names

    names = config_names(project_root()) if args.perturb is None else args.perturb
    perturbations = [ALIASES.get(name.lower(), name.lower()) for name in names]
    return grid(expand_submissions(args.submissions), args.splits, perturbations, args.severities,
                args.text_controls)


def summary(rows: list[tuple], title: str) -> Table:
    """The rich table printed at the end (or, with the first four columns, for --dry-run)."""
    table = Table(title=title)
    for column in ("submission", "split", "condition", "status", "mAP %", "results")[: len(rows[0]) if rows else 6]:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def handle(args: argparse.Namespace) -> int:
    from ravar_bench.cli.leaderboard import output_folder
    from ravar_bench.engine.submission import load_submission
    from ravar_bench.engine.sweep import dataset_name, finished, run_cell

    cells = cells_of(args)
    results_dir, dataset = Path(args.results_dir), dataset_name(args.data_root)
    console = Console()
    if args.dry_run:
        rows = [(c.submission, c.split, c.condition, "done" if finished(c, results_dir, dataset) else "to run")
                for c in cells]
        console.print(summary(rows, f"sweep plan: {len(cells)} cells"))
        return 0
    out = output_folder([args.results_dir], args.out)  # refused before any cell runs
    for submission in sorted({cell.submission for cell in cells}):  # a bad option fails once, not in every cell
        load_submission(submission, args.cfg_options)
    rows, failures = [], 0
    for number, cell in enumerate(cells, 1):
        console.rule(f"[{number}/{len(cells)}] {cell.submission} {cell.split} {cell.condition}")
        was_done = finished(cell, results_dir, dataset)
        try:
            final = run_cell(cell, shared_args(args))
        except (CLIError, RuntimeError, ValueError, KeyError, FileNotFoundError) as err:
            failures += 1
            rows.append((cell.submission, cell.split, cell.condition, f"[red]failed: {err}[/]", "", ""))
            continue
        rows.append((cell.submission, cell.split, cell.condition, "reused" if was_done else "ran",
                     _map(final), str(final)))
    console.print(summary(rows, f"sweep: {len(cells)} cells, {failures} failed"))
    from ravar_bench.cli.leaderboard import default_reported
    from ravar_bench.leaderboard.build import build_leaderboards

    build_leaderboards([results_dir], out, default_reported())
    console.print(f"leaderboards rebuilt in {out}")
    return 1 if failures else 0


def _map(final: Path) -> str:
    """The headline mAP of a finished run, in percent."""
    from ravar_bench.engine.results import read_results

    value = read_results(final / "results.json")["metrics"]["metrics"]["mAP"]["value"]
    return "n/a" if value is None else f"{100 * value:.2f}"
