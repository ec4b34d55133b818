"""Sweep cells as submitit jobs: the Slurm plan (jobs, dependencies, parameters) as submitit writes it for
sbatch, checked with a stand-in ``sbatch`` on PATH (no cluster here), and a sweep through submitit's local
executor (real subprocesses, two at a time) that gives the same results as the sequential sweep."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from ravar_bench.cli.main import main
from ravar_bench.engine.request import RunRequest
from ravar_bench.engine.sweep import grid
from ravar_bench.engine.sweep_jobs import SlurmOptions, cell_test_job, cell_train_job, plan, submit_slurm
from ravar_bench.testing.runs import write_fake_run

# Prints submitit's "Submitted batch job N" (N = 101, 102, ...) and keeps each sbatch file it was given.
FAKE_SBATCH = """#!/bin/sh
n=$(($(cat "$SBATCH_LOG/count" 2>/dev/null || echo 100) + 1))
echo "$n" > "$SBATCH_LOG/count"
cp "$1" "$SBATCH_LOG/$n.sh"
echo "Submitted batch job $n"
"""


@pytest.fixture
def fake_sbatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder that receives every sbatch file submitted while the test runs (sbatch and srun stand-ins on PATH)."""
    bin_dir, log = tmp_path / "bin", tmp_path / "sbatch"
    bin_dir.mkdir()
    log.mkdir()
    for name, text in (("sbatch", FAKE_SBATCH), ("srun", "#!/bin/sh\nexit 1\n")):  # submitit looks for srun
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("SBATCH_LOG", str(log))
    return log


def sbatch_options(path: Path) -> dict[str, str]:
    """The ``#SBATCH --key=value`` lines of one submitted file."""
    return dict(re.findall(r"^#SBATCH --([\w-]+)=?(.*)$", path.read_text(), re.MULTILINE))


def test_plan_groups_unfinished_cells_by_submission(tmp_path: Path) -> None:
    results = tmp_path / "results"
    cells = grid(["submissions/refatomnet.py", "submissions/i3d.py"], ["test"], ["fog"], [1], [])
    write_fake_run(results, "refatomnet", "test", {"mIoU": 0.1, "mAP": 0.2, "AUROC": 0.3})  # clean is done
    plans = plan(cells, results, "refava-synth")
    assert [(p.submission, [c.condition for c in p.cells]) for p in plans] == [
        ("submissions/refatomnet.py", ["fog-s1"]), ("submissions/i3d.py", ["clean", "fog-s1"])]


def test_slurm_sweep_submits_training_then_dependent_test_array_then_leaderboard(
        tmp_path: Path, fake_sbatch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "results"
    write_fake_run(results, "refatomnet", "test", {"mIoU": 0.1, "mAP": 0.2, "AUROC": 0.3})  # resumed: not resubmitted
    config = tmp_path / "slurm.json"
    config.write_text(json.dumps({"partition": "gpu", "time_min": 90, "gpus_per_job": 2}))
    code = main(["sweep", "--submissions", "submissions/refatomnet.py", "submissions/i3d.py", "--perturb", "fog",
                 "--severities", "1", "5", "--splits", "test", "--text-controls", "--results-dir", str(results),
                 "--executor", "slurm", "--slurm-config", str(config), "--time-min", "120", "--out", str(tmp_path),
                 "--array-parallelism", "4", "--submitit-dir", str(tmp_path / "submitit")])
    assert code == 0
    assert "5 of 6 cells to run, 8 jobs" in " ".join(capsys.readouterr().out.split())
    files = {int(p.stem): sbatch_options(p) for p in fake_sbatch.glob("*.sh")}
    # 101 train refatomnet, 102 its test array (2 cells), 103 train i3d, 104 its array (3), 105 leaderboard.
    assert sorted(files) == [101, 102, 103, 104, 105]
    for train, array, cells in ((101, 102, 2), (103, 104, 3)):
        assert "dependency" not in files[train] and "array" not in files[train]
        assert files[array]["dependency"] == f"afterok:{train}"
        assert files[array]["array"] == f"0-{cells - 1}%{min(4, cells)}"
    for job in (101, 102, 103, 104):
        assert (files[job]["partition"], files[job]["time"], files[job]["gpus-per-node"]) == ("gpu", "120", "2")
    assert files[105]["dependency"] == "afterany:102:104" and "gpus-per-node" not in files[105]


def test_slurm_jobs_carry_their_cells(tmp_path: Path, fake_sbatch: Path) -> None:
    from submitit.core.utils import DelayedSubmission

    cells, shared = grid(["submissions/refatomnet.py"], ["val", "test"], [], [], ["empty"]), RunRequest("", seed=3)
    jobs = submit_slurm(plan(cells, tmp_path / "results", "refava-synth"), shared, SlurmOptions(),
                        tmp_path / "submitit", ("results", "lb", "reported.json", "studies"))
    assert [(j.name, j.cells, j.after) for j in jobs] == [
        ("train-refatomnet", (cells[0],), ()),
        *[("test-refatomnet", (c,), ("101",)) for c in cells],
        ("leaderboard", (), ("102",))]
    pickles = {p.name.split("_submitted")[0]: DelayedSubmission.load(p)
               for p in (tmp_path / "submitit").glob("*_submitted.pkl")}
    assert pickles["101"].function is cell_train_job and pickles["101"].args == (cells[0], shared)
    assert [(pickles[f"102_{i}"].function, pickles[f"102_{i}"].args[0]) for i in range(4)] == [
        (cell_test_job, c) for c in cells]


def test_bad_slurm_config_is_named(tmp_path: Path, fake_sbatch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "slurm.json"
    config.write_text(json.dumps({"partiton": "gpu"}))
    assert main(["sweep", "--submissions", "submissions/refatomnet.py", "--perturb", "--splits", "test",
                 "--text-controls", "--executor", "slurm", "--slurm-config", str(config)]) == 2
    assert f"--slurm-config {config}: unknown keys ['partiton']" in " ".join(capsys.readouterr().err.split())
    assert not list(fake_sbatch.glob("*.sh"))


def results_by_cell(results: Path) -> dict[str, dict]:
    """Run id and headline metrics of every stored run, by its cell folder."""
    found = {}
    for path in sorted(results.rglob("results.json")):
        data = json.loads(path.read_text())
        found[str(path.parent.parent.relative_to(results))] = (data["run_id"], data["metrics"]["metrics"])
    return found


@pytest.mark.slow
def test_local_submitit_sweep_matches_the_sequential_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ravar_bench.data.synth import generate

    data = tmp_path / "tiny"
    generate(str(data), size="tiny", progress=False)
    found = {}
    for name, extra in (("sequential", []), ("parallel", ["--jobs", "2", "--submitit-dir", str(tmp_path / "sub")])):
        monkeypatch.setenv("RAVAR_BENCH_CACHE", str(tmp_path / f"cache-{name}"))  # each trains its own weights
        results = tmp_path / f"results-{name}"
        assert main(["sweep", "--submissions", "submissions/refatomnet.py", "--perturb", "fog", "--severities",
                     "1", "--splits", "test", "--text-controls", "empty", "--data-root", str(data),
                     "--results-dir", str(results), "--work-dir", str(tmp_path / f"wd-{name}"),
                     "--out", str(tmp_path / f"lb-{name}"), "--cfg-options", "train_cfg.max_epochs=1", *extra]) == 0
        found[name] = results_by_cell(results)
    assert sorted(found["parallel"]) == [f"refatomnet/refava-synth-tiny/test/{c}"
                                         for c in ("clean", "clean-text-empty", "fog-s1")]
    assert found["parallel"] == found["sequential"]
    logs = list((tmp_path / "sub").rglob("*_log.out"))
    assert len(logs) == 4  # one training and three test subprocesses
