"""Start-up of the light subcommands (``--help``, ``ls``, ``leaderboard build``, ``score``): the median over
fresh processes of the wall time and of the time spent importing (``python -X importtime``, top-level
imports summed), printed as ratios against ``python -c pass`` measured in the same run.

    python bench/bench_cli_startup.py [--repeats 5]

These commands import no torch and no MMEngine model stack (issue #14, item 11); the goal is a start-up
well under one second each. ``leaderboard build`` and ``score`` then do their work (reading every
results file and drawing the plots; 1000 bootstrap resamples), which the wall time includes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def import_seconds(stderr: str) -> float:
    """Seconds spent in top-level imports, from ``-X importtime`` lines (``... | cumulative us | name``)."""
    total = 0
    for line in stderr.splitlines():
        if line.startswith("import time:") and not line.endswith("package"):
            _, cumulative, name = line.split("|")
            if not name[1:].startswith(" "):  # top level: the name follows a single space
                total += int(cumulative)
    return total / 1e6


def median_seconds(argv: list[str], repeats: int) -> tuple[float, float]:
    """Median wall time and median import time of ``argv`` as a fresh Python process (it must succeed)."""
    walls, imports = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-X", "importtime", *argv], cwd=REPO, check=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        walls.append(time.perf_counter() - started)
        imports.append(import_seconds(done.stderr))
    return statistics.median(walls), statistics.median(imports)


def write_samples(path: Path) -> Path:
    """A small samples.jsonl in the format ``ravar-bench run`` writes."""
    sys.path.insert(0, str(REPO))
    from ravar_bench.testing.predictions import synthetic_predictions

    data = synthetic_predictions(200, seed=0)
    rows = [{"key": f"k{i}", "scores": data["scores"][i].tolist(),
             "labels": [int(c) + 1 for c in data["labels"][i].nonzero()[0]],
             "pred_box": data["pred_boxes"][i].tolist(), "gt_box": data["gt_boxes"][i].tolist()}
            for i in range(len(data["scores"]))]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    cli = ["-m", "ravar_bench.cli.main"]
    with tempfile.TemporaryDirectory() as tmp:
        samples = write_samples(Path(tmp) / "samples.jsonl")
        commands = {
            "--help": ["--help"],
            "ls submissions": ["ls", "submissions"],
            "leaderboard build": ["leaderboard", "build", "--out", str(Path(tmp) / "leaderboards")],
            "score": ["score", str(samples)],
        }
        reference, reference_imports = median_seconds(["-c", "pass"], repeats)
        interpreter = reference - reference_imports  # the interpreter's own start, without imports
        print(f"python -c pass: {reference:.3f} s (median of {repeats}, with -X importtime)")
        for name, args in commands.items():
            wall, imports = median_seconds([*cli, *args], repeats)
            start_up = interpreter + imports
            print(f"ravar-bench {name:<18} start-up {start_up:6.3f} s "
                  f"({start_up / reference:4.1f}x python -c pass), whole command {wall:6.3f} s "
                  f"({wall / reference:5.1f}x)")


if __name__ == "__main__":
    main()
