"""``ravar-bench check``: run the contract checks of submission configs and print a pass/fail table."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from ravar_bench.cli._common import add_parser


def register(subparsers) -> None:
    parser = add_parser(subparsers, "check", "Check submissions against the model contract (docs/INTERFACES.md).",
                        handle)
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION", help="submission config files")
    parser.add_argument("--cfg-options", nargs="+", action="extend", default=[], metavar="KEY=VALUE",
                        help="override existing config entries (e.g. model.pretrained_blip2=DIR); +KEY=VALUE adds one")


def handle(args: argparse.Namespace) -> int:
    from ravar_bench.engine.submission_check import check_submission

    console, ok = Console(), True
    for path in args.submissions:
        results = check_submission(path, cfg_options=args.cfg_options)
        table = Table(title=f"contract checks: {path}")
        for column in ("check", "result", "detail"):
            table.add_column(column, overflow="fold")
        for result in results:
            table.add_row(result.name, "[green]pass[/]" if result.passed else "[red]FAIL[/]", result.detail)
        console.print(table)
        ok = ok and all(r.passed for r in results)
    return 0 if ok else 1
