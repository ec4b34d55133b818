"""The one test path: MMEngine's Runner with ``ResumableTestLoop``, which survives interruption (each
finished batch is appended to a per-rank predictions file, and a rerun skips the samples already
predicted) and feeds ``RAVARMetric`` through MMEngine's Evaluator, as validation during training does."""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dist import barrier, get_dist_info, is_main_process
from mmengine.model import revert_sync_batchnorm
from mmengine.runner import Runner, TestLoop
from torch.utils.data import DataLoader

from ravar_bench.data.format import NUM_CLASSES
from ravar_bench.engine.device import autocast, compute_device
from ravar_bench.engine.feature_cache import apply_feature_cache
from ravar_bench.engine.progress import TestProgress
from ravar_bench.engine.results import PARTIAL_PATTERN
from ravar_bench.errors import UserError
from ravar_bench.registry import LOOPS
from ravar_bench.structures import prediction_problem


def sample_row(sample) -> dict:
    """One samples.jsonl line from a predicted data sample (docs/RESULTS.md)."""
    labels = np.flatnonzero(sample.gt_labels.cpu().numpy() > 0.5) + 1
    return {"key": sample.metainfo["key"], "text": sample.metainfo.get("text", ""),
            "scores": [round(float(s), 6) for s in sample.pred_scores.float().cpu()],
            "labels": labels.tolist(),
            "pred_box": [round(float(v), 6) for v in sample.pred_box.float().cpu()],
            "gt_box": [round(float(v), 6) for v in sample.gt_box.float().cpu()]}


def check_predictions(samples: Sequence) -> None:
    """Every predicted sample meets the prediction contract (``structures.prediction_problem``); name those
    that don't."""
    bad = [f"{sample.metainfo.get('key')}: {problem}" for sample in samples
           if (problem := prediction_problem(sample.get("pred_scores"), sample.get("pred_box")))]
    if bad:
        raise ValueError(f"the model's predictions must be pred_scores [{NUM_CLASSES}] in [0, 1] and pred_box [4], "
                         f"finite; wrong for {len(bad)} sample(s): {'; '.join(bad[:5])}")


def read_partial(folder: Path) -> dict[str, dict]:
    """Predictions already written by any rank; a last line cut by an interruption is ignored."""
    rows = {}
    for path in sorted(folder.glob(PARTIAL_PATTERN)):
        for line in path.read_text().splitlines(keepends=True):
            if line.endswith("\n"):
                row = json.loads(line)
                rows[row["key"]] = row
    return rows


def drop_torn_line(path: Path) -> None:
    """Cut a partial last line (left by a kill mid-write) so that appended lines start clean."""
    if not path.is_file():
        return
    data = path.read_bytes()
    keep = data.rfind(b"\n") + 1
    if keep != len(data):
        with path.open("r+b") as handle:
            handle.truncate(keep)


def _append(path: Path, rows: list[dict]) -> None:
    """Append whole lines and force them to disk, so a kill loses at most the batch in flight."""
    with path.open("a") as handle:
        handle.write("".join(json.dumps(row) + "\n" for row in rows))
        handle.flush()
        os.fsync(handle.fileno())


def _batches(dataloader: DataLoader, indices: list[int]) -> Iterator[dict]:
    """This rank's share of ``indices`` (strided) of the loader's dataset, batched like the loader."""
    rank, world = get_dist_info()
    subset = torch.utils.data.Subset(dataloader.dataset, indices[rank::world])
    yield from DataLoader(subset, batch_size=dataloader.batch_size, shuffle=False,
                          num_workers=dataloader.num_workers, collate_fn=dataloader.collate_fn,
                          persistent_workers=False)


def metric_sample(row: dict) -> dict:
    """A samples.jsonl row in the dict form ``RAVARMetric.process`` reads (labels as an 80-vector), so the
    metric scores exactly what samples.jsonl records."""
    labels = np.zeros(NUM_CLASSES)
    labels[np.asarray(row["labels"], dtype=int) - 1] = 1
    return {"key": row["key"], "pred_scores": row["scores"], "gt_labels": labels, "pred_box": row["pred_box"],
            "gt_box": row["gt_box"]}


@LOOPS.register_module()
class ResumableTestLoop(TestLoop):
    """MMEngine's test loop, resumable: each finished batch is appended to this rank's predictions file in
    ``folder`` and a rerun predicts only the samples not there; the evaluator (``RAVARMetric``) is then fed
    the recorded rows of all samples in dataset order, strided over ranks as MMEngine's sampler does.

    After ``run`` the loop holds ``rows`` (samples.jsonl, dataset order), ``device`` (where the model ran: what
    provenance records) and, on the main process, ``report`` (the metric's full report, ``RAVARReport.to_dict``).
    """

    def __init__(self, runner, dataloader, evaluator, folder: str, description: str = "test",
                 precision: str = "fp32", fp16: bool = False) -> None:
        super().__init__(runner, dataloader, evaluator, fp16=fp16)
        self.folder, self.description, self.precision = Path(folder), description, precision
        self.rows: list[dict] = []
        self.report: dict | None = None
        self.device = compute_device()

    def run(self) -> dict:
        """Predict the samples not yet recorded, then evaluate all recorded rows."""
        self.runner.call_hook("before_test")
        self.runner.call_hook("before_test_epoch")
        dataset = self.dataloader.dataset
        keys = [dataset.get_data_info(i)["key"] for i in range(len(dataset))]
        self._predict_missing(keys)
        barrier()
        rows = read_partial(self.folder)
        missing = [key for key in keys if key not in rows]
        if missing:
            raise RuntimeError(f"predictions missing for {len(missing)} sample(s), e.g. {missing[:3]}")
        self.rows = [rows[key] for key in keys]
        metrics = self._evaluate()
        self.runner.call_hook("after_test_epoch", metrics=metrics)
        self.runner.call_hook("after_test")
        return metrics

    def _predict_missing(self, keys: list[str]) -> None:
        """Predict, check and append (per batch) the samples of ``keys`` without a recorded row."""
        self.folder.mkdir(parents=True, exist_ok=True)
        done = read_partial(self.folder)
        todo = [i for i, key in enumerate(keys) if key not in done]
        if len(todo) < len(keys) and is_main_process():
            print(f"resuming an interrupted test: {len(keys) - len(todo)} of {len(keys)} samples reused "
                  f"from {self.folder}")
        model = self.runner.model.to(self.device).eval()  # the data preprocessor moves each batch to the device
        partial = self.folder / f"predictions.rank{get_dist_info()[0]}.jsonl"
        drop_torn_line(partial)
        progress = TestProgress(self.description)
        progress.start(total=len(keys), completed=len(done))
        try:
            with torch.no_grad(), autocast(self.precision, self.device):
                for idx, batch in enumerate(_batches(self.dataloader, todo)):
                    self.runner.call_hook("before_test_iter", batch_idx=idx, data_batch=batch)
                    samples = model.test_step(batch)
                    check_predictions(samples)
                    _append(partial, [sample_row(sample) for sample in samples])
                    progress.advance(len(samples))
                    self.runner.call_hook("after_test_iter", batch_idx=idx, data_batch=batch, outputs=samples)
        finally:
            progress.stop()

    def _evaluate(self) -> dict:
        """Feed this rank's share of the rows to the evaluator; keep the full report on the main process."""
        rank, world = get_dist_info()
        self.evaluator.process(data_samples=[metric_sample(row) for row in self.rows[rank::world]])
        metrics = self.evaluator.evaluate(len(self.rows))
        reports = [metric.last_report for metric in self.evaluator.metrics if getattr(metric, "last_report", None)]
        if is_main_process():
            if len(reports) != 1:
                raise UserError(f"test_evaluator: expected one RAVARMetric, got {len(reports)} report(s)")
            self.report = reports[0].to_dict()
        return metrics


class TestRunner(Runner):
    """MMEngine's Runner for one test, with the model built directly on the compute device (MMEngine builds it
    on the CPU and then moves it: the full model in host memory on every rank of a distributed test), and
    without the two start-up reports it writes to its throw-away work folder: the environment
    (``collect_env`` runs compilers in subprocesses) and the config dump (formatted with yapf). Together
    about a second per test; results.json records both instead (config, provenance)."""

    def build_model(self, model: torch.nn.Module | dict) -> torch.nn.Module:
        """Build the model with its parameters and buffers allocated on ``compute_device()``."""
        with compute_device():
            return super().build_model(model)

    def wrap_model(self, model_wrapper_cfg: dict | None, model: torch.nn.Module) -> torch.nn.Module:
        """No wrapper (the test runner has no launcher; the loop strides samples over ranks itself), and the
        model stays on ``compute_device()``: MMEngine's ``.to("cuda")`` would mean the current GPU, not this
        rank's."""
        return revert_sync_batchnorm(model.to(compute_device()))

    def _log_env(self, env_cfg: dict) -> None:
        """Skip the environment report (see the class)."""

    def dump_config(self) -> None:
        """Skip the config dump (see the class)."""


def test_runner_cfg(cfg: Config, folder: Path, work_dir: Path, description: str) -> Config:
    """``cfg`` as the config of a Runner that only tests: the resumable loop writing to ``folder``, logs in
    the throw-away ``work_dir``, no launcher (the harness has set up any process group already)."""
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = str(work_dir)
    # MMEngine keeps one visualizer per experiment name, by default the start second: a test started in the
    # same second as an earlier Runner would get that one, whose folder may be gone. The folder's name is unique.
    cfg.experiment_name = work_dir.name
    cfg.launcher = "none"
    cfg.load_from, cfg.resume = None, False
    cfg.test_cfg = dict(type="ResumableTestLoop", folder=str(folder), description=description,
                        precision=cfg.get("precision", "fp32"))
    return cfg


@dataclass(frozen=True)
class Tested:
    """What one test produced: the rows in dataset order (on every rank), the metrics report (main process; else
    None), the dataset's metainfo and the device the model ran on."""

    rows: list[dict]
    report: dict | None
    metainfo: dict
    device: torch.device


def predict(cfg: Config, weights: Path, folder: Path, description: str = "test") -> Tested:
    """Test ``cfg`` with ``weights`` through MMEngine's Runner and the resumable loop, resuming from
    ``folder``'s partial files."""
    from ravar_bench.engine.checkpoints import load_weights

    with tempfile.TemporaryDirectory(prefix="ravar-test-") as work_dir:
        runner = TestRunner.from_cfg(test_runner_cfg(cfg, folder, Path(work_dir), description))
        load_weights(runner.model, weights)
        apply_feature_cache(runner.model, cfg)  # after loading: the cache keys on the loaded weights
        runner.test()
        loop = runner.test_loop
        return Tested(loop.rows, loop.report, dict(loop.dataloader.dataset.metainfo), loop.device)
