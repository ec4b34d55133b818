"""Leaderboards from hand-written results.json files: table cells, selection rule, scales apart,
reported numbers beside ours, byte-identical rebuilds and clear errors on bad files."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from ravar_bench.cli.main import main
from ravar_bench.leaderboard.build import build_leaderboards
from ravar_bench.leaderboard.collect import LeaderboardError, compact_record
from ravar_bench.testing.runs import write_fake_run

REPORTED = Path(__file__).resolve().parents[1] / "leaderboards" / "reported.json"
PAPER = Path(__file__).resolve().parent / "data" / "refatomnet-paper-tables.txt"  # Tables 2 and 3 of the paper


def v(miou: float, map_: float, auroc: float) -> dict:
    return {"mIoU": miou, "mAP": map_, "AUROC": auroc}

OURS = ["main", "ablation_modules", "ablation_fusion"]  # meta.tables of submissions/refatomnet.py


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """Four submissions in three groups, an ablation and a fusion variant, every kind of condition."""
    root = tmp_path / "results"
    for split, base in (("val", 0.50), ("test", 0.52)):
        write_fake_run(root, "refatomnet", split, v(0.30, base, 0.70), display_name="RefAtomNet", group="Ours",
                       tables=OURS)
        write_fake_run(root, "baselines/blip2", split, v(0.20, base - 0.1, 0.60), display_name="BLIPv2",
                       group="VTR")
        write_fake_run(root, "baselines/i3d", split, v(0.01, base - 0.2, 0.55), display_name="I3D", group="AAL")
        write_fake_run(root, "ablations/wo_caaf", split, v(0.25, base - 0.05, 0.65), display_name="w/o CAAF",
                       tables=["ablation_modules"])
        write_fake_run(root, "fusion/addition", split, v(0.22, base - 0.07, 0.64), display_name="Addition",
                       tables=["ablation_fusion"])
    # An older run of the same cell: must lose to the newer one above.
    write_fake_run(root, "refatomnet", "test", v(0.99, 0.99, 0.99), display_name="RefAtomNet",
                   run_id="ffffffffffff", created_utc="2025-06-01T00:00:00+00:00", tables=OURS)
    for severity, drop in ((1, 0.02), (3, 0.08)):
        for split in ("val", "test"):
            write_fake_run(root, "refatomnet", split, v(0.28, 0.5 - drop, 0.68), display_name="RefAtomNet",
                           perturbation=("fog", severity), run_id=f"00000000f0g{severity}")
    write_fake_run(root, "refatomnet", "test-rephrased", v(0.25, 0.49, 0.69), display_name="RefAtomNet")
    write_fake_run(root, "refatomnet", "test", v(0.10, 0.41, 0.60), display_name="RefAtomNet",
                   text_control="shuffled", run_id="0000000000s1")
    write_fake_run(root, "refatomnet", "test", v(0.30, 0.40, 0.58), display_name="RefAtomNet",
                   text_control="empty", run_id="0000000000e1")
    # Another scale: its own folder, never in the cpu tables.
    write_fake_run(root, "paper/refatomnet", "test", v(0.36, 0.57, 0.74), display_name="RefAtomNet (paper)",
                   scale="paper")
    return root


def test_robustness_plot_draws_an_interval_that_misses_its_point_estimate(tmp_path: Path) -> None:
    """Percentile bootstrap intervals of AP can lie wholly above the point estimate; the plot must draw them."""
    root = tmp_path / "results"
    write_fake_run(root, "refatomnet", "test", v(0.3, 0.10, 0.5), display_name="RefAtomNet")
    write_fake_run(root, "refatomnet", "test", v(0.3, 0.09, 0.5), display_name="RefAtomNet",
                   perturbation=("fog", 3), run_id="00000000f0g3", ci_shift=0.08)
    build_leaderboards([root], tmp_path / "boards", None)
    board = tmp_path / "boards" / "refava-synth" / "cpu"
    fog = {r["severity"]: r for r in read_csv(board / "robustness_fog.csv")}
    assert float(fog["3"]["test mAP"]) < float(fog["3"]["test mAP ci_low"])
    assert (board / "robustness_fog.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def read_csv(path: Path) -> list[dict]:
    with path.open() as handle:
        return list(csv.DictReader(handle))


def all_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_main_table_groups_rows_and_shows_the_selected_run(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "lb"
    build_leaderboards([results], out, REPORTED)
    rows = read_csv(out / "refava-synth" / "cpu" / "main.csv")
    # Paper Table 2 order of groups (AAL, VQA, VTR, SF, VOS, Ours); ablation variants excluded.
    assert [(r["Group"], r["Method"]) for r in rows] == [("AAL", "I3D"), ("VTR", "BLIPv2"), ("Ours", "RefAtomNet")]
    ours = rows[-1]
    assert ours["test mAP"] == "52.0000" and ours["test mAP ci_low"] == "47.0000"  # newest run, not the 99s
    assert ours["val AUROC"] == "70.0000" and ours["test run_id"] == "000000000001"
    assert float(rows[1]["val mAP"]) == pytest.approx(40.0)
    md = (out / "refava-synth" / "cpu" / "main.md").read_text()
    assert "| Ours | RefAtomNet | 30.00 (25.00-35.00) | 50.00 (45.00-55.00) |" in md
    assert "RefAtomNet (paper)" not in md


def test_reported_numbers_are_a_separate_labelled_table(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "lb"
    build_leaderboards([results], out, REPORTED)
    md = (out / "refava-synth" / "cpu" / "main.md").read_text()
    ours, reported = md.split("## reported (paper, RefAVA)")
    assert "55.98" not in ours
    # The paper's Table 2 row for RefAtomNet, exactly as printed in the paper's text.
    line = next(line for line in PAPER.read_text().splitlines() if line.startswith("RefAtomNet (Ours) |"))
    printed = [c.strip() for c in line.split("|")[1:7]]
    assert f"| Ours | RefAtomNet (Ours) | {' | '.join(printed)} |" in reported


def test_other_scales_get_their_own_folder(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "lb"
    build_leaderboards([results], out, REPORTED)
    rows = read_csv(out / "refava-synth" / "paper" / "main.csv")
    assert [r["submission"] for r in rows] == ["paper/refatomnet"] and rows[0]["test mAP"] == "57.0000"
    assert "refava-synth/paper/main.md" in (out / "README.md").read_text()


def test_ablation_robustness_rephrasing_and_text_control_tables(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "lb"
    build_leaderboards([results], out, REPORTED)
    board = out / "refava-synth" / "cpu"
    modules = read_csv(board / "ablation_modules.csv")
    assert [r["Method"] for r in modules] == ["RefAtomNet", "w/o CAAF"]
    assert [r["Method"] for r in read_csv(board / "ablation_fusion.csv")] == ["Addition", "RefAtomNet"]
    fog = read_csv(board / "robustness_fog.csv")
    assert [r["severity"] for r in fog] == ["clean", "1", "3"]
    assert [r["test mAP"] for r in fog] == ["52.0000", "48.0000", "42.0000"]
    assert (board / "robustness_fog.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Tables 10-11, fog" in (board / "robustness.md").read_text()
    (rephrased,) = read_csv(board / "rephrasing.csv")
    assert rephrased["delta mAP"] == "-3.00" and rephrased["delta mIoU"] == "-5.00"
    controls = {r["text"]: r for r in read_csv(board / "text_control.csv")}
    assert controls["clean"]["mAP"] == "52.0000" and controls["shuffled"]["delta mAP"] == "-11.00"
    assert controls["empty"]["delta mAP"] == "-12.00"
    assert controls["shuffled"]["delta mIoU"] == "-20.00" and controls["empty"]["delta mIoU"] == "+0.00"


def test_convention_switch_reads_the_weighted_numbers(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "lb"
    build_leaderboards([results], out, REPORTED, convention="weighted")
    ours = read_csv(out / "refava-synth" / "cpu" / "main.csv")[-1]
    assert ours["test mAP"] == "51.0000"


def test_rebuild_is_byte_identical_and_drops_stale_boards(results: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    build_leaderboards([results], first, REPORTED)
    build_leaderboards([results], second, REPORTED)
    assert all_bytes(first) == all_bytes(second)
    before = all_bytes(first)
    build_leaderboards([results], first, REPORTED)
    assert all_bytes(first) == before
    # Without the paper-scale run, its folder of the earlier build disappears.
    paper_run = next((results / "paper").rglob("results.json")).parent
    for file in paper_run.iterdir():
        file.unlink()
    paper_run.rmdir()
    build_leaderboards([results], first, REPORTED)
    assert not (first / "refava-synth" / "paper").exists() and (first / "refava-synth" / "cpu").is_dir()


def test_rebuild_keeps_unchanged_plots_and_redraws_changed_ones(results: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild into the same folder takes a plot whose input is unchanged from the earlier build (no
    drawing; the same bytes a fresh drawing gives, shown above) and draws one whose runs changed."""
    from ravar_bench.leaderboard import render

    out = tmp_path / "boards"
    build_leaderboards([results], out, REPORTED)
    board = out / "refava-synth" / "cpu"
    before = (board / "robustness_fog.png").read_bytes()
    drawn: list[str] = []
    draw = render.draw_severity_plot
    monkeypatch.setattr(render, "draw_severity_plot", lambda series, title, key: drawn.append(title) or draw(
        series, title, key))
    build_leaderboards([results], out, REPORTED)
    assert drawn == [] and (board / "robustness_fog.png").read_bytes() == before
    write_fake_run(results, "refatomnet", "test", v(0.28, 0.30, 0.68), display_name="RefAtomNet",
                   perturbation=("fog", 5), run_id="00000000f0g5")
    build_leaderboards([results], out, REPORTED)
    assert drawn == ["fog: refava-synth, cpu scale"] and (board / "robustness_fog.png").read_bytes() != before


def test_bad_results_files_are_named(results: Path, tmp_path: Path) -> None:
    bad = results / "broken" / "refava-synth" / "test" / "clean" / "abc" / "results.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json")
    with pytest.raises(LeaderboardError, match=r"broken/.*results\.json: not valid JSON"):
        build_leaderboards([results], tmp_path / "lb", REPORTED)
    bad.write_text(json.dumps({"schema": "something-else", "schema_version": 1}))
    with pytest.raises(LeaderboardError, match=r"results\.json: field 'schema' must be"):
        build_leaderboards([results], tmp_path / "lb", REPORTED)
    good = json.loads(next((results / "refatomnet").rglob("results.json")).read_text())
    del good["metrics"]["conventions"]["macro"]["mAP"]
    bad.write_text(json.dumps(good))
    with pytest.raises(LeaderboardError, match=r"results\.json: missing field 'mAP'"):
        build_leaderboards([results], tmp_path / "lb", REPORTED)


def test_cli_build_and_its_error_exit(results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "lb"
    assert main(["leaderboard", "build", str(results), "--out", str(out)]) == 0
    assert (out / "refava-synth" / "cpu" / "main.md").is_file()
    assert main(["leaderboard", "build", str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert "missing: no such results folder" in " ".join(capsys.readouterr().err.split())


def test_reported_json_matches_the_paper_text() -> None:
    """Every number in reported.json's Table 2 and 3 rows appears in the paper's row of that method."""
    reported = json.loads(REPORTED.read_text())["tables"]
    lines = [re.sub(r"\s*\[\d+\]", "", line) for line in PAPER.read_text().splitlines()]  # drop citations
    for key in ("main", "ablation_modules", "ablation_fusion"):
        for row in reported[key]["rows"]:
            printed = [f"{row[s][m]:.2f}" for s in ("val", "test") for m in ("mIoU", "mAP", "AUROC")]
            assert any(row["method"] in line and " | ".join(printed) in line for line in lines), row


def test_one_dataset_name_with_different_data_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "results"
    write_fake_run(root, "a", "test", v(0.1, 0.2, 0.3), manifest="1" * 64)
    write_fake_run(root, "b", "test", v(0.1, 0.2, 0.3), manifest="2" * 64)
    write_fake_run(root, "b", "val", v(0.1, 0.2, 0.3), manifest="3" * 64)  # another split: other files
    with pytest.raises(LeaderboardError, match=r"read different data \(dataset.manifest_sha256 differs\)"):
        build_leaderboards([root], tmp_path / "lb", REPORTED)


def test_the_run_index_alone_rebuilds_the_same_boards_in_either_convention(results: Path, tmp_path: Path) -> None:
    """Each board's runs.jsonl (what git keeps instead of the run folders) reproduces every file of it."""
    for convention in ("macro", "weighted"):
        full, from_index = tmp_path / f"full-{convention}", tmp_path / f"index-{convention}"
        build_leaderboards([results], full, REPORTED, convention)
        indexes = sorted(full.rglob("runs.jsonl"))
        assert [p.relative_to(full).as_posix() for p in indexes] == ["refava-synth/cpu/runs.jsonl",
                                                                    "refava-synth/paper/runs.jsonl"]
        build_leaderboards(indexes, from_index, REPORTED, convention)
        files = sorted(p.relative_to(full) for p in full.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(from_index) for p in from_index.rglob("*") if p.is_file())
        assert all((full / f).read_bytes() == (from_index / f).read_bytes() for f in files)
    record = json.loads(indexes[0].read_text().splitlines()[0])
    assert set(record["metrics"]["conventions"]) == {"macro", "weighted"} and "config_sha256" in record["provenance"]
    assert record["provenance"]["packages"] == {"torch": "2.14.1"}  # what produced the numbers stays with them
    assert record["provenance"]["device"]["torch_threads"] == 1


@pytest.mark.parametrize(("split", "perturbation", "text_control", "kept"), [
    ("val", None, None, True), ("test", None, None, True), ("test-rephrased", None, None, False),
    ("test", {"name": "fog", "severity": 3}, None, False), ("test", None, "shuffled", False)])
def test_the_index_keeps_bootstrap_replicates_only_for_runs_the_marked_tables_show(split, perturbation, text_control,
                                                                                   kept) -> None:
    """The main and Table 3 tables (clean val and test) are the only ones with paired marks; elsewhere the
    replicates are dropped from the index, the rest of the bootstrap record stays, and compacting again
    changes nothing."""
    data = {"run_id": "abc", "submission": "s", "scale": "cpu", "dataset": {"name": "d", "split": split},
            "perturbation": perturbation, "text_control": text_control, "provenance": {},
            "metrics": {"convention": "macro", "conventions": {"macro": {}},
                        "bootstrap": {"plan_id": "p1", "replicates": {"mAP": "AAAA"}}}}
    record = compact_record(data, Path("results.json"))
    assert ("replicates" in record["metrics"]["bootstrap"]) == kept
    assert record["metrics"]["bootstrap"]["plan_id"] == "p1"
    assert compact_record(record, Path("runs.jsonl")) == record
