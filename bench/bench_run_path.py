"""The run path's budgets, measured: the headline command on an empty cache (generation + training +
test, budget 10 minutes on 2 cores), the same command with the checkpoint cached (budget 1 minute),
and the text control (RefAtomNet with the true references vs with shuffled ones, with 95% CIs).

    python bench/bench_run_path.py [--cache DIR] [--results DIR]

Each stage is one `ravar-bench` process, timed from start to exit; the ratio is time / budget.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEADLINE = ["run", "submissions/refatomnet.py", "--split", "test", "--perturb", "fog"]


def timed(args: list[str], env: dict) -> float:
    """Seconds one ravar-bench command takes, start to exit (it must succeed)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ravar_bench.cli.main", *args], cwd=REPO, env=env, check=True)
    return time.perf_counter() - started


def headline_metrics(results: Path, condition: str) -> dict:
    (path,) = (results / "refatomnet" / "refava-synth" / "test" / condition).glob("*/results.json")
    return json.loads(path.read_text())["metrics"]["metrics"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=None, help="empty cache folder to use (default: a new temp folder)")
    parser.add_argument("--results", default=None, help="results folder (default: a new temp folder)")
    args = parser.parse_args()
    cache = Path(args.cache or tempfile.mkdtemp(prefix="ravar_cache_"))
    results = Path(args.results or tempfile.mkdtemp(prefix="ravar_results_"))
    env = dict(os.environ, RAVAR_BENCH_CACHE=str(cache))
    common = ["--results-dir", str(results), "--work-dir", str(cache / "work_dirs")]

    cold = timed(HEADLINE + common, env)
    shutil.rmtree(results / "refatomnet")  # keep the checkpoint, force the test to run again
    warm = timed(HEADLINE + common, env)
    timed(["run", "submissions/refatomnet.py", "--split", "test", *common], env)
    timed(["run", "submissions/refatomnet.py", "--split", "test", "--text-control", "shuffled", *common], env)

    print(f"headline, empty cache : {cold:7.1f} s  ratio to the 600 s budget {cold / 600:.2f}")
    print(f"headline, cached ckpt : {warm:7.1f} s  ratio to the  60 s budget {warm / 60:.2f}")
    for condition in ("clean", "clean-text-shuffled"):
        metrics = headline_metrics(results, condition)
        shown = ", ".join(f"{name} {100 * m['value']:.2f} [{100 * m['ci_low']:.2f}, {100 * m['ci_high']:.2f}]"
                          for name, m in metrics.items() if name in ("mAP", "AUROC", "mIoU"))
        print(f"{condition:22s}: {shown}")


if __name__ == "__main__":
    main()
