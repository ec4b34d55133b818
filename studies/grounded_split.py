"""Does a model lose its action mAP by finding the wrong person, or by misreading the right one?

For one or more runs' per-sample logs (``samples.jsonl`` in a results folder), the samples are split by
whether the predicted key-frame box overlaps the ground truth (IoU >= ``--iou``, default 0.5): the share
found, and macro mAP (95% video-bootstrap interval, the harness's own metric) on all samples, on those
found and on those missed. A model whose missed samples score like the ungrounded bound and whose found
ones like the oracle-crop bound (docs/STUDIES.md, "Learnability") is limited by grounding alone.
Usage::

    python studies/grounded_split.py RUN/samples.jsonl [...] [--iou 0.5] [--out JSON]
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np

from ravar_bench.engine import provenance
from ravar_bench.engine.study_record import write_study_record
from ravar_bench.errors import UserError
from ravar_bench.metrics.boxes import box_iou
from ravar_bench.metrics.report import compute_ravar_metrics
from ravar_bench.metrics.samples_file import read_samples


def subset_map(samples: dict, keep: np.ndarray) -> dict[str, float | int | None]:
    """Macro mAP with its interval (percent) on the samples where ``keep`` is true; None for an empty subset."""
    if not keep.any():
        return {"n": 0, "mAP": None, "ci_low": None, "ci_high": None}
    keys = [key for key, kept in zip(samples["keys"], keep, strict=True) if kept]
    report = compute_ravar_metrics(samples["scores"][keep], samples["labels"][keep], samples["pred_boxes"][keep],
                                   samples["gt_boxes"][keep], keys=keys)
    estimate = report.metrics["mAP"]
    return {"n": int(keep.sum()), "mAP": 100 * estimate.value,
            "ci_low": 100 * estimate.ci_low, "ci_high": 100 * estimate.ci_high}


def grounded_split(path: Path, iou_threshold: float) -> dict:
    """The share of samples found and the mAP of all, found and missed samples of one samples.jsonl."""
    try:
        samples = read_samples(path)
    except UserError as error:
        raise SystemExit(str(error)) from None
    found = box_iou(samples["pred_boxes"], samples["gt_boxes"]) >= iou_threshold
    return {"run": "/".join(path.resolve().parts[-6:-1]),  # <submission>/<dataset>/<split>/<condition>/<run id>
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "found_share": 100 * float(found.mean()),
            "all": subset_map(samples, np.ones_like(found)), "found": subset_map(samples, found),
            "missed": subset_map(samples, ~found)}


def shown(part: dict) -> str:
    """``35.0 [31.5-38.8] (N=801)``, or ``- (N=0)``."""
    if part["mAP"] is None:
        return "- (N=0)"
    return f"{part['mAP']:.1f} [{part['ci_low']:.1f}-{part['ci_high']:.1f}] (N={part['n']})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("samples", nargs="+", type=Path, help="samples.jsonl of one or more runs")
    parser.add_argument("--iou", type=float, default=0.5, help="IoU with the true box at which a person is found")
    parser.add_argument("--out", type=Path, help="write the rows and their inputs' sha256 here (JSON)")
    args = parser.parse_args()
    rows = [grounded_split(path, args.iou) for path in args.samples]
    for row in rows:
        print(f"{row['run']}: found {row['found_share']:.1f}%  mAP all {shown(row['all'])}  "
              f"found {shown(row['found'])}  missed {shown(row['missed'])}")
    if args.out:
        write_study_record(args.out, {"iou_threshold": args.iou, "rows": rows, "git": provenance.git_state()})


if __name__ == "__main__":
    main()
