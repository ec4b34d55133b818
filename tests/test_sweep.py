"""``ravar-bench sweep``: the grid it plans, --dry-run marking finished cells, and a real tiny sweep
(1 submission, 2 cells) that writes results, rebuilds the leaderboards and reuses everything on a rerun."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ravar_bench.cli.main import main
from ravar_bench.engine.sweep import Cell, dataset_name, expand_submissions, grid, run_args
from ravar_bench.leaderboard.testing import write_fake_run


def test_grid_has_clean_each_severity_and_each_text_control_per_split() -> None:
    cells = grid(["submissions/refatomnet.py"], ["val", "test"], ["fog", "rain"], [1, 5], ["shuffled"])
    conditions = [(c.split, c.condition) for c in cells]
    expected = [(s, k) for s in ("val", "test")
                for k in ("clean", "fog-s1", "fog-s5", "rain-s1", "rain-s5", "clean-text-shuffled")]
    assert conditions == expected


def test_cell_condition_is_the_run_paths_folder_with_aliases_and_default_severity_resolved() -> None:
    assert Cell("s.py", "test", perturb="shot").condition == "shot_noise-s3"
    assert Cell("s.py", "test", perturb="gaussian:5", text_control="empty").condition == "gaussian_noise-s5-text-empty"


def test_cell_arguments_parse_like_the_run_command() -> None:
    args = run_args(Cell("submissions/refatomnet.py", "test", perturb="fog:2"),
                    ["--data-root", "/data", "--cfg-options", "train_cfg.max_epochs=1"])
    assert (args.submission, args.split, args.perturb, args.text_control) == (
        "submissions/refatomnet.py", "test", "fog:2", None)
    assert args.data_root == "/data" and args.cfg_options == ["train_cfg.max_epochs=1"]


def test_default_submissions_leave_out_the_weight_needing_paper_configs() -> None:
    found = expand_submissions(None)
    assert "submissions/refatomnet.py" in found
    assert not [s for s in found if s.startswith("submissions/paper/")]
    with pytest.raises(Exception, match="no submission file matches"):
        expand_submissions(["submissions/nothing_*.py"])


def test_dataset_name_is_the_one_the_run_path_writes(tiny_synth: Path, tmp_path: Path) -> None:
    from ravar_bench.engine.runs import resolve_data

    assert dataset_name(str(tiny_synth)) == resolve_data(str(tiny_synth)).name == "refava-synth-tiny"
    assert dataset_name(str(tmp_path)) == resolve_data(str(tmp_path)).name == "refava"
    assert dataset_name(None) == "refava-synth"


def test_dry_run_lists_cells_and_marks_finished_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "results"
    write_fake_run(results, "refatomnet", "test", {"mIoU": 0.1, "mAP": 0.2, "AUROC": 0.3},
                   perturbation=("fog", 2))
    code = main(["sweep", "--submissions", "submissions/refatomnet.py", "--perturb", "fog", "--severities", "2", "3",
                 "--splits", "test", "--text-controls", "empty", "--results-dir", str(results), "--dry-run"])
    assert code == 0
    lines = [" ".join(line.replace("│", " ").split()) for line in capsys.readouterr().out.splitlines()]
    assert "sweep plan: 4 cells" in "\n".join(lines)
    rows = [line for line in lines if "submissions/refatomnet.py" in line]
    assert [row.split(" ", 2)[2] for row in rows] == ["clean to run", "fog-s2 done", "fog-s3 to run",
                                                      "clean-text-empty to run"]


@pytest.mark.slow
def test_tiny_sweep_runs_two_cells_then_reuses_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ravar_bench.data.synth import generate

    monkeypatch.setenv("RAVAR_BENCH_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "tiny"
    generate(str(data), size="tiny", progress=False)
    results, out = tmp_path / "results", tmp_path / "lb"
    argv = ["sweep", "--submissions", "submissions/refatomnet.py", "--perturb", "fog", "--severities", "1",
            "--splits", "test", "--text-controls", "--data-root", str(data), "--results-dir", str(results),
            "--work-dir", str(tmp_path / "wd"), "--out", str(out), "--cfg-options", "train_cfg.max_epochs=1"]
    assert main(argv) == 0
    runs = sorted(p.relative_to(results).parent for p in results.rglob("results.json"))
    assert [str(r.parent) for r in runs] == [f"refatomnet/refava-synth-tiny/test/{c}" for c in ("clean", "fog-s1")]
    with (out / "refava-synth-tiny" / "cpu" / "robustness_fog.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["severity"], r["test run_id"]) for r in rows] == [("clean", runs[0].name), ("1", runs[1].name)]
    stamps = {p: p.stat().st_mtime_ns for p in results.rglob("results.json")}
    assert main(argv) == 0  # everything finished: reused, nothing rewritten
    assert {p: p.stat().st_mtime_ns for p in results.rglob("results.json")} == stamps
