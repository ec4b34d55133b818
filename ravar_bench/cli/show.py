"""``ravar-bench show``: pictures of a run's predictions (worst first) and of its per-class AP."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from ravar_bench.cli._common import add_parser
from ravar_bench.errors import UserError


def register(subparsers) -> None:
    parser = add_parser(subparsers, "show", "Contact sheet of a run's predictions, most wrong first (like the "
                        "paper's Fig. 4), and per-class AP bar charts of one run or two.", handle)
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a results folder (results.json, samples.jsonl)")
    pick = parser.add_mutually_exclusive_group()
    pick.add_argument("--worst", type=int, default=16, help="the N most wrong samples (default 16)")
    pick.add_argument("--keys", nargs="+", metavar="KEY", help="these sample keys, in this order")
    parser.add_argument("--out", help="the contact sheet PNG")
    parser.add_argument("--per-class-ap", metavar="FILE.png", help="a per-class AP bar chart of the run")
    parser.add_argument("--against", metavar="RUN_DIR", help="a second run whose per-class AP is drawn beside")
    parser.add_argument("--data-root", help="the data the run read (default: its recorded data root, else the "
                                            "cached RefAVA-Synth)")
    parser.add_argument("--columns", type=int, default=4)


def read_run(run_dir: Path) -> dict:
    """A run folder's results.json, or a UserError naming the folder."""
    from ravar_bench.engine.results import read_results

    path = run_dir / "results.json"
    if not path.is_file():
        raise UserError(f"{run_dir}: no results.json (expected a results folder written by `ravar-bench run`)")
    try:
        return read_results(path)
    except ValueError as err:
        raise UserError(str(err)) from err


def run_label(results: dict, run_dir: Path) -> str:
    """``refatomnet test/fog-s3 9cd283dca9e1``: what names a run on a chart."""
    return f"{results['submission']} {results['dataset']['split']}/{run_dir.parent.name} {results['run_id']}"


def data_root(args: argparse.Namespace, results: dict) -> Path:
    """--data-root, else the root the run recorded when it exists here, else the cached RefAVA-Synth."""
    if args.data_root:
        return Path(args.data_root)
    recorded = results.get("provenance", {}).get("data_root")
    if recorded and Path(recorded).is_dir():
        return Path(recorded)
    if results["dataset"]["name"] == "refava-synth":
        from ravar_bench.data import synth

        return Path(synth.default_root())
    raise UserError(f"the data of this run ({results['dataset']['name']}) is not found here; pass --data-root")


def write_sheet(args: argparse.Namespace, run_dir: Path, results: dict) -> str:
    """Write the contact sheet of the chosen samples; what was written."""
    from ravar_bench.data.dataset import RefAVADataset
    from ravar_bench.data.format import atomic_write_bytes
    from ravar_bench.data.problems import RefAVAFormatError
    from ravar_bench.visual import predictions

    for option, value in (("--worst", args.worst), ("--columns", args.columns)):
        if value < 1:
            raise UserError(f"{option} must be >= 1, got {value}")
    try:
        chosen = predictions.choose(predictions.score_samples(predictions.read_samples(run_dir)),
                                    None if args.keys else args.worst, args.keys)
        root = data_root(args, results)
        dataset = RefAVADataset(root, results["dataset"]["split"])
        wanted = {s.row["key"] for s in chosen}
        infos = {info["key"]: info for info in (dataset.get_data_info(i) for i in range(len(dataset)))
                 if info["key"] in wanted}
        heading = (f"{run_label(results, run_dir)}: {'most wrong first' if not args.keys else 'chosen samples'}; "
                   "green = true box, magenta dashed = predicted box, * = a true action")
        atomic_write_bytes(Path(args.out), predictions.prediction_sheet(chosen, infos, heading, args.columns))
    except (predictions.ShowError, RefAVAFormatError) as err:
        raise UserError(str(err)) from err
    return f"{len(chosen)} samples -> {args.out}"


def write_chart(args: argparse.Namespace, run_dir: Path, results: dict) -> str:
    """Write the per-class AP chart of the run (and of --against); what was written."""
    from ravar_bench.data.format import atomic_write_bytes
    from ravar_bench.visual.per_class import ap_chart, per_class_ap

    runs = [(run_label(results, run_dir), per_class_ap(results))]
    if args.against:
        other = Path(args.against)
        runs.append((run_label(read_run(other), other), per_class_ap(read_run(other))))
    try:
        chart = ap_chart(runs, f"Per-class AP (%), {results['dataset']['name']} {results['dataset']['split']}, "
                               "classes with positives, sorted by the first run")
    except ValueError as err:
        raise UserError(f"{run_dir}: {err}") from err
    atomic_write_bytes(Path(args.per_class_ap), chart)
    return f"per-class AP of {len(runs)} run(s) -> {args.per_class_ap}"


def handle(args: argparse.Namespace) -> int:
    if not args.out and not args.per_class_ap:
        raise UserError("nothing to write: give --out FILE.png (contact sheet) and/or --per-class-ap FILE.png")
    if args.against and not args.per_class_ap:
        raise UserError("--against compares per-class AP: give --per-class-ap FILE.png too")
    run_dir = Path(args.run_dir)
    results = read_run(run_dir)
    done = []
    if args.per_class_ap:
        done.append(write_chart(args, run_dir, results))
    if args.out:
        done.append(write_sheet(args, run_dir, results))
    for line in done:
        Console().print(f"wrote {line}")
    return 0
