"""``ravar-bench score``: re-score stored per-sample predictions without a model."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ravar_bench.cli._common import add_parser
from ravar_bench.errors import UserError

if TYPE_CHECKING:
    from ravar_bench.metrics.report import RAVARReport


def register(subparsers) -> None:
    parser = add_parser(subparsers, "score", "Compute RAVAR metrics from a samples.jsonl file.", handle)
    parser.add_argument("samples", help="samples.jsonl written by `ravar-bench run`")
    parser.add_argument("--convention", choices=("macro", "weighted"), default="macro",
                        help="class averaging for mAP and AUROC (macro: paper text; weighted: authors' code)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap confidence intervals")
    parser.add_argument("--json", dest="json_out", help="also write the metrics to this JSON file")


def report_table(report: RAVARReport, title: str) -> Table:
    """Rich table: metric, value in %, 95% CI in %."""
    from ravar_bench.metrics.estimate import interval, percent

    table = Table(title=title)
    for column, justify in (("metric", "left"), ("value %", "right"), ("95% CI %", "right")):
        table.add_column(column, justify=justify)
    for name, estimate in report.metrics.items():
        table.add_row(name, percent(estimate.value), interval(estimate))
    return table


def handle(args: argparse.Namespace) -> int:
    """Score ``args.samples`` in ``args.convention`` with bootstrap ``args.seed``; save JSON to ``args.json_out``."""
    from ravar_bench.data.format import atomic_write_bytes
    from ravar_bench.metrics.report import compute_ravar_metrics
    from ravar_bench.metrics.samples_file import read_samples, sample_warnings

    samples = read_samples(args.samples)
    for warning in sample_warnings(args.samples, samples):
        Console(stderr=True, soft_wrap=True).print(Text.assemble(("warning: ", "bold yellow"), warning))
    try:
        report = compute_ravar_metrics(samples["scores"], samples["labels"], samples["pred_boxes"],
                                       samples["gt_boxes"], convention=args.convention, seed=args.seed,
                                       keys=samples["keys"])
    except ValueError as error:
        raise UserError(f"{args.samples}: {error}") from None
    title = (f"{args.samples}: {report.num_samples} samples, {report.convention} convention, "
             f"{report.bootstrap['n_resamples']} bootstrap resamples by {report.bootstrap['unit']} (seed {args.seed})")
    Console().print(report_table(report, title))
    if args.json_out:
        payload = json.dumps({"samples": str(args.samples), **report.to_dict()}, indent=2, allow_nan=False)
        atomic_write_bytes(args.json_out, (payload + "\n").encode("utf-8"))
    return 0
