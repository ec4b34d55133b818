"""``ravar-bench perturb``: look at the test-time perturbations."""

from __future__ import annotations

import argparse

from ravar_bench.cli._common import add_parser


def register(subparsers) -> None:
    parser = add_parser(subparsers, "perturb", "Inspect the test-time perturbations.", handle)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    preview = actions.add_parser("preview", help="PNG grid: clean, then severities 1-5 of each perturbation")
    preview.add_argument("--out", default="perturbation_preview.png", help="PNG file to write")
    preview.add_argument("--seed", type=int, default=0)


def handle(args: argparse.Namespace) -> int:
    from ravar_bench.perturbations.preview import preview_command

    return preview_command(args)
