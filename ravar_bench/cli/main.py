"""``ravar-bench``: one subcommand per module in this package."""

from __future__ import annotations

import argparse
import importlib
import sys

from rich.console import Console

from ravar_bench.cli._common import CLIError

# Each module defines ``register(subparsers)``, which adds its parser and sets ``handler``.
SUBCOMMANDS = ("run", "train", "test", "score", "compare", "perturb", "data", "leaderboard", "ls", "sweep", "new",
               "check")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ravar-bench",
        description="Benchmark harness for Referring Atomic Video Action Recognition (RAVAR).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMANDS:
        importlib.import_module(f"ravar_bench.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CLIError as error:
        Console(stderr=True).print(f"[bold red]error:[/] {error}", highlight=False)
        return 2


if __name__ == "__main__":
    sys.exit(main())
