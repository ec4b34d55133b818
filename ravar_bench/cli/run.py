"""``ravar-bench run``: train if needed, then test, and write one results directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ravar_bench.cache import results_root
from ravar_bench.cli._common import add_parser
from ravar_bench.data.splits import EVALUATION_SPLITS


def add_run_arguments(parser: argparse.ArgumentParser, *, with_split: bool = True) -> None:
    """Arguments shared by ``run``, ``train`` and ``test``."""
    parser.add_argument("submission", help="a submission config, e.g. submissions/refatomnet.py")
    if with_split:
        parser.add_argument("--split", choices=EVALUATION_SPLITS, default="test", help="split to evaluate")
        parser.add_argument("--perturb", metavar="NAME[:SEVERITY]",
                            help="test-time perturbation, e.g. fog or rain:3 (see `ravar-bench ls perturbations`)")
        parser.add_argument("--text-control", choices=("shuffled", "empty"),
                            help="evaluate with each reference swapped for another clip's, or emptied")
        parser.add_argument("--checkpoint", help="weights to test instead of the cached or freshly trained ones")
    parser.add_argument("--data-root", help="real RefAVA in the authors' format (default: embedded RefAVA-Synth)")
    parser.add_argument("--seed", type=int, default=0, help="run seed (training and perturbation draws)")
    parser.add_argument("--work-dir", help="where checkpoints and results go (default: ./work_dirs)")
    parser.add_argument("--launcher", choices=("none", "pytorch"), default="none",
                        help="'pytorch' under torchrun for MMEngine's distributed mode")
    parser.add_argument("--results-dir", default=str(results_root()),
                        help="root of the results directories (default: results/ in the user cache)")
    parser.add_argument("--cfg-options", nargs="+", action="extend", default=[], metavar="KEY=VALUE",
                        help="override config entries that exist, MMEngine style (e.g. train_cfg.max_epochs=2); "
                             "+KEY=VALUE adds a new one (docs/SUBMITTING.md)")


def register(subparsers) -> None:
    parser = add_parser(subparsers, "run", "Train (unless a checkpoint is cached) and test a submission.", handle)
    add_run_arguments(parser)


def handle(args: argparse.Namespace) -> int:
    return run_command(args, do_train=True, do_test=True)


def print_results(final: Path) -> None:
    """A rich table of the headline metrics with their 95% CIs."""
    from ravar_bench.engine.results import condition_name, read_results
    from ravar_bench.metrics.estimate import Estimate, interval, percent
    from ravar_bench.metrics.report import HEADLINE

    results = read_results(final / "results.json")
    metrics = results["metrics"]["metrics"]
    dataset = results["dataset"]
    condition = condition_name(results["perturbation"], results["text_control"])
    title = (f"{results['submission']} on {dataset['name']} {dataset['split']}, {condition} "
             f"({results['metrics']['convention']}, N={dataset['num_samples']})")
    table = Table(title=title)
    for column in ("metric", "value %", "95% CI"):
        table.add_column(column, justify="right" if column != "metric" else "left")
    for name in HEADLINE:
        estimate = Estimate(metrics[name]["value"], metrics[name].get("ci_low"), metrics[name].get("ci_high"))
        table.add_row(name, percent(estimate.value), interval(estimate))
    console = Console()
    console.print(table)
    console.print(f"results: {final}")


def run_command(args, *, do_train: bool, do_test: bool) -> int:
    """``run`` (train if needed, then test), ``train`` (only train) or ``test`` (only test)."""
    from mmengine.dist import is_main_process

    from ravar_bench.engine.request import RunRequest
    from ravar_bench.engine.runs import ensure_weights, prepare, test

    request = RunRequest.from_fields(vars(args))
    prepared = prepare(request)
    weights = ensure_weights(prepared, request, allow_training=do_train)
    if not do_test:
        if is_main_process():
            print(f"weights: {weights}")  # plain print: one unwrapped line for scripts
        return 0
    final = test(prepared, weights, request)
    if is_main_process():
        print_results(final)
    return 0
