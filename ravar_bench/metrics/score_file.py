"""``ravar-bench score``: read a samples.jsonl, compute the RAVAR report, print it and optionally save it."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ravar_bench.cli._common import CLIError
from ravar_bench.data.format import atomic_write_bytes
from ravar_bench.metrics.report import NUM_CLASSES, RAVARReport, compute_ravar_metrics


def _field_error(path: Path, line: int, name: str, problem: str) -> CLIError:
    """A user error pointing at one field of one line."""
    return CLIError(f"{path}:{line}: field {name!r} {problem}")


def _numbers(path: Path, line: int, record: dict, name: str, size: int) -> list[float]:
    """The list of ``size`` finite numbers in ``record[name]``."""
    value = record[name]
    if (not isinstance(value, list) or len(value) != size
            or not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value)):
        raise _field_error(path, line, name, f"must be a list of {size} finite numbers")
    return [float(v) for v in value]


def _labels(path: Path, line: int, record: dict) -> np.ndarray:
    """Multi-hot [80] from the list of AVA ids in ``record["labels"]``."""
    ids = record["labels"]
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise _field_error(path, line, "labels", "must be a list of integer AVA action ids")
    if any(not 1 <= i <= NUM_CLASSES for i in ids):
        raise _field_error(path, line, "labels", f"has ids outside 1..{NUM_CLASSES}: {ids}")
    hot = np.zeros(NUM_CLASSES)
    hot[np.asarray(ids, dtype=np.int64) - 1] = 1.0
    return hot


def read_samples(path: str | Path) -> dict[str, np.ndarray | list[str]]:
    """Parse samples.jsonl into keys, scores [N, 80], labels [N, 80], pred_boxes [N, 4], gt_boxes [N, 4]."""
    path = Path(path)
    if not path.is_file():
        raise CLIError(f"{path}: no such file")
    keys, scores, labels, pred_boxes, gt_boxes, first_line = [], [], [], [], [], {}
    with path.open(encoding="utf-8") as handle:
        for line_no, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as error:
                raise CLIError(f"{path}:{line_no}: not valid JSON ({error.msg})") from None
            if not isinstance(record, dict):
                raise CLIError(f"{path}:{line_no}: expected a JSON object")
            missing = [name for name in ("key", "scores", "labels", "pred_box", "gt_box") if name not in record]
            if missing:
                raise _field_error(path, line_no, missing[0], "is missing")
            key = record["key"]
            if not isinstance(key, str):
                raise _field_error(path, line_no, "key", "must be a string")
            if key in first_line:
                raise _field_error(path, line_no, "key", f"{key!r} repeats line {first_line[key]}")
            first_line[key] = line_no
            keys.append(key)
            scores.append(_numbers(path, line_no, record, "scores", NUM_CLASSES))
            labels.append(_labels(path, line_no, record))
            pred_boxes.append(_numbers(path, line_no, record, "pred_box", 4))
            gt_boxes.append(_numbers(path, line_no, record, "gt_box", 4))
    if not keys:
        raise CLIError(f"{path}: no samples")
    return {"keys": keys, "scores": np.asarray(scores), "labels": np.asarray(labels),
            "pred_boxes": np.asarray(pred_boxes), "gt_boxes": np.asarray(gt_boxes),
            "lines": np.asarray(list(first_line.values()))}


def _lines_where(path: Path, lines: np.ndarray, bad: np.ndarray, what: str) -> list[str]:
    """One warning naming how many lines have ``what`` and the first few of them, if any has."""
    if not bad.any():
        return []
    shown = ", ".join(str(n) for n in lines[bad][:5])
    return [f"{path}: {int(bad.sum())} line(s) have {what} (lines {shown}{', ...' if bad.sum() > 5 else ''})"]


def sample_warnings(path: str | Path, samples: dict) -> list[str]:
    """What is suspicious in a parsed samples file: fewer samples than its run's results.json counts (a cut
    file), scores that are not probabilities, and boxes whose corners are reversed."""
    path, lines, warnings = Path(path), samples["lines"], []
    results = path.parent / "results.json"
    if results.is_file():
        expected = json.loads(results.read_text()).get("dataset", {}).get("num_samples")
        if expected is not None and expected != len(samples["keys"]):
            warnings.append(f"{path}: {len(samples['keys'])} samples, but {results} counts {expected} for its "
                            "split: the file may be cut short")
    scores = samples["scores"]
    warnings += _lines_where(path, lines, ((scores < 0) | (scores > 1)).any(axis=1),
                             "scores outside [0, 1] (expected sigmoid probabilities)")
    for name, boxes in (("pred_box", samples["pred_boxes"]), ("gt_box", samples["gt_boxes"])):
        warnings += _lines_where(path, lines, (boxes[:, 2] < boxes[:, 0]) | (boxes[:, 3] < boxes[:, 1]),
                                 f"a reversed {name} (x2 < x1 or y2 < y1)")
    return warnings


def _percent(value: float | None) -> str:
    """A fraction as a percentage with two decimals, or a dash."""
    return "-" if value is None else f"{100 * value:.2f}"


def report_table(report: RAVARReport, title: str) -> Table:
    """Rich table: metric, value in %, 95% CI in %."""
    table = Table(title=title)
    for column, justify in (("metric", "left"), ("value %", "right"), ("95% CI %", "right")):
        table.add_column(column, justify=justify)
    for name, estimate in report.metrics.items():
        interval = ("-" if estimate.ci_low is None
                    else f"[{_percent(estimate.ci_low)}, {_percent(estimate.ci_high)}]")
        table.add_row(name, _percent(estimate.value), interval)
    return table


def score_command(args: argparse.Namespace) -> int:
    """Score ``args.samples`` in ``args.convention`` with bootstrap ``args.seed``; save JSON to ``args.json_out``."""
    samples = read_samples(args.samples)
    for warning in sample_warnings(args.samples, samples):
        Console(stderr=True, soft_wrap=True).print(Text.assemble(("warning: ", "bold yellow"), warning))
    try:
        report = compute_ravar_metrics(samples["scores"], samples["labels"], samples["pred_boxes"],
                                       samples["gt_boxes"], convention=args.convention, seed=args.seed,
                                       keys=samples["keys"])
    except ValueError as error:
        raise CLIError(f"{args.samples}: {error}") from None
    title = (f"{args.samples}: {report.num_samples} samples, {report.convention} convention, "
             f"{report.bootstrap['n_resamples']} bootstrap resamples (seed {args.seed})")
    Console().print(report_table(report, title))
    if args.json_out:
        payload = json.dumps({"samples": str(args.samples), **report.to_dict()}, indent=2, allow_nan=False)
        atomic_write_bytes(args.json_out, (payload + "\n").encode("utf-8"))
    return 0
