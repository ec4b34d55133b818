"""``ravar-bench test``: the testing half of ``run`` (needs a cached or given checkpoint)."""

from __future__ import annotations

import argparse

from ravar_bench.cli._common import add_parser
from ravar_bench.cli.run import add_run_arguments, run_command


def register(subparsers) -> None:
    parser = add_parser(subparsers, "test", "Test a trained submission and write a results directory.", handle)
    add_run_arguments(parser)


def handle(args: argparse.Namespace) -> int:
    return run_command(args, do_train=False, do_test=True)
