"""The run path end to end on the tiny RefAVA-Synth set: train, test, results, reuse, controls, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ravar_bench.cli.main import INTERRUPTED, main
from ravar_bench.engine.results import SCHEMA, SCHEMA_VERSION, read_results
from ravar_bench.metrics.report import HEADLINE

SUBMISSION = "submissions/refatomnet.py"
ONE_EPOCH = ["--cfg-options", "train_cfg.max_epochs=1"]


def run(tiny: Path, tmp: Path, *extra: str, command: str = "run") -> int:
    return main([command, SUBMISSION, "--data-root", str(tiny), "--work-dir", str(tmp / "wd"),
                 "--results-dir", str(tmp / "results"), *extra, *ONE_EPOCH])


def run_dirs(tmp: Path, condition: str) -> list[Path]:
    return sorted(p.parent for p in (tmp / "results").rglob("results.json") if p.parent.parent.name == condition)


@pytest.fixture(scope="module")
def trained(tiny_synth: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One training of RefAtomNet (1 epoch) and a clean test run; later runs reuse its checkpoint."""
    tmp = tmp_path_factory.mktemp("run")
    assert run(tiny_synth, tmp, "--split", "test") == 0
    return tmp


def test_results_directory_is_complete(trained: Path) -> None:
    (final,) = run_dirs(trained, "clean")
    assert final.relative_to(trained / "results").parts[:4] == ("refatomnet", "refava-synth-tiny", "test", "clean")
    results = read_results(final / "results.json")
    assert (results["schema"], results["schema_version"]) == (SCHEMA, SCHEMA_VERSION)
    rows = [json.loads(line) for line in (final / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == results["dataset"]["num_samples"] > 0
    assert all(len(row["scores"]) == 80 and len(row["pred_box"]) == 4 for row in rows)
    metrics = results["metrics"]
    assert set(HEADLINE) <= set(metrics["metrics"]) and metrics["convention"] == "macro"
    for convention, table in metrics["conventions"].items():
        for name, estimate in table.items():
            assert estimate["ci_low"] <= estimate["value"] <= estimate["ci_high"], (convention, name)
    bootstrap = metrics["bootstrap"]
    assert (bootstrap["unit"], bootstrap["class_set"], bootstrap["method"]) == ("video", "fixed",
                                                                                "percentile-median-centred")
    videos = {row["key"].split("___")[0] for row in rows}
    assert bootstrap["num_clusters"] == len(videos) > 1 and len(bootstrap["replicates"]) == 5
    provenance = results["provenance"]
    for field in ("code", "packages", "device", "config_sha256", "training_hash", "checkpoint", "seeds", "timings"):
        assert provenance[field], field
    assert provenance["checkpoint"]["train_meta"]["training_hash"] == provenance["training_hash"]
    assert results["dataset"]["generator_version"] and results["dataset"]["manifest_sha256"]
    assert "model = dict(" in results["config"] and not (final / "config.py").exists()
    assert not list(final.parent.glob(".*.partial")), "the staging folder must be gone once the run is complete"


def test_same_command_gives_same_numbers(trained: Path, tiny_synth: Path) -> None:
    (final,) = run_dirs(trained, "clean")
    first = read_results(final / "results.json")
    (final / "results.json").rename(final.parent / "first.json")
    final.rename(final.parent / "moved")  # force a fresh test with the cached weights
    assert run(tiny_synth, trained, "--split", "test") == 0
    again = read_results(final / "results.json")
    assert again["metrics"] == first["metrics"]
    assert again["provenance"]["checkpoint"]["sha256"] == first["provenance"]["checkpoint"]["sha256"]


def test_perturbed_and_text_control_runs(trained: Path, tiny_synth: Path) -> None:
    assert run(tiny_synth, trained, "--split", "test", "--perturb", "fog:2") == 0
    assert run(tiny_synth, trained, "--split", "test", "--text-control", "shuffled") == 0
    (fog,) = run_dirs(trained, "fog-s2")
    (shuffled,) = run_dirs(trained, "clean-text-shuffled")
    (clean,) = run_dirs(trained, "clean")
    fog_results = read_results(fog / "results.json")
    assert fog_results["perturbation"]["name"] == "fog" and fog_results["perturbation"]["severity"] == 2
    # the same samples: paired, from the run directories and from the stored replicates alike
    assert main(["compare", str(clean), str(fog), "--n-bootstrap", "100"]) == 0
    from ravar_bench.metrics.paired import compare_reports

    stored = compare_reports(read_results(clean / "results.json")["metrics"], fog_results["metrics"], "macro", "mAP")
    assert stored is not None and stored.n_resamples == 1000
    assert read_results(shuffled / "results.json")["text_control"] == "shuffled"

    def texts(folder: Path) -> dict[str, str]:
        return {r["key"]: r["text"] for r in map(json.loads, (folder / "samples.jsonl").read_text().splitlines())}

    clean_texts, shuffled_texts = texts(clean), texts(shuffled)
    assert clean_texts.keys() == shuffled_texts.keys()
    assert all(clean_texts[k] != shuffled_texts[k] for k in clean_texts)
    assert texts(fog) == clean_texts


def test_training_prints_no_file_client_notices(tiny_synth: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capfd: pytest.CaptureFixture[str]) -> None:
    """MMEngine's hooks build a FileClient on every training; its deprecation notices (dropped by
    ravar_bench/_compat.py) reach neither stream, while the run's own output does. (A cache of its own, so
    that this training is no 'newest checkpoint' of the other tests.)"""
    from ravar_bench._compat import FILE_CLIENT_NOTICES

    monkeypatch.setenv("RAVAR_BENCH_CACHE", str(tmp_path / "cache"))
    assert run(tiny_synth, tmp_path, command="train") == 0
    out, err = capfd.readouterr()
    assert "weights:" in out + err
    assert not [notice for notice in FILE_CLIENT_NOTICES if notice in out + err], (out + err)[-2000:]


def test_test_command_needs_trained_weights(tiny_synth: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", SUBMISSION, "--data-root", str(tiny_synth), "--results-dir", str(tmp_path),
                 "--seed", "7"]) == 2
    assert "no trained weights" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "message"), [
    (["run", "submissions/nope.py"], "unknown submission 'submissions/nope.py'; known: "),
    (["run", SUBMISSION, "--data-root", "/no/such/folder"], "no such folder"),
])
def test_clear_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err.replace("\n", " ")
    assert message in err
    if "known" in message:
        assert "submissions/refatomnet.py" in err


def test_unknown_perturbation_lists_known(trained: Path, tiny_synth: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tiny_synth, trained, "--split", "test", "--perturb", "snow") == 2
    err = capsys.readouterr().err.replace("\n", " ")
    assert "unknown perturbation 'snow'" in err and "fog" in err and "rain" in err


def test_tests_started_in_the_same_second_do_not_share_mmengine_state(trained: Path, tiny_synth: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """MMEngine names a Runner's visualizer by its start second; two tests in one second (a fast tiny run,
    or a sweep) must not reuse the first one's, whose throw-away folder is gone by then."""
    import mmengine.runner.runner as mmengine_runner

    monkeypatch.setattr(mmengine_runner.time, "strftime", lambda *args: "20260101_000000")
    for severity in (2, 3):
        assert run(tiny_synth, trained, "--split", "val", "--perturb", f"fog:{severity}") == 0


def test_interrupted_test_resumes(trained: Path, tiny_synth: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A test stopped by Ctrl-C after its first batch says so in one line and keeps that batch; the rerun
    says how many samples it reused, predicts only the rest and gives the numbers of an uninterrupted run."""
    from ravar_bench.engine import prediction

    args = ("--split", "test", "--perturb", "gaussian_noise:1", "--cfg-options", "test_dataloader.batch_size=4",
            "train_cfg.max_epochs=1")
    original_append = prediction._append
    written: list[int] = []

    def append_then_die(path: Path, rows: list[dict]) -> None:
        original_append(path, rows)
        written.append(len(rows))
        if len(written) == 1:
            with path.open("a") as handle:  # the kill also cut the next line in half
                handle.write('{"key": "cut')
            raise KeyboardInterrupt

    monkeypatch.setattr(prediction, "_append", append_then_die)
    capsys.readouterr()
    assert run(tiny_synth, trained, *args) == 130
    assert capsys.readouterr().err.strip() == INTERRUPTED
    (stage,) = (trained / "results").rglob(".*.partial")
    assert not (stage / "results.json").exists()
    assert main(["run", SUBMISSION, "--data-root", str(tiny_synth), "--work-dir", str(trained / "wd"),
                 "--results-dir", str(trained / "results"), *args]) == 0
    (resumed,) = run_dirs(trained, "gaussian_noise-s1")
    total = read_results(resumed / "results.json")["dataset"]["num_samples"]
    assert f"resuming an interrupted test: 4 of {total} samples reused" in capsys.readouterr().out
    assert written[0] == 4 and sum(written) == total  # nothing predicted twice
    resumed_results = read_results(resumed / "results.json")
    resumed.rename(resumed.parent / "moved")
    monkeypatch.setattr(prediction, "_append", original_append)
    assert main(["run", SUBMISSION, "--data-root", str(tiny_synth), "--work-dir", str(trained / "wd"),
                 "--results-dir", str(trained / "results"), *args]) == 0
    assert read_results(resumed / "results.json")["metrics"] == resumed_results["metrics"]


def test_same_data_in_two_folders_gives_one_run_and_an_edit_a_new_one(
        trained: Path, tiny_synth: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The run id keys the data by its content, not its folder; editing a test label in place gives a new
    run (the weights are reused: the test split is no training data), and the harness says what changed.
    Results and the dumped config hold no absolute data path."""
    import shutil
    from dataclasses import replace

    from ravar_bench.data.format import write_split
    from ravar_bench.data.refava import read_records

    copies = [shutil.copytree(tiny_synth, tmp_path / name, copy_function=shutil.copy) for name in ("a", "b")]
    args = ("--split", "test", "--text-control", "empty")
    for copy in copies:
        assert run(copy, trained, *args) == 0
    (final,) = run_dirs(trained, "clean-text-empty")
    out = capsys.readouterr().out.replace("\n", "")
    assert "identical run already finished" in out and "training" not in out
    text = (final / "results.json").read_text()  # the tested config is inside it
    assert str(tmp_path) not in text and str(tiny_synth) not in text
    records = read_records(copies[1], "test")
    write_split(copies[1], "test", [replace(records[0], labels=(1,) if records[0].labels != (1,) else (2,)),
                                    *records[1:]])
    assert run(copies[1], trained, *args) == 0
    out = capsys.readouterr().out.replace("\n", " ")
    assert f"data changed since the finished run {final.name} of this cell: running again" in out
    assert "training" not in out
    assert len(run_dirs(trained, "clean-text-empty")) == 2


def test_changed_code_retrains_and_reruns(trained: Path, tiny_synth: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Any change to the package source (here: its hash, as an edited module would give) misses both the
    checkpoint cache and the finished run, and each miss says why in one line."""
    from ravar_bench.engine import identity

    clean_before = run_dirs(trained, "clean")
    monkeypatch.setattr(identity, "package_sha256", lambda: "edited" + "0" * 58)
    assert run(tiny_synth, trained, "--split", "test") == 0
    out = capsys.readouterr().out.replace("\n", " ")
    assert "identical run already finished" not in out
    assert "code changed since the cached checkpoint" in out and ": retraining" in out
    assert re.search(r"code( and weights)? changed since the finished run \w+ of this cell: running again", out)
    assert len(run_dirs(trained, "clean")) == len(clean_before) + 1


def test_provenance_records_the_device_the_test_ran_on(trained: Path, tiny_synth: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A GPU that is visible to the run path but not the one the test loop ran the model on is not recorded:
    results.json names the loop's device (here the CPU)."""
    import torch

    from ravar_bench.engine import runs

    monkeypatch.setattr(runs, "compute_device", lambda: torch.device("cuda", 0))
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *args: "a GPU the loop did not use")
    assert run(tiny_synth, trained, "--split", "val", "--perturb", "rain:2") == 0
    (final,) = run_dirs(trained, "rain-s2")
    device = read_results(final / "results.json")["provenance"]["device"]
    assert device["device"] == "cpu" and "gpu" not in device
