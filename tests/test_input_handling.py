"""Bad input as users gave it (issue #11 part C): each case gets one clear line, never code execution,
a traceback, a silent wrong result or a lost file."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest
import torch

from ravar_bench.cli.main import INTERRUPTED, main
from ravar_bench.data.format import detections_name, pickle_name
from ravar_bench.data.safe_pickle import load_plain_pickle

SUBMISSION = "submissions/refatomnet.py"
PROJECT = Path(__file__).resolve().parents[1]


class WritesAFile:
    """A pickle payload: unpickling it unrestricted creates the file ``target``."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self):
        return (Path.touch, (self.target,))


@pytest.fixture
def synth(tiny_synth, tmp_path) -> Path:
    """A private copy of the tiny RefAVA-Synth set, free to be broken."""
    return Path(shutil.copytree(tiny_synth, tmp_path / "synth"))


@pytest.fixture(scope="module")
def random_weights(tmp_path_factory) -> Path:
    """Untrained RefAtomNet weights: enough to reach the test loop without training."""
    from ravar_bench.engine.submission import load_submission
    from ravar_bench.registry import MODELS, build

    path = tmp_path_factory.mktemp("weights") / "random.pth"
    torch.save(build(MODELS, load_submission(SUBMISSION).cfg.model).state_dict(), path)
    return path


def one_error_line(capsys) -> str:
    """The captured stderr, asserted to be a single line without a traceback."""
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def poison(folder: Path, split: str, kind: str, target: Path) -> None:
    """Replace one of the split's pickles by a dict holding a code-running payload."""
    (folder / pickle_name(split, kind)).write_bytes(pickle.dumps({"k": WritesAFile(target)}))


def test_the_payload_would_run_unrestricted(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    pickle.loads(pickle.dumps(WritesAFile(target)))
    assert target.exists()  # the oracle: the payload is real


def test_plain_data_and_numpy_pickles_load(tmp_path: Path) -> None:
    table = {"v___902___0": [np.array([0.1, 0.2, 0.5, 0.9], np.float32)], "n": [np.int64(3), 2.5, True, None, "x"],
             "t": (1, b"raw")}
    for protocol in (2, 4, 5):
        (tmp_path / "t.pkl").write_bytes(pickle.dumps(table, protocol=protocol))
        loaded = load_plain_pickle(tmp_path / "t.pkl")
        assert loaded["n"] == table["n"] and loaded["t"] == table["t"]
        np.testing.assert_array_equal(loaded["v___902___0"][0], table["v___902___0"][0])


def test_data_check_refuses_a_pickle_payload(root: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "pwned"
    poison(root, "val", "label", target)
    assert main(["data", "check", str(root), "--split", "val"]) == 1
    assert not target.exists()
    out = capsys.readouterr().out
    (line,) = [line for line in out.splitlines() if pickle_name("val", "label") in line]
    assert line.rstrip().endswith("found refused global pathlib.Path.touch")
    assert "detections:" not in out and "1 problem(s)" in out  # keys unknown, not absent


def test_data_convert_refuses_a_pickle_payload(root: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "pwned"
    poison(root, "train", "description", target)
    assert main(["data", "convert", str(root), str(tmp_path / "m.jsonl"), "--split", "train"]) == 2
    assert not target.exists() and not (tmp_path / "m.jsonl").exists()
    err = capsys.readouterr().err
    assert pickle_name("train", "description") in err and "Traceback" not in err
    assert "refused global pathlib.Path.touch" in err


def test_run_refuses_a_pickle_payload(synth: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "pwned"
    poison(synth, "train", "keyframe", target)
    assert main(["run", SUBMISSION, "--data-root", str(synth), "--work-dir", str(tmp_path / "wd"),
                 "--results-dir", str(tmp_path / "results")]) == 2
    assert not target.exists()
    err = " ".join(one_error_line(capsys).split())
    assert pickle_name("train", "keyframe") in err
    assert "refused global pathlib.Path.touch" in err


def test_test_refuses_a_pickle_payload(synth: Path, tmp_path: Path, random_weights: Path, capsys) -> None:
    target = tmp_path / "pwned"
    poison(synth, "test", "label", target)
    assert main(["test", SUBMISSION, "--data-root", str(synth), "--checkpoint", str(random_weights),
                 "--results-dir", str(tmp_path / "results")]) == 2
    assert not target.exists()
    assert "refused global pathlib.Path.touch" in " ".join(one_error_line(capsys).split())


def break_frames(folder: Path, video: str, truncated: int, garbage: int) -> tuple[Path, Path]:
    """Cut one frame in half and overwrite another with random bytes; return both paths."""
    cut, noise = (folder / "frames" / video / f"image_{i:06d}.jpg" for i in (truncated, garbage))
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size // 2])
    noise.write_bytes(np.random.default_rng(0).bytes(2000))
    return cut, noise


def test_data_check_decodes_window_frames(root: Path, capsys) -> None:
    assert main(["data", "check", str(root)]) == 0
    capsys.readouterr()
    cut, noise = break_frames(root, "vid_a", 50, 70)  # inside the 3 s window of second 902, not key frames
    assert main(["data", "check", str(root), "--split", "val"]) == 1
    out = capsys.readouterr().out
    assert "frame_decode: 2" in out
    assert f"{cut} key" in out and "truncated JPEG" in out
    assert f"{noise} key" in out and "not a JPEG" in out
    assert main(["data", "check", str(root), "--split", "val", "--frames", "key"]) == 0  # neither is a key frame


def test_test_names_a_corrupt_frame_in_one_line(synth: Path, tmp_path: Path, random_weights: Path, capsys) -> None:
    from ravar_bench.data.refava import validate_split

    sample = validate_split(synth, "test").samples[0]
    key_frame = Path(sample.frame_source["path"]) / f"image_{(sample.timestamp - 900) * 30 + 1:06d}.jpg"
    key_frame.write_bytes(key_frame.read_bytes()[:300])
    assert main(["test", SUBMISSION, "--data-root", str(synth), "--checkpoint", str(random_weights),
                 "--results-dir", str(tmp_path / "results")]) == 2
    err = one_error_line(capsys)
    assert f"cannot decode frame {key_frame}: truncated JPEG" in " ".join(err.split())
    assert not list((tmp_path / "results").rglob("results.json"))


def test_bad_data_in_test_is_the_format_error_without_traceback(synth, tmp_path, random_weights, capsys) -> None:
    path = synth / pickle_name("test", "label")
    table = pickle.loads(path.read_bytes())
    table[next(iter(table))] = [81]
    path.write_bytes(pickle.dumps(table))
    assert main(["test", SUBMISSION, "--data-root", str(synth), "--checkpoint", str(random_weights),
                 "--results-dir", str(tmp_path / "results")]) == 2
    err = " ".join(one_error_line(capsys).split())
    assert "1 problem(s) (label_range: 1); first: " in err and pickle_name("test", "label") in err
    assert "found 81" in err and "data check" in err


@pytest.mark.parametrize(("option", "message"), [
    ("train_cfg.max_epoch=1", "no such key in submissions/refatomnet.py; did you mean train_cfg.max_epochs?"),
    ("nosuch.key=3", "--cfg-options nosuch.key: no such key"),
    ("train_cfg.max_epochs", "expected KEY=VALUE"),
    ("=3", "expected KEY=VALUE"),
    ("+train_cfg.max_epochs=3", "already has train_cfg.max_epochs"),
    ("+nosuch.key=3", "has no section 'nosuch'"),
])
def test_cfg_options_are_checked(option: str, message: str, tmp_path: Path, capsys) -> None:
    assert main(["test", SUBMISSION, "--results-dir", str(tmp_path / "results"), "--cfg-options", option]) == 2
    assert message in " ".join(one_error_line(capsys).split())
    assert not (tmp_path / "results").exists()


def test_new_keys_need_a_plus() -> None:
    from ravar_bench.engine.submission import load_submission

    cfg = load_submission(SUBMISSION, ["+train_cfg.note=x", "train_cfg.max_epochs=3"]).cfg
    assert cfg.train_cfg.note == "x" and cfg.train_cfg.max_epochs == 3


def test_syntax_error_names_file_and_line(tmp_path: Path, capsys) -> None:
    base = tmp_path / "base.py"
    base.write_text("model = dict(\n    type='RefAtomNet',,\n)\n")
    child = tmp_path / "child.py"
    child.write_text("_base_ = ['base.py']\n")
    for submission in (base, child):
        assert main(["test", str(submission)]) == 2
        assert f"{base}:2: syntax error" in " ".join(one_error_line(capsys).split())


def test_syntax_error_in_an_imported_model_module_names_it(tmp_path: Path, monkeypatch, capsys) -> None:
    module = tmp_path / "broken_model.py"
    module.write_text("import torch\n\nclass Broken(torch.nn.Module:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    submission = tmp_path / "uses_it.py"
    submission.write_text("custom_imports = dict(imports=['broken_model'], allow_failed_imports=False)\n")
    assert main(["test", str(submission)]) == 2
    assert f"{module}:3: syntax error" in " ".join(one_error_line(capsys).split())


def test_ctrl_c_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from ravar_bench.cli import ls

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(ls, "handle", interrupted)
    assert main(["ls", "submissions"]) == 130
    assert one_error_line(capsys) == INTERRUPTED and "resume" in INTERRUPTED


def test_leaderboard_build_from_other_results_keeps_committed_files(tmp_path: Path, monkeypatch, capsys) -> None:
    from ravar_bench.testing.runs import write_fake_run

    shutil.copytree(PROJECT / "leaderboards", tmp_path / "leaderboards")
    committed = {p: p.read_bytes() for p in (tmp_path / "leaderboards").rglob("*") if p.is_file()}
    write_fake_run(tmp_path / "mine", "refatomnet", "test", {"mIoU": 0.5, "mAP": 0.2, "AUROC": 0.6})
    monkeypatch.chdir(tmp_path)
    assert main(["leaderboard", "build", "mine"]) == 2
    assert "pass --out FOLDER" in one_error_line(capsys)
    assert {p: p.read_bytes() for p in (tmp_path / "leaderboards").rglob("*") if p.is_file()} == committed
    assert main(["leaderboard", "build", "mine", "--out", "mine-boards"]) == 0
    assert (tmp_path / "mine-boards" / "refava-synth" / "cpu" / "main.md").is_file()


@pytest.mark.parametrize(("extra", "message"), [
    (["--out", "boards", "--cfg-options", "train_cfg.max_epoch=1"], "did you mean train_cfg.max_epochs?"),
    ([], "pass --out FOLDER"),
])
def test_sweep_refuses_before_running_a_cell(extra: list[str], message: str, tmp_path: Path, monkeypatch,
                                             capsys) -> None:
    from ravar_bench.engine import sweep

    monkeypatch.setattr(sweep, "run_cell", lambda *a: pytest.fail("a cell ran"))
    assert main(["sweep", "--submissions", SUBMISSION, "--perturb", "--splits", "val", "--text-controls",
                 "--results-dir", str(tmp_path / "mine"), *extra]) == 2
    assert message in " ".join(one_error_line(capsys).split())


def test_data_check_counts_are_exact_and_detections_not_blamed(root: Path, capsys) -> None:
    path = root / pickle_name("val", "label")
    table = pickle.loads(path.read_bytes())
    detected = json.loads((root / detections_name("val")).read_text())["detections"]
    broken = sorted(detected)[:2]
    for key in broken:
        table[key] = [81]
    path.write_bytes(pickle.dumps(table))
    assert main(["data", "check", str(root), "--split", "val"]) == 1
    out = capsys.readouterr().out
    assert "label_range: 2" in out and "detections:" not in out and "2 problem(s)" in out


def test_data_check_lines_are_not_wrapped(root: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    (root / "frames" / "vid_a" / "image_000061.jpg").write_bytes(b"\xff\xd8 cut")
    assert main(["data", "check", str(root), "--split", "val"]) == 1
    (line,) = [line for line in capsys.readouterr().out.splitlines() if "image_000061.jpg" in line]
    assert line.rstrip().endswith("found truncated JPEG (no end-of-image marker)")


def write_samples(folder: Path, rows: list[dict], num_samples: int | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "samples.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    if num_samples is not None:
        (folder / "results.json").write_text(json.dumps({"dataset": {"num_samples": num_samples}}))
    return folder / "samples.jsonl"


def sample_rows(n: int) -> list[dict]:
    rng = np.random.default_rng(0)
    return [{"key": f"v___{902 + i}___0", "scores": rng.random(80).round(4).tolist(), "labels": [1 + i % 3, 12],
             "pred_box": [0.1, 0.2, 0.5, 0.8], "gt_box": [0.1, 0.25, 0.45, 0.8]} for i in range(n)]


def test_score_warns_on_a_cut_file(tmp_path: Path, capsys) -> None:
    rows = sample_rows(12)
    assert main(["score", str(write_samples(tmp_path / "whole", rows, 12))]) == 0
    assert "warning" not in capsys.readouterr().err
    path = write_samples(tmp_path / "cut", rows[:9], 12)
    assert main(["score", str(path)]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert f"{path}: 9 samples, but {path.parent / 'results.json'} counts 12 for its split" in err


def test_score_reports_out_of_range_scores_and_reversed_boxes(tmp_path: Path, capsys) -> None:
    rows = sample_rows(12)
    rows[2]["scores"][5] = 3.5
    rows[4]["pred_box"] = [0.6, 0.2, 0.1, 0.8]
    rows[7]["gt_box"] = [0.1, 0.9, 0.5, 0.2]
    path = write_samples(tmp_path / "odd", rows)
    assert main(["score", str(path)]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "1 line(s) have scores outside [0, 1] (expected sigmoid probabilities) (lines 3)" in err
    assert "1 line(s) have a reversed pred_box (x2 < x1 or y2 < y1) (lines 5)" in err
    assert "1 line(s) have a reversed gt_box (x2 < x1 or y2 < y1) (lines 8)" in err


def test_output_files_follow_the_umask(tiny_root: Path, tmp_path: Path) -> None:
    from ravar_bench.engine.results import write_run

    old = os.umask(0o022)
    try:
        final = write_run(tmp_path / "run", {"run_id": "x"}, sample_rows(2), "# config\n")
        assert main(["data", "show", "--data-root", str(tiny_root), "--split", "val", "--n", "2",
                     "--out", str(tmp_path / "sheet.png")]) == 0
    finally:
        os.umask(old)
    for path in (final / "results.json", final / "samples.jsonl", tmp_path / "sheet.png"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_shuffled_text_control_on_a_split_dominated_by_one_clip_is_one_line(root: Path, tmp_path: Path,
                                                                             random_weights: Path, capsys) -> None:
    """A val split whose clip vid_a@902 holds 2 of its 3 samples cannot give each sample another clip's reference:
    `ravar-bench test --text-control shuffled` says so in one line naming the split, the data set and the clip."""
    from ravar_bench.data.format import write_detections, write_split
    from ravar_bench.testing.refava import tiny_records

    records = tiny_records()[:3]
    write_split(root, "val", records)
    write_detections(root, "val", {r.key: {"boxes": [[0.1, 0.1, 0.5, 0.9]], "names": ["person"], "scores": [0.9]}
                                   for r in records}, {"type": "fixture"})
    assert main(["test", SUBMISSION, "--data-root", str(root), "--split", "val", "--text-control", "shuffled",
                 "--checkpoint", str(random_weights), "--results-dir", str(tmp_path / "results")]) == 2
    err = " ".join(one_error_line(capsys).split())
    assert f"split 'val' of {root.resolve()}: the shuffled-text control" in err
    assert err.endswith("no clip may hold more than half the samples; clip vid_a@902 holds 2 of 3")
    assert not list((tmp_path / "results").rglob("results.json"))
