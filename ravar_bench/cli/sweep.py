"""``ravar-bench sweep``: run the grid of submissions x splits x conditions, then rebuild the leaderboards."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ravar_bench.cache import results_root
from ravar_bench.cli._common import add_parser
from ravar_bench.data.splits import EVALUATION_SPLITS
from ravar_bench.errors import UserError

SEVERITIES = (1, 2, 3, 4, 5)
TEXT_CONTROLS = ("shuffled", "empty")
# The five grid options' defaults (what --grid replaces; the parser takes them from here).
GRID_DEFAULTS = {"submissions": None, "perturb": None, "severities": list(SEVERITIES),
                 "splits": list(EVALUATION_SPLITS), "text_controls": list(TEXT_CONTROLS)}


def register(subparsers) -> None:
    parser = add_parser(subparsers, "sweep", "Run every (submission, split, condition) cell, resumably, then "
                        "rebuild the leaderboards.", handle)
    parser.add_argument("--submissions", nargs="+", metavar="GLOB",
                        help="submission files or globs (default: every submission except submissions/paper/)")
    parser.add_argument("--perturb", nargs="*", metavar="NAME", default=None,
                        help="perturbations to sweep (default: every one in perturbations/; none if given empty)")
    parser.add_argument("--severities", nargs="+", type=int, default=GRID_DEFAULTS["severities"], choices=SEVERITIES)
    parser.add_argument("--splits", nargs="+", choices=EVALUATION_SPLITS, default=GRID_DEFAULTS["splits"])
    parser.add_argument("--text-controls", nargs="*", choices=TEXT_CONTROLS, default=GRID_DEFAULTS["text_controls"])
    parser.add_argument("--grid", metavar="FILE",
                        help="JSON file whose parts each list submissions, splits, perturb, severities and "
                             "text_controls, in place of those five options (leaderboards/grid-refava-synth-cpu.json "
                             "is the committed sweep)")
    parser.add_argument("--data-root", help="real RefAVA in the authors' format (default: embedded RefAVA-Synth)")
    parser.add_argument("--seeds", "--seed", nargs="+", type=int, default=[0], metavar="SEED",
                        help="run seeds (training, perturbations, text controls, bootstrap); CPU-scale submissions "
                             "are trained once per seed, others with the first (default: 0)")
    parser.add_argument("--work-dir", help="where training writes (default: ./work_dirs)")
    parser.add_argument("--results-dir", default=str(results_root()), help="default: results/ in the user cache")
    parser.add_argument("--cfg-options", nargs="+", action="extend", default=[], metavar="KEY=VALUE",
                        help="passed to every run, e.g. train_cfg.max_epochs=1")
    parser.add_argument("--out", help="leaderboards folder rebuilt at the end (default: leaderboards/, only with "
                        "the default --results-dir)")
    parser.add_argument("--dry-run", action="store_true", help="list the cells and whether each has results")
    jobs = parser.add_argument_group("executors", "cells as independent jobs through submitit (docs/LEADERBOARDS.md)")
    jobs.add_argument("--executor", choices=("local", "slurm"), default="local",
                      help="local: this machine, --jobs cells at a time; slurm: submit a training job per "
                           "submission and its test cells after it, then return")
    jobs.add_argument("--jobs", type=int, default=1,
                      help="local cells at a time (1: in this process; more: submitit subprocesses)")
    jobs.add_argument("--submitit-dir", default="work_dirs/submitit",
                      help="submitit's job files and logs (on Slurm: a folder every node can read)")
    jobs.add_argument("--slurm-config", help="JSON file with any of partition, gpus_per_job, time_min, "
                                             "array_parallelism (options below override it)")
    jobs.add_argument("--partition", help="Slurm partition")
    jobs.add_argument("--gpus-per-job", type=int, help="GPUs per Slurm job (default 1)")
    jobs.add_argument("--time-min", type=int, help="time limit per Slurm job in minutes (default 240)")
    jobs.add_argument("--array-parallelism", type=int, help="test jobs of one array running at once (default 64)")


def shared_request(args: argparse.Namespace):
    """The run request every cell shares (its submission, split, condition and seed are filled per cell)."""
    from ravar_bench.engine.request import RunRequest

    return RunRequest(submission="", seed=args.seeds[0], results_dir=args.results_dir, data_root=args.data_root,
                      work_dir=args.work_dir, cfg_options=args.cfg_options)


def cells_of(args: argparse.Namespace) -> list:
    """The grid the arguments (or the grid file) ask for, once per seed."""
    from ravar_bench.engine.sweep import expand_submissions, grid, perturbation_names, read_grid, with_seeds

    if args.grid:
        given = [f"--{key.replace('_', '-')}" for key, default in GRID_DEFAULTS.items()
                 if getattr(args, key) != default]
        if given:
            raise UserError(f"--grid {args.grid} lists the cells itself; drop {', '.join(given)}")
        return with_seeds(read_grid(Path(args.grid)), args.seeds)
    return with_seeds(grid(expand_submissions(args.submissions), args.splits, perturbation_names(args.perturb),
                           args.severities, args.text_controls), args.seeds)


def summary(rows: list[tuple], title: str) -> Table:
    """The rich table printed at the end (or, with the first four columns, for --dry-run)."""
    table = Table(title=title)
    for column in ("submission", "split", "condition", "status", "mAP %", "results")[: len(rows[0]) if rows else 6]:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def slurm_options(args: argparse.Namespace):
    """The Slurm job options: the --slurm-config file's, overridden by the command-line ones."""
    import json

    from ravar_bench.engine.sweep_jobs import SlurmOptions

    values: dict = {}
    if args.slurm_config:
        try:
            values = json.loads(Path(args.slurm_config).read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise UserError(f"--slurm-config {args.slurm_config}: cannot read it as JSON ({err})") from err
        unknown = set(values) - set(SlurmOptions.__dataclass_fields__)
        if not isinstance(values, dict) or unknown:
            raise UserError(f"--slurm-config {args.slurm_config}: unknown keys {sorted(unknown)}; expected any of "
                           f"{sorted(SlurmOptions.__dataclass_fields__)}")
    for key in ("partition", "gpus_per_job", "time_min", "array_parallelism"):
        if getattr(args, key) is not None:
            values[key] = getattr(args, key)
    return SlurmOptions(**values)


def submit_to_slurm(args: argparse.Namespace, cells: list, results_dir: Path, dataset: str, out: Path) -> int:
    """Submit the unfinished cells to Slurm and print the jobs; the leaderboards are rebuilt by the last job."""
    from ravar_bench.cli.leaderboard import default_reported, default_studies
    from ravar_bench.engine.sweep_jobs import plan, submit_slurm

    plans = plan(cells, results_dir, dataset)
    try:
        jobs = submit_slurm(plans, shared_request(args), slurm_options(args), Path(args.submitit_dir),
                            (str(results_dir), str(out), str(default_reported()), str(default_studies())))
    except (RuntimeError, OSError) as err:  # submitit: no srun/sbatch here, or sbatch refused the job
        raise UserError(f"--executor slurm: cannot submit ({err})") from err
    table = Table(title=f"sweep on Slurm: {sum(len(p.cells) for p in plans)} of {len(cells)} cells to run, "
                        f"{len(jobs)} jobs")
    for column in ("job", "name", "cells", "after"):
        table.add_column(column, overflow="fold")
    for job in jobs:
        table.add_row(job.job_id, job.name, " ".join(f"{c.split}/{c.condition}" for c in job.cells),
                      ",".join(job.after))
    Console().print(table)
    return 0


def run_cells(args: argparse.Namespace, cells: list, results_dir: Path, dataset: str, console: Console) -> list:
    """(cell, results folder or error, finished before) of every cell: here one after another, or in
    --jobs submitit subprocesses (which skip finished cells: None instead of a folder)."""
    from ravar_bench.engine.sweep import finished, run_cell

    if args.jobs > 1:
        from ravar_bench.engine.sweep_jobs import plan, run_local

        done = [c for c in cells if finished(c, results_dir, dataset)]
        def report(cell, result) -> None:
            console.print(f"{cell.submission} {cell.split} {cell.condition}: "
                          f"{'failed' if isinstance(result, BaseException) else 'done'}")

        ran = run_local(plan(cells, results_dir, dataset), shared_request(args), args.jobs,
                        Path(args.submitit_dir), report)
        return [(c, None, True) for c in done] + [(c, result, False) for c, result in ran]
    outcomes = []
    for number, cell in enumerate(cells, 1):
        console.rule(f"[{number}/{len(cells)}] {cell.submission} {cell.split} {cell.condition}")
        was_done = finished(cell, results_dir, dataset)
        try:
            outcomes.append((cell, run_cell(cell, shared_request(args)), was_done))
        except (UserError, RuntimeError, ValueError, KeyError, FileNotFoundError) as err:
            outcomes.append((cell, err, was_done))
    return outcomes


def handle(args: argparse.Namespace) -> int:
    from ravar_bench.cli.leaderboard import output_folder
    from ravar_bench.engine.submission import load_submission
    from ravar_bench.engine.sweep import dataset_name, finished

    if args.jobs < 1:
        raise UserError(f"--jobs must be >= 1, got {args.jobs}")
    cells = cells_of(args)
    results_dir, dataset = Path(args.results_dir), dataset_name(args.data_root)
    console = Console()

    def label(cell) -> str:
        return f"{cell.condition} seed {cell.seed}" if len(args.seeds) > 1 else cell.condition

    if args.dry_run:
        rows = [(c.submission, c.split, label(c), "done" if finished(c, results_dir, dataset) else "to run")
                for c in cells]
        console.print(summary(rows, f"sweep plan: {len(cells)} cells"))
        return 0
    out = output_folder([args.results_dir], args.out)  # refused before any cell runs
    for submission in sorted({cell.submission for cell in cells}):  # a bad option fails once, not in every cell
        load_submission(submission, args.cfg_options)
    if args.executor == "slurm":
        return submit_to_slurm(args, cells, results_dir, dataset, out)
    rows, failures = [], 0
    for cell, result, was_done in run_cells(args, cells, results_dir, dataset, console):
        if isinstance(result, BaseException):
            failures += 1
            rows.append((cell.submission, cell.split, label(cell), f"[red]failed: {result}[/]", "", ""))
        elif isinstance(result, Path):
            rows.append((cell.submission, cell.split, label(cell), "reused" if was_done else "ran",
                         _map(result), str(result)))
        else:
            rows.append((cell.submission, cell.split, label(cell), "already finished", "", ""))
    console.print(summary(rows, f"sweep: {len(cells)} cells, {failures} failed"))
    from ravar_bench.cli.leaderboard import default_inputs, default_reported, default_studies
    from ravar_bench.leaderboard.build import build_leaderboards
    from ravar_bench.leaderboard.collect import LeaderboardError

    try:
        build_leaderboards([*default_inputs(), results_dir], out, default_reported(), studies_dir=default_studies())
    except LeaderboardError as err:  # the cells are stored; only the rebuild failed
        raise UserError(f"the cells are stored in {results_dir}, but the leaderboards were not rebuilt: {err}") from err
    console.print(f"leaderboards rebuilt in {out}")
    return 1 if failures else 0


def _map(final: Path) -> str:
    """The headline mAP of a finished run, in percent."""
    from ravar_bench.engine.results import read_results
    from ravar_bench.metrics.estimate import percent

    return percent(read_results(final / "results.json")["metrics"]["metrics"]["mAP"]["value"])
