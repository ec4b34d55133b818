"""The learnability bounds as reference rows of the main board: shown only on the board whose val split the
study read (manifest hash), with the protocol's and the last epoch's numbers, and bad records named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ravar_bench.leaderboard.build import build_leaderboards
from ravar_bench.leaderboard.collect import LeaderboardError
from ravar_bench.testing.runs import write_fake_run

VAL = "a" * 64


def study_record(val_manifest: str) -> dict:
    """A learnability record with two views; oracle-crop stops after 2 epochs (no protocol column)."""
    rows = [{"view": "clip", "epoch": e, "mAP": 10.0 + e, "AUROC": 50.0 + e} for e in (1, 2, 3, 4)]
    rows += [{"view": "oracle-crop", "epoch": e, "mAP": 40.0 + e, "AUROC": 80.0 + e} for e in (1, 2)]
    return {"study": "learnability", "manifests": {"train": "t" * 64, "val": val_manifest}, "rows": rows}


def board(tmp_path: Path, record: dict | str) -> Path:
    results, studies = tmp_path / "results", tmp_path / "studies"
    for split, manifest in (("val", VAL), ("test", "b" * 64)):
        write_fake_run(results, "refatomnet", split, {"mIoU": 0.3, "mAP": 0.3, "AUROC": 0.7}, manifest=manifest)
    studies.mkdir()
    (studies / "learnability-x.json").write_text(record if isinstance(record, str) else json.dumps(record))
    build_leaderboards([results], tmp_path / "lb", None, studies_dir=studies)
    return tmp_path / "lb" / "refava-synth" / "cpu"


def test_bounds_of_the_boards_val_split_are_reference_rows(tmp_path: Path) -> None:
    folder = board(tmp_path, study_record(VAL))
    md = (folder / "main.md").read_text()
    assert md.index("## Main results") < md.index("## Reference rows: learnability bounds")
    assert ("| clip | the whole clip, no reference (ungrounded) | 13.00 | 53.00 | 14.00 | 54.00 | 4 | "
            "studies/results/learnability-x.json |") in md
    assert "| oracle-crop | the clip cropped to the true box (grounding solved) | - | - | 42.00 | 82.00 | 2 |" in md
    assert "learnability-x.json" in (folder / "reference_bounds.csv").read_text()
    assert "learnability bounds" in (folder / "index.html").read_text()


def test_bounds_of_other_data_are_not_shown(tmp_path: Path) -> None:
    folder = board(tmp_path, study_record("c" * 64))
    assert "learnability" not in (folder / "main.md").read_text()
    assert not (folder / "reference_bounds.csv").exists()


@pytest.mark.parametrize("text, match", [("{not json", "cannot read the learnability record"),
                                         (json.dumps({"rows": []}), "expected 'manifests.val'")])
def test_a_bad_record_is_named(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(LeaderboardError, match=rf"learnability-x\.json: .*{match}"):
        board(tmp_path, text)
