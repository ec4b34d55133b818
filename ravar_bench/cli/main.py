"""``ravar-bench``: one subcommand per module in this package."""

from __future__ import annotations

import argparse
import importlib
import sys

from rich.console import Console
from rich.text import Text

from ravar_bench.cli._common import CLIError

# Each module defines ``register(subparsers)``, which adds its parser and sets ``handler``.
SUBCOMMANDS = ("run", "train", "test", "score", "perturb", "data", "leaderboard", "ls", "sweep", "new", "check")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ravar-bench",
        description="Benchmark harness for Referring Atomic Video Action Recognition (RAVAR).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMANDS:
        importlib.import_module(f"ravar_bench.cli.{name}").register(subparsers)
    return parser


INTERRUPTED = ("interrupted: finished epochs and test batches are kept; "
               "the same command again resumes where this one stopped")


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; the one place where a user's mistake becomes a message without a traceback."""
    from ravar_bench.data.problems import DataError

    args = build_parser().parse_args(argv)
    console = Console(stderr=True, soft_wrap=True)
    try:
        return int(args.handler(args) or 0)
    except (CLIError, DataError) as error:
        message = error.one_line() if isinstance(error, DataError) else str(error)
        console.print(Text.assemble(("error: ", "bold red"), message), highlight=False)  # no markup in messages
        return 2
    except KeyboardInterrupt:
        console.print(Text(INTERRUPTED, style="bold yellow"))
        return 130


if __name__ == "__main__":
    sys.exit(main())
