"""Slow identity tests with real processes (``python -m pytest -m slow``): a new model whose code is
edited, and two identical runs started at the same time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
ONE_EPOCH = ["--cfg-options", "train_cfg.max_epochs=1"]


def cli(cwd: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ravar_bench.cli.main", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)


def test_editing_a_new_models_code_retrains(tiny_synth: Path, tmp_path: Path) -> None:
    """The case of issue #11 as a user meets it: `ravar-bench new`, run, change the conv widths, run
    again (same and new condition), then a change that keeps every shape."""
    checkout = tmp_path / "checkout"
    for folder in ("ravar_bench", "submissions", "perturbations"):
        shutil.copytree(REPO / folder, checkout / folder, ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(os.environ, PYTHONPATH=str(checkout), RAVAR_BENCH_CACHE=str(tmp_path / "cache"))
    assert cli(checkout, env, "new", "mynet").returncode == 0
    common = ["--data-root", str(tiny_synth), "--work-dir", str(tmp_path / "wd"), "--results-dir",
              str(tmp_path / "results"), *ONE_EPOCH]
    first = cli(checkout, env, "run", "submissions/mynet.py", "--split", "test", *common)
    assert first.returncode == 0, first.stderr[-3000:]
    model = checkout / "ravar_bench" / "models" / "contrib" / "mynet.py"
    model.write_text(model.read_text().replace("nn.Conv2d(3, 32", "nn.Conv2d(3, 48")
                     .replace("nn.Conv2d(32, 64", "nn.Conv2d(48, 64"))
    wider = cli(checkout, env, "run", "submissions/mynet.py", "--split", "test", *common)
    assert wider.returncode == 0, wider.stderr[-3000:]
    assert "identical run already finished" not in wider.stdout
    assert "code changed since the cached checkpoint" in wider.stdout.replace("\n", " ")
    fog = cli(checkout, env, "run", "submissions/mynet.py", "--split", "test", "--perturb", "fog:1", *common)
    assert fog.returncode == 0 and "Traceback" not in fog.stderr and "size mismatch" not in fog.stderr
    model.write_text(model.read_text().replace("nn.ReLU(inplace=True)", "nn.GELU()"))  # same shapes
    same_shapes = cli(checkout, env, "run", "submissions/mynet.py", "--split", "test", *common)
    assert same_shapes.returncode == 0, same_shapes.stderr[-3000:]
    assert "code changed since the cached checkpoint" in same_shapes.stdout.replace("\n", " ")
    assert "identical run already finished" not in same_shapes.stdout
    runs = list((tmp_path / "results" / "mynet").rglob("results.json"))
    assert len(runs) == 4  # test clean three times (three codes), fog once
    assert len(list((tmp_path / "cache" / "checkpoints").glob("*/model.pth"))) == 3


def test_two_identical_runs_at_once_do_the_work_once(tiny_synth: Path, tmp_path: Path) -> None:
    """Started together, one process trains and tests; the other waits for each lock, says so, and then
    reuses the first one's checkpoint and run. Neither crashes on the other's staging folder."""
    env = dict(os.environ, RAVAR_BENCH_CACHE=str(tmp_path / "cache"), PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "ravar_bench.cli.main", "run", "submissions/refatomnet.py", "--split", "test",
               "--data-root", str(tiny_synth), "--work-dir", str(tmp_path / "wd"),
               "--results-dir", str(tmp_path / "results"), *ONE_EPOCH]
    processes = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=900) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], [err[-2000:] for _, err in outputs]
    stdout = " ".join(out.replace("\n", " ") for out, _ in outputs)
    assert stdout.count("no cached checkpoint of refatomnet") == 1, stdout
    assert stdout.count("waiting: training refatomnet") == 1, stdout
    assert "done by another process meanwhile" in stdout or "identical run already finished" in stdout
    assert len(list((tmp_path / "results").rglob("results.json"))) == 1
    assert not list((tmp_path / "results").rglob(".*.partial"))
