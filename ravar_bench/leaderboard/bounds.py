"""Reference rows from the learnability study (studies/learnability.py, docs/STUDIES.md): how well the same
small 3D CNN recognises the actions with the person given, with the box as a mask, and from the whole clip
without the reference. A record is shown on a board only if its val split is the board's val split (the
same manifest hash), so bounds of one data version never sit beside runs of another.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ravar_bench.leaderboard.collect import LeaderboardError, Run
from ravar_bench.leaderboard.tables import Table

VIEWS = {"oracle-crop": "the clip cropped to the true box (grounding solved)",
         "oracle-mask": "the whole clip plus the true box as a mask channel",
         "clip": "the whole clip, no reference (ungrounded)"}
PROTOCOL_EPOCHS = 3  # the CPU training protocol's budget (submissions/_base_/schedules/cpu.py)


def read_learnability_records(folder: Path | None) -> list[tuple[str, dict]]:
    """Every learnability record (``learnability-*.json``) in ``folder`` with its file name; none without one."""
    if folder is None or not folder.is_dir():
        return []
    records = []
    for path in sorted(folder.glob("learnability-*.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError) as err:
            raise LeaderboardError(f"{path}: cannot read the learnability record ({err})") from err
        if not (isinstance(record, dict) and isinstance(record.get("manifests"), dict)
                and "val" in record["manifests"] and isinstance(record.get("rows"), list)):
            raise LeaderboardError(f"{path}: not a learnability record; expected 'manifests.val' and a 'rows' list")
        records.append((path.name, record))
    return records


def bounds_table(records: Sequence[tuple[str, dict]], runs: Sequence[Run]) -> Table | None:
    """The reference rows of the records on the board's val split, or None when no record matches."""
    val_manifests = {run.manifest for run in runs if run.split == "val" and run.manifest}
    matching = [(name, record) for name, record in records if record["manifests"]["val"] in val_manifests]
    if not matching:
        return None
    table = Table("Reference rows: learnability bounds (val, no CIs)",
                  ["View", "Input", f"val mAP ({PROTOCOL_EPOCHS} ep.)", f"val AUROC ({PROTOCOL_EPOCHS} ep.)",
                   "val mAP (last ep.)", "val AUROC (last ep.)", "epochs", "record"],
                  ["view", "input", "val mAP protocol", "val AUROC protocol", "val mAP last", "val AUROC last",
                   "epochs", "record"])
    for name, record in matching:
        by_view: dict[str, list[dict]] = {}
        for row in record["rows"]:
            by_view.setdefault(row["view"], []).append(row)
        for view in [v for v in VIEWS if v in by_view]:
            last = max(by_view[view], key=lambda row: row["epoch"])
            early = next((row for row in by_view[view] if row["epoch"] == PROTOCOL_EPOCHS), None)
            cells = [f"{early['mAP']:.2f}", f"{early['AUROC']:.2f}"] if early else ["-", "-"]
            cells += [f"{last['mAP']:.2f}", f"{last['AUROC']:.2f}", str(last["epoch"])]
            table.add([view, VIEWS[view], *cells, f"studies/results/{name}"],
                      [view, VIEWS[view], *cells, f"studies/results/{name}"])
    table.notes.append("The same small 3D CNN (4 blocks, from scratch, AdamW one-cycle) trained on each view of "
                       "the train split and scored on val; not a leaderboard entry. The oracle views bound what "
                       f"a CPU-scale model can reach; the first two columns are after the {PROTOCOL_EPOCHS} "
                       "epochs every submission gets. docs/STUDIES.md, \"Learnability\".")
    return table
