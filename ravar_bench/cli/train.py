"""``ravar-bench train``: the training half of ``run``."""

from __future__ import annotations

import argparse

from ravar_bench.cli._common import add_parser
from ravar_bench.cli.run import add_run_arguments, run_command


def register(subparsers) -> None:
    parser = add_parser(subparsers, "train", "Train a submission and cache its best checkpoint.", handle)
    add_run_arguments(parser, with_split=False)


def handle(args: argparse.Namespace) -> int:
    return run_command(args, do_train=True, do_test=False)
