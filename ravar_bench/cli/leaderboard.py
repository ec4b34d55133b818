"""``ravar-bench leaderboard build``: regenerate leaderboards/ from stored results files."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from ravar_bench.cli._common import CLIError, add_parser, project_root

DEFAULT_RESULTS, DEFAULT_OUT = "results", "leaderboards"


def register(subparsers) -> None:
    parser = add_parser(subparsers, "leaderboard", "Leaderboards from stored results (never re-runs a model).",
                        handle)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="regenerate leaderboards/ from results files")
    build.add_argument("results_dirs", nargs="*", default=[DEFAULT_RESULTS], metavar="RESULTS_DIR")
    build.add_argument("--out", help="output folder (default: leaderboards/, only when building from results/)")
    build.add_argument("--reported", help="the paper's numbers (default: leaderboards/reported.json of the project)")
    build.add_argument("--convention", choices=("macro", "weighted"), default="macro",
                       help="class averaging of mAP and AUROC (see docs/METRICS.md)")


def default_reported() -> Path:
    """leaderboards/reported.json of the project checkout."""
    return project_root() / "leaderboards" / "reported.json"


def output_folder(results_dirs: list[str], out: str | None) -> Path:
    """``--out``, else ``leaderboards``, but only for the default ``results``: a build from another results
    folder would replace (and prune) the committed leaderboards, so it must name its own output."""
    if out is not None:
        return Path(out)
    if [Path(d).resolve() for d in results_dirs] != [Path(DEFAULT_RESULTS).resolve()]:
        raise CLIError(f"building from {' '.join(results_dirs)}, not {DEFAULT_RESULTS}/: pass --out FOLDER "
                       f"(without --out only {DEFAULT_RESULTS}/ builds {DEFAULT_OUT}/, so committed boards stay)")
    return Path(DEFAULT_OUT)


def handle(args: argparse.Namespace) -> int:
    from ravar_bench.leaderboard.build import build_leaderboards
    from ravar_bench.leaderboard.collect import LeaderboardError

    out = output_folder(args.results_dirs, args.out)
    try:
        folders = build_leaderboards(args.results_dirs, out, Path(args.reported or default_reported()),
                                     args.convention)
    except LeaderboardError as err:
        raise CLIError(str(err)) from err
    Console().print(f"leaderboards written to {out}: {len(folders)} (dataset, scale) folders")
    for folder in folders:
        Console().print(f"  {folder}")
    return 0
