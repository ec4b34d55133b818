"""``ravar-bench sweep``: the grid it plans, --dry-run marking finished cells, and a real tiny sweep
(1 submission, 2 cells) that writes results, rebuilds the leaderboards and reuses everything on a rerun."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ravar_bench.cli.main import build_parser, main
from ravar_bench.cli.sweep import shared_request
from ravar_bench.engine.request import RunRequest
from ravar_bench.engine.sweep import Cell, dataset_name, expand_submissions, grid, read_grid
from ravar_bench.errors import UserError
from ravar_bench.testing.runs import write_fake_run


def test_grid_has_clean_each_severity_and_each_text_control_per_split() -> None:
    cells = grid(["submissions/refatomnet.py"], ["val", "test"], ["fog", "rain"], [1, 5], ["shuffled"])
    conditions = [(c.split, c.condition) for c in cells]
    expected = [(s, k) for s in ("val", "test")
                for k in ("clean", "fog-s1", "fog-s5", "rain-s1", "rain-s5", "clean-text-shuffled")]
    assert conditions == expected


def test_cell_condition_is_the_run_paths_folder_with_aliases_and_default_severity_resolved() -> None:
    assert Cell("s.py", "test", perturb="shot").condition == "shot_noise-s3"
    assert Cell("s.py", "test", perturb="gaussian:5", text_control="empty").condition == "gaussian_noise-s5-text-empty"


def test_cell_request_is_the_one_the_run_command_builds() -> None:
    argv = ["sweep", "--data-root", "/data", "--seed", "3", "--cfg-options", "train_cfg.max_epochs=1"]
    shared = shared_request(build_parser().parse_args(argv))
    request = Cell("submissions/refatomnet.py", "test", perturb="fog:2", seed=3).request(shared)
    run_argv = ["run", "submissions/refatomnet.py", "--split", "test", "--perturb", "fog:2", "--data-root", "/data",
                "--seed", "3", "--cfg-options", "train_cfg.max_epochs=1"]
    assert request == RunRequest.from_fields(vars(build_parser().parse_args(run_argv)))
    assert request.cfg_options == ("train_cfg.max_epochs=1",) and request.text_control is None


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


def test_several_seeds_plan_each_cpu_cell_per_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "results"
    write_fake_run(results, "refatomnet", "test", {"mIoU": 0.1, "mAP": 0.2, "AUROC": 0.3}, seed=1)
    code = main(["sweep", "--submissions", "submissions/refatomnet.py", "submissions/paper/blip2.py",
                 "--perturb", "--splits", "test", "--text-controls", "--seeds", "0", "1", "2",
                 "--results-dir", str(results), "--dry-run"])
    assert code == 0
    lines = [" ".join(line.replace("│", " ").split()) for line in capsys.readouterr().out.splitlines()]
    rows = [line.split(" ", 2)[2] for line in lines if "submissions/" in line]
    # the paper-scale config is trained with the first seed only; a stored seed-1 run marks only seed 1 done
    assert rows == ["clean seed 0 to run", "clean seed 0 to run", "clean seed 1 done", "clean seed 2 to run"]
    assert [s for s in lines if "submissions/paper/" in s] == ["submissions/paper/blip2.py test clean seed 0 to run"]
    assert Cell("submissions/refatomnet.py", "test", seed=2).request(RunRequest("", seed=0)).seed == 2


def _grid_file(path: Path, *parts: dict) -> Path:
    path.write_text(json.dumps({"about": "a test grid", "parts": list(parts)}))
    return path


def _part(submissions: list[str], splits: list[str], perturb=(), severities=(), text_controls=()) -> dict:
    return {"submissions": submissions, "splits": splits, "perturb": list(perturb), "severities": list(severities),
            "text_controls": list(text_controls)}


def test_a_grid_file_is_the_union_of_its_parts_one_submission_after_the_other(tmp_path: Path) -> None:
    both = ["submissions/refatomnet.py", "submissions/i3d.py"]
    path = _grid_file(tmp_path / "grid.json", _part(both, ["val", "test"]),
                      _part(both, ["test"], perturb=["shot"], severities=[1], text_controls=["shuffled"]))
    cells = [(Path(c.submission).stem, c.split, c.condition) for c in read_grid(path)]
    assert cells == [("refatomnet", "val", "clean"), ("refatomnet", "test", "clean"),
                     ("refatomnet", "test", "shot_noise-s1"), ("refatomnet", "test", "clean-text-shuffled"),
                     ("i3d", "val", "clean"), ("i3d", "test", "clean"),
                     ("i3d", "test", "shot_noise-s1"), ("i3d", "test", "clean-text-shuffled")]


def test_the_committed_grid_file_lists_the_committed_sweep() -> None:
    cells = read_grid(Path(__file__).resolve().parents[1] / "leaderboards" / "grid-refava-synth-cpu.json")
    per_submission = {}
    for cell in cells:
        per_submission.setdefault(Path(cell.submission).stem, []).append(cell)
    # each main row: val and test clean, 2 text controls, the rephrasings, 4 perturbations x 3 severities x 2 splits
    assert len(per_submission["refatomnet"]) == len(per_submission["hiera_b"]) == 2 + 2 + 1 + 24
    assert len(per_submission["wo_caaf"]) == 4 and len(per_submission["prior_only"]) == 2
    assert len(per_submission) == 16 + 9 + 1 and len(cells) == 16 * 29 + 9 * 4 + 2


@pytest.mark.parametrize(("parts", "message"), [
    ([{"submissions": ["submissions/i3d.py"]}], r"parts\[0\]: expected an object with exactly the keys"),
    ([_part(["submissions/i3d.py"], "test")], r"parts\[0\]\.splits: expected a list of strs"),
    ([_part(["submissions/i3d.py"], ["train"])], r"parts\[0\]\.splits: unknown \['train'\]"),
    ([_part(["submissions/i3d.py"], ["test"], perturb=["fog"], severities=[True])],
     r"parts\[0\]\.severities: expected a list of ints"),
    ([_part(["submissions/i3d.py"], ["test"], perturb=["fog"], severities=[6])], r"severities: unknown \[6\]"),
    ([_part(["submissions/i3d.py"], ["test"], text_controls=["reversed"])], r"text_controls: unknown"),
    ([], r"expected an object with a non-empty list 'parts'"),
])
def test_a_bad_grid_file_is_named_with_the_part_and_key(tmp_path: Path, parts: list, message: str) -> None:
    with pytest.raises(UserError, match=message):
        read_grid(_grid_file(tmp_path / "grid.json", *parts))


def test_a_grid_file_that_is_not_json_or_replaces_options_given_is_refused(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.json").write_text("{parts: ")
    with pytest.raises(UserError, match=r"bad.json: not JSON"):
        read_grid(tmp_path / "bad.json")
    path = _grid_file(tmp_path / "grid.json", _part(["submissions/i3d.py"], ["test"]))
    assert main(["sweep", "--grid", str(path), "--splits", "test", "--dry-run"]) == 2
    assert "lists the cells itself; drop --splits" in capsys.readouterr().err


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


def test_sweep_whose_rebuild_fails_says_so_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Every cell finished, but the results cannot share a board (e.g. two data versions): a one-line error that
    says the cells are stored, no traceback."""
    from ravar_bench.leaderboard import build
    from ravar_bench.leaderboard.collect import LeaderboardError

    def refuse(*args, **kwargs):
        raise LeaderboardError("a.json and b.json: both say dataset 'refava-synth' but read different data")

    from ravar_bench.cli import sweep

    results = tmp_path / "results"
    monkeypatch.setattr(sweep, "run_cells", lambda *args: [])  # as if every cell had run
    monkeypatch.setattr(build, "build_leaderboards", refuse)
    code = main(["sweep", "--submissions", "submissions/refatomnet.py", "--perturb", "--splits", "test",
                 "--text-controls", "--results-dir", str(results), "--out", str(tmp_path / "lb")])
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert code == 2 and "Traceback" not in out
    assert "the cells are stored in" in out and "read different data" in out
