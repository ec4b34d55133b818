"""Slow run-path tests (run with `python -m pytest -m slow`): a real kill during training, and
distributed testing under torchrun with 2 CPU processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ravar_bench.engine.results import read_results

pytestmark = pytest.mark.slow
SUBMISSION = "submissions/refatomnet.py"
REPO = Path(__file__).resolve().parents[1]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "ravar_bench.cli.main", *args]


def test_training_killed_mid_run_resumes(tiny_synth: Path, tmp_path: Path, isolated_cache: Path) -> None:
    command = cli("train", SUBMISSION, "--data-root", str(tiny_synth), "--work-dir", str(tmp_path / "wd"),
                  "--cfg-options", "train_cfg.max_epochs=4")
    env = dict(os.environ, RAVAR_BENCH_CACHE=str(isolated_cache / "kill"))
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 600
    # MMEngine writes `last_checkpoint` once epoch_1.pth is complete; the file alone may still be half-written,
    # and a kill then rightly restarts from scratch.
    while not list((tmp_path / "wd").rglob("last_checkpoint")):
        assert process.poll() is None and time.monotonic() < deadline, "training ended before its first checkpoint"
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not list((isolated_cache / "kill").rglob("model.pth")), "killed before the end: nothing cached yet"
    subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True, timeout=600)
    (meta_file,) = (isolated_cache / "kill").rglob("meta.json")
    meta = json.loads(meta_file.read_text())
    assert meta["resumed"] is True and meta["epochs"] == 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_two_process_test_matches_one_process(tiny_synth: Path, tmp_path: Path) -> None:
    common = ["--data-root", str(tiny_synth), "--work-dir", str(tmp_path / "wd"),
              "--cfg-options", "train_cfg.max_epochs=1"]
    trained = subprocess.run(cli("train", SUBMISSION, *common), cwd=REPO, check=True, capture_output=True,
                             text=True, timeout=600)
    # The cache keys weights by the training world size too, so the 2-process test names them.
    weights = trained.stdout.split("weights:")[-1].split()[0]
    test_args = ["test", SUBMISSION, "--split", "test", "--checkpoint", weights, *common]
    subprocess.run(cli(*test_args, "--results-dir", str(tmp_path / "one")), cwd=REPO, check=True,
                   capture_output=True, timeout=600)
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", f"--master_port={free_port()}",
                "-m", "ravar_bench.cli.main", *test_args, "--launcher", "pytorch",
                "--results-dir", str(tmp_path / "two")]
    done = subprocess.run(torchrun, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    (one,) = (tmp_path / "one").rglob("results.json")
    (two,) = (tmp_path / "two").rglob("results.json")
    single, double = read_results(one), read_results(two)
    assert double["provenance"]["device"]["world_size"] == 2
    for name, estimate in single["metrics"]["metrics"].items():
        assert double["metrics"]["metrics"][name]["value"] == pytest.approx(estimate["value"], abs=1e-6), name
