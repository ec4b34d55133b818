"""Sweep cells as independent jobs through submitit: a local pool of subprocesses or a Slurm cluster.

The plan has, per submission with unfinished cells, one training job and then one test job per cell.
Training first matters: the cells of one submission share its cached checkpoint, so their tests must
not start before it exists. Finished cells are left out, so a resubmitted sweep resumes. Results
directories are staged and renamed atomically (engine/results.py), so concurrent cells never see a
half-written run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ravar_bench.engine.request import RunRequest
from ravar_bench.engine.sweep import Cell, finished, run_cell

POLL_SECONDS = 0.5


@dataclass(frozen=True)
class SubmissionJobs:
    """One submission's share of the sweep: its training, then its unfinished test cells."""

    submission: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class SlurmOptions:
    """What each Slurm job asks for: partition, GPUs per job, time limit (minutes), concurrent array tasks."""

    partition: str | None = None
    gpus_per_job: int = 1
    time_min: int = 240
    array_parallelism: int = 64

    def parameters(self) -> dict:
        """The submitit SlurmExecutor parameters."""
        params = {"gpus_per_node": self.gpus_per_job, "time": self.time_min,
                  "array_parallelism": self.array_parallelism, "ntasks_per_node": 1}
        return params | ({"partition": self.partition} if self.partition else {})


def plan(cells: Sequence[Cell], results_dir: Path, dataset: str) -> list[SubmissionJobs]:
    """The unfinished cells grouped by submission, both in grid order."""
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        if not finished(cell, results_dir, dataset):
            groups.setdefault(cell.submission, []).append(cell)
    return [SubmissionJobs(name, tuple(group)) for name, group in groups.items()]


def cell_train_job(cell: Cell, shared: RunRequest) -> str:
    """Train the cell's submission unless its weights are cached; the weights file (a job's entry point)."""
    from ravar_bench.engine.runs import ensure_weights, prepare

    request = cell.request(shared)
    return str(ensure_weights(prepare(request), request, allow_training=True))


def cell_test_job(cell: Cell, shared: RunRequest) -> str:
    """Test one cell with the cached weights; the results folder (a job's entry point)."""
    return str(run_cell(cell, shared))


def leaderboard_job(results_dir: str, out: str, reported: str, studies: str) -> str:
    """Rebuild the leaderboards once every test job has ended (a job's entry point)."""
    from ravar_bench.leaderboard.build import build_leaderboards

    build_leaderboards([Path(results_dir)], Path(out), Path(reported), studies_dir=Path(studies))
    return out


Outcome = tuple[Cell, Path | BaseException]


def run_local(plans: Sequence[SubmissionJobs], shared: RunRequest, jobs: int, folder: Path,
              report: Callable[[Cell, Path | BaseException], None] = lambda cell, result: None) -> list[Outcome]:
    """Run the plan in submitit's local executor (one subprocess per job), at most ``jobs`` at a time.

    A submission's test cells are queued when its training ends; a failed training fails its cells."""
    import submitit

    executor = submitit.LocalExecutor(folder=str(folder))
    executor.update_parameters(timeout_min=24 * 60)
    ready: list[tuple[str, SubmissionJobs | Cell]] = [("train", p) for p in plans]
    running: dict = {}
    outcomes: list[Outcome] = []

    def settle(kind: str, item, result: Path | BaseException) -> None:
        if kind == "test":
            outcomes.append((item, result))
            report(item, result)
        elif isinstance(result, BaseException):
            for cell in item.cells:
                outcomes.append((cell, result))
                report(cell, result)
        else:
            ready.extend(("test", cell) for cell in item.cells)

    while ready or running:
        while ready and len(running) < jobs:
            kind, item = ready.pop(0)
            function, cell = (cell_train_job, item.cells[0]) if kind == "train" else (cell_test_job, item)
            running[executor.submit(function, cell, shared)] = (kind, item)
        done = [job for job in running if job.done()]
        if not done:
            time.sleep(POLL_SECONDS)
        for job in done:
            kind, item = running.pop(job)
            try:
                result: Path | BaseException = Path(job.result())
            except Exception as err:  # the job's own exception, re-raised by submitit
                result = err
            settle(kind, item, result)
    return outcomes


@dataclass(frozen=True)
class Submitted:
    """One Slurm job of a sweep: its id, what it does, and the job ids it waits for."""

    job_id: str
    name: str
    cells: tuple[Cell, ...]
    after: tuple[str, ...]


def submit_slurm(plans: Sequence[SubmissionJobs], shared: RunRequest, options: SlurmOptions, folder: Path,
                 rebuild: tuple[str, str, str, str]) -> list[Submitted]:
    """Submit per submission a training job and an array of its test cells (``afterok`` the training), then
    one leaderboard rebuild after every test (``afterany``); the submitted jobs, in order."""
    import submitit

    executor = submitit.SlurmExecutor(folder=str(folder))
    submitted: list[Submitted] = []
    for entry in plans:
        name = entry.submission.removeprefix("submissions/").removesuffix(".py").replace("/", "-")
        executor.update_parameters(**options.parameters(), job_name=f"train-{name}", dependency=None)
        train = executor.submit(cell_train_job, entry.cells[0], shared)
        submitted.append(Submitted(train.job_id, f"train-{name}", entry.cells[:1], ()))
        executor.update_parameters(job_name=f"test-{name}", dependency=f"afterok:{train.job_id}")
        with executor.batch():
            tests = [executor.submit(cell_test_job, cell, shared) for cell in entry.cells]
        submitted += [Submitted(job.job_id, f"test-{name}", (cell,), (train.job_id,))
                      for job, cell in zip(tests, entry.cells, strict=True)]
    if submitted:
        waits = tuple(dict.fromkeys(s.job_id.split("_")[0] for s in submitted if s.name.startswith("test-")))
        executor.update_parameters(**(options.parameters() | {"gpus_per_node": None, "time": 60}),
                                   job_name="leaderboard", dependency="afterany:" + ":".join(waits))
        job = executor.submit(leaderboard_job, *rebuild)
        submitted.append(Submitted(job.job_id, "leaderboard", (), waits))
    return submitted
