"""``ravar-bench leaderboard build``: regenerate leaderboards/ from stored results files."""

from __future__ import annotations

import argparse

from ravar_bench.cli._common import add_parser, not_built


def register(subparsers) -> None:
    parser = add_parser(subparsers, "leaderboard", "Leaderboards from stored results (never re-runs a model).",
                        handle)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="regenerate leaderboards/ from results files")
    build.add_argument("results_dirs", nargs="*", default=["results"], metavar="RESULTS_DIR")
    build.add_argument("--out", default="leaderboards", help="output folder")


def handle(args: argparse.Namespace) -> int:
    raise not_built("`ravar-bench leaderboard build`", issue=6)
