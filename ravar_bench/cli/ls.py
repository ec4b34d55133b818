"""``ravar-bench ls``: list what exists (submissions, perturbations, metrics, models)."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from ravar_bench.cli._common import add_parser
from ravar_bench.paths import list_configs

WHAT = ("submissions", "perturbations", "metrics", "models")


def register(subparsers) -> None:
    parser = add_parser(subparsers, "ls", "List submissions, perturbations, metrics or models.", handle)
    parser.add_argument("what", choices=WHAT)


def list_registered(registry_name: str) -> list[str]:
    """Names registered in one of our registries, after importing the modules it lazily loads."""
    from ravar_bench import registry

    chosen = getattr(registry, registry_name)
    chosen.import_from_location()
    return sorted(chosen.module_dict)


def handle(args: argparse.Namespace) -> int:
    if args.what in ("submissions", "perturbations"):
        names = list_configs(args.what)
    elif args.what == "metrics":
        names = list_registered("METRICS")
    else:
        names = list_registered("MODELS")
    table = Table(title=args.what, show_header=False)
    for name in names:
        table.add_row(name)
    Console().print(table if names else f"no {args.what} yet")
    return 0
