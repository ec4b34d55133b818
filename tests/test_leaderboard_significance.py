"""Leaderboard marks from stored bootstrap replicates, seed means and spreads, schema-1 intervals."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import numpy as np
import pytest

from ravar_bench.engine.results import V1_BOOTSTRAP
from ravar_bench.leaderboard.build import build_leaderboards
from ravar_bench.metrics import compute_ravar_metrics
from ravar_bench.testing.runs import write_fake_run

B = 200


def report(quality: float, noise_seed: int, seed: int = 0) -> dict:
    """A real metrics report on 120 shared samples in 30 videos; ``seed`` is the bootstrap (run) seed."""
    truth = np.random.default_rng(100)
    labels = (truth.random((120, 80)) < 0.08).astype(np.int64)
    labels[0] = 1
    gt = np.tile([0.2, 0.2, 0.6, 0.6], (120, 1))
    scores = np.random.default_rng(noise_seed).random((120, 80)) + quality * labels
    keys = [f"vid{i % 30:02d}___{900 + i}___0" for i in range(120)]
    return compute_ravar_metrics(scores, labels, gt + (1 - quality) * 0.3, gt, n_bootstrap=B, seed=seed,
                                 keys=keys).to_dict()


def rows(path: Path) -> dict[str, dict]:
    with path.open() as handle:
        return {r["submission"]: r for r in csv.DictReader(handle)}


def md_row(text: str, method: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"| {method} |")
                or line.startswith(f"| Ours | {method} |") or f"| {method} |" in line[:40])


@pytest.fixture
def board(tmp_path: Path) -> Path:
    root = tmp_path / "results"
    strong = report(0.9, 1)
    for split in ("val", "test"):
        write_fake_run(root, "refatomnet", split, {}, display_name="RefAtomNet", report=strong, seed=0,
                       tables=("main", "ablation_modules", "ablation_fusion"))
        write_fake_run(root, "baselines/i3d", split, {}, display_name="I3D", group="AAL", report=strong, seed=0)
        write_fake_run(root, "baselines/blip2", split, {}, display_name="BLIPv2", group="VTR",
                       report=report(0.0, 2), seed=0)
        write_fake_run(root, "baselines/clip", split, {"mIoU": 0.2, "mAP": 0.3, "AUROC": 0.6}, display_name="CLIP",
                       group="VTR", bootstrap=V1_BOOTSTRAP)
        write_fake_run(root, "ablations/wo_caaf", split, {}, display_name="w/o CAAF", report=report(0.2, 3), seed=0,
                       tables=("ablation_modules",))
    out = tmp_path / "lb"
    build_leaderboards([root], out, None)
    return out / "refava-synth" / "cpu"


def test_rows_are_marked_against_the_best_row(board: Path) -> None:
    table = rows(board / "main.csv")
    assert table["baselines/blip2"]["test mAP p_vs_best"] == f"{2 / (B + 1):.4f}"  # worse in every resample
    assert table["refatomnet"]["test mAP p_vs_best"] == "1.0000"  # identical to the best row (I3D, listed first)
    assert table["baselines/i3d"]["test mAP p_vs_best"] == ""  # the best row itself
    assert table["baselines/clip"]["test mAP p_vs_best"] == ""  # schema-1 result: cannot be tested
    md = (board / "main.md").read_text()
    cells = {name: md_row(md, name).split(" | ") for name in ("I3D", "BLIPv2", "RefAtomNet", "CLIP")}
    assert cells["I3D"][3].endswith(" ◆") and cells["BLIPv2"][3].endswith(" ▼")
    assert cells["RefAtomNet"][3].endswith(" ≈")
    assert not cells["CLIP"][3].endswith(("◆", "▼", "≈", "▲"))
    assert cells["CLIP"][3] == "30.00 [25.00-35.00]"  # the old method's interval, in square brackets
    assert "[low-high]: an interval of a schema-1 result" in md and "Marks (paired video bootstrap" in md


def test_ablation_rows_are_also_marked_against_refatomnet(board: Path) -> None:
    table = rows(board / "ablation_modules.csv")
    assert set(table) == {"refatomnet", "ablations/wo_caaf"}
    assert float(table["ablations/wo_caaf"]["test mAP p_vs_refatomnet"]) < 0.05
    md = md_row((board / "ablations.md").read_text(), "w/o CAAF").split(" | ")
    assert md[3].endswith("▼ R▼")  # below the best row, and below the full model
    own = md_row((board / "ablations.md").read_text(), "RefAtomNet").split(" | ")
    assert own[3].endswith("◆ R")


def test_results_without_replicates_get_no_marks(tmp_path: Path) -> None:
    root = tmp_path / "results"
    for name, value in (("refatomnet", 0.5), ("baselines/blip2", 0.1)):
        write_fake_run(root, name, "test", {"mIoU": 0.2, "mAP": value, "AUROC": 0.6}, display_name=name)
    build_leaderboards([root], tmp_path / "lb", None)
    md = (tmp_path / "lb" / "refava-synth" / "cpu" / "main.md").read_text()
    assert not any(mark in md for mark in ("◆", "▼", "≈", "▲"))


def test_several_seeds_show_mean_spread_and_count(tmp_path: Path) -> None:
    root = tmp_path / "results"
    reports = {seed: report(0.9, 10 + seed, seed) for seed in (0, 1, 2)}
    for seed, rep in reports.items():
        write_fake_run(root, "refatomnet", "test", {}, display_name="RefAtomNet", report=rep, seed=seed,
                       run_id=f"00000000000{seed}")
        write_fake_run(root, "baselines/blip2", "test", {}, display_name="BLIPv2", group="VTR",
                       report=report(0.0, 20 + seed, seed), seed=seed, run_id=f"00000000001{seed}")
    build_leaderboards([root], tmp_path / "lb", None)
    board = tmp_path / "lb" / "refava-synth" / "cpu"
    ours = rows(board / "main.csv")["refatomnet"]
    values = [100 * reports[s]["conventions"]["macro"]["mAP"]["value"] for s in (0, 1, 2)]
    assert float(ours["test mAP"]) == pytest.approx(statistics.fmean(values), abs=1e-4)
    assert float(ours["test mAP sd"]) == pytest.approx(statistics.stdev(values), abs=1e-4)
    assert ours["test seeds"] == "3" and ours["test run_id"] == "000000000000+000000000001+000000000002"
    md = (board / "main.md").read_text()
    assert "(3 seeds) ◆" in md_row(md, "RefAtomNet")
    assert "(3 seeds) ▼" in md_row(md, "BLIPv2")  # significant at every seed both rows share
    assert "mean ± sd (n seeds)" in md
    assert "6 runs of 2 submissions" in (tmp_path / "lb" / "README.md").read_text()
