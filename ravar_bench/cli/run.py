"""``ravar-bench run``: train if needed, then test, and write one results directory."""

from __future__ import annotations

import argparse

from ravar_bench.cli._common import add_parser

SPLITS = ("val", "test", "test-rephrased")


def add_run_arguments(parser: argparse.ArgumentParser, *, with_split: bool = True) -> None:
    """Arguments shared by ``run``, ``train`` and ``test``."""
    parser.add_argument("submission", help="a submission config, e.g. submissions/refatomnet.py")
    if with_split:
        parser.add_argument("--split", choices=SPLITS, default="test", help="split to evaluate")
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
    parser.add_argument("--results-dir", default="results", help="root of the results directories")
    parser.add_argument("--cfg-options", nargs="+", action="extend", default=[], metavar="KEY=VALUE",
                        help="override config entries that exist, MMEngine style (e.g. train_cfg.max_epochs=2); "
                             "+KEY=VALUE adds a new one (docs/SUBMITTING.md)")


def register(subparsers) -> None:
    parser = add_parser(subparsers, "run", "Train (unless a checkpoint is cached) and test a submission.", handle)
    add_run_arguments(parser)


def handle(args: argparse.Namespace) -> int:
    from ravar_bench.engine.runs import run_command

    return run_command(args, do_train=True, do_test=True)
