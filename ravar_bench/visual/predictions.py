"""A run's predictions as a contact sheet, worst first (like the paper's Fig. 4).

How wrong a sample is: ``(1 - IoU of the predicted box) + (1 - label-ranking average precision of its 80
scores)``, each in [0, 1] (0 = box exact and every true action ranked above every other). The ranking term
is scikit-learn's ``label_ranking_average_precision_score`` on that one sample.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ravar_bench.data.ava import action_name
from ravar_bench.data.format import NUM_CLASSES
from ravar_bench.metrics.boxes import box_iou
from ravar_bench.visual.tiles import Box, Tile, contact_sheet, keyframe

TOP_K = 5
GT_COLOUR, PRED_COLOUR = "lime", "magenta"


class ShowError(ValueError):
    """A run folder, samples file or key that ``show`` cannot use; the message names it."""


@dataclass(frozen=True)
class Scored:
    """One sample of samples.jsonl with its box IoU, ranking precision and wrongness."""

    row: dict
    iou: float
    ranking: float

    @property
    def wrongness(self) -> float:
        """0 (right) to 2 (box missed and true actions ranked last)."""
        return (1 - self.iou) + (1 - self.ranking)


def read_samples(run_dir: Path) -> list[dict]:
    """samples.jsonl of a run folder (JSON only; nothing in it is executed)."""
    path = run_dir / "samples.jsonl"
    if not path.is_file():
        raise ShowError(f"{path}: not found (the repository keeps only results.json of committed runs; "
                        "re-run the cell with `ravar-bench run` to write its samples)")
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        try:
            row = json.loads(line)
            if len(row["scores"]) != NUM_CLASSES or len(row["pred_box"]) != 4:
                raise ValueError(f"expected {NUM_CLASSES} scores and 4 box numbers")
            rows.append(row)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
            raise ShowError(f"{path} line {number}: not a sample row ({err})") from err
    if not rows:
        raise ShowError(f"{path}: no samples")
    return rows


def score_samples(rows: Sequence[dict]) -> list[Scored]:
    """Each row with its IoU and label-ranking average precision."""
    from sklearn.metrics import label_ranking_average_precision_score

    ious = box_iou(np.asarray([r["pred_box"] for r in rows]), np.asarray([r["gt_box"] for r in rows]))
    scored = []
    for row, iou in zip(rows, ious, strict=True):
        truth = np.zeros((1, NUM_CLASSES))
        truth[0, np.asarray(row["labels"], dtype=int) - 1] = 1
        ranking = label_ranking_average_precision_score(truth, np.asarray([row["scores"]]))
        scored.append(Scored(row, float(iou), float(ranking)))
    return scored


def choose(scored: Sequence[Scored], worst: int | None, keys: Sequence[str] | None) -> list[Scored]:
    """The samples named by ``keys`` (in that order), else the ``worst`` most wrong (ties: by key)."""
    if keys:
        by_key = {s.row["key"]: s for s in scored}
        missing = [k for k in keys if k not in by_key]
        if missing:
            raise ShowError(f"--keys: {', '.join(missing)} not in this run's samples")
        return [by_key[k] for k in keys]
    ranked = sorted(scored, key=lambda s: (-s.wrongness, s.row["key"]))
    return ranked[: worst or len(ranked)]


def tile(sample: Scored, info: dict, rank: int) -> Tile:
    """The tile of one sample: key frame, true and predicted boxes, reference, true and top predicted actions."""
    row = sample.row
    truth = set(row["labels"])
    order = np.argsort(-np.asarray(row["scores"]), kind="stable")[:TOP_K]
    predicted = ", ".join(f"{'*' if c + 1 in truth else ''}{action_name(int(c) + 1)} {row['scores'][c]:.2f}"
                          for c in order)
    lines = [f"ref: {row['text']}" if row["text"] else "ref: (empty)",
             "true: " + ", ".join(action_name(a) for a in row["labels"]),
             f"top {TOP_K}: {predicted}",
             f"box IoU {sample.iou:.2f}, ranking AP {sample.ranking:.2f}, wrongness {sample.wrongness:.2f}"]
    return Tile(keyframe(info), f"#{rank} {row['key']}",
                [Box(row["gt_box"], GT_COLOUR), Box(row["pred_box"], PRED_COLOUR, "--")], lines)


def prediction_sheet(samples: Sequence[Scored], infos: dict[str, dict], heading: str, columns: int = 4) -> bytes:
    """PNG bytes of the chosen samples' tiles; ``infos`` maps each key to its dataset ``data_info``."""
    missing = [s.row["key"] for s in samples if s.row["key"] not in infos]
    if missing:
        raise ShowError(f"sample keys {', '.join(missing[:5])} are not in the data set read (wrong --data-root?)")
    tiles = [tile(s, infos[s.row["key"]], n) for n, s in enumerate(samples, 1)]
    return contact_sheet(tiles, columns, heading)
