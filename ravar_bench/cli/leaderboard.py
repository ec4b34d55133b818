"""``ravar-bench leaderboard build``: regenerate leaderboards/ from stored results files."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from ravar_bench.cache import results_root
from ravar_bench.cli._common import add_parser
from ravar_bench.errors import UserError
from ravar_bench.paths import project_root

DEFAULT_OUT = "leaderboards"


def register(subparsers) -> None:
    parser = add_parser(subparsers, "leaderboard", "Leaderboards from stored results (never re-runs a model).",
                        handle)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="regenerate leaderboards/ from results files")
    build.add_argument("results_dirs", nargs="*", metavar="RESULTS_DIR",
                       help="results folders or runs.jsonl indexes (default: the project's leaderboards/ "
                            "indexes and, if it exists, results/ in the user cache)")
    build.add_argument("--out", help="output folder (default: leaderboards/, only when building from the default "
                                     "inputs)")
    build.add_argument("--reported", help="the paper's numbers (default: leaderboards/reported.json of the project)")
    build.add_argument("--convention", choices=("macro", "weighted"), default="macro",
                       help="class averaging of mAP and AUROC (see docs/METRICS.md)")


def default_reported() -> Path:
    """leaderboards/reported.json of the project checkout."""
    return project_root() / "leaderboards" / "reported.json"


def default_studies() -> Path:
    """studies/results/ of the project checkout: the learnability records shown as reference rows."""
    return project_root() / "studies" / "results"


def default_inputs() -> list[Path]:
    """The committed run indexes under leaderboards/ and the user cache's results folder, if it exists."""
    cached = results_root()
    return [project_root() / "leaderboards", *([cached] if cached.is_dir() else [])]


def output_folder(results_dirs: list[str], out: str | None) -> Path:
    """``--out``, else ``leaderboards``, but only for the default inputs: a build from other results folders
    would replace (and prune) the committed leaderboards, so it must name its own output."""
    if out is not None:
        return Path(out)
    defaults = {path.resolve() for path in [*default_inputs(), results_root()]}
    if any(Path(d).resolve() not in defaults for d in results_dirs):
        raise UserError(f"building from {' '.join(results_dirs)}: pass --out FOLDER (without --out only the "
                        f"default inputs build {DEFAULT_OUT}/, so committed boards stay)")
    return Path(DEFAULT_OUT)


def handle(args: argparse.Namespace) -> int:
    from ravar_bench.leaderboard.build import build_leaderboards
    from ravar_bench.leaderboard.collect import LeaderboardError

    out = output_folder(args.results_dirs, args.out)
    try:
        folders = build_leaderboards(args.results_dirs or default_inputs(), out,
                                     Path(args.reported or default_reported()), args.convention, default_studies())
    except LeaderboardError as err:
        raise UserError(str(err)) from err
    Console().print(f"leaderboards written to {out}: {len(folders)} (dataset, scale) folders")
    for folder in folders:
        Console().print(f"  {folder}")
    return 0
