"""``ravar-bench score``: re-score stored per-sample predictions without a model."""

from __future__ import annotations

import argparse

from ravar_bench.cli._common import add_parser


def register(subparsers) -> None:
    parser = add_parser(subparsers, "score", "Compute RAVAR metrics from a samples.jsonl file.", handle)
    parser.add_argument("samples", help="samples.jsonl written by `ravar-bench run`")
    parser.add_argument("--convention", choices=("macro", "weighted"), default="macro",
                        help="class averaging for mAP and AUROC (macro: paper text; weighted: authors' code)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap confidence intervals")
    parser.add_argument("--json", dest="json_out", help="also write the metrics to this JSON file")


def handle(args: argparse.Namespace) -> int:
    from ravar_bench.metrics.score_file import score_command

    return score_command(args)
