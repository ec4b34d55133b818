"""Test-time prediction that survives interruption: each finished batch is appended to a per-rank
predictions file, and a rerun skips the samples already predicted."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.dist import barrier, get_dist_info, is_main_process
from torch.utils.data import DataLoader

from ravar_bench.data.format import NUM_CLASSES
from ravar_bench.engine.device import autocast, compute_device
from ravar_bench.engine.feature_cache import apply_feature_cache
from ravar_bench.engine.results import PARTIAL_PATTERN
from ravar_bench.metrics.report import compute_ravar_metrics
from ravar_bench.registry import DATASETS, MODELS, build
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


def _batches(dataset, indices: list[int], loader_cfg: Config) -> Iterator[dict]:
    """This rank's share of ``indices`` (strided), batched like the submission's test loader."""
    rank, world = get_dist_info()
    subset = torch.utils.data.Subset(dataset, indices[rank::world])
    workers = loader_cfg.get("num_workers", 0)
    yield from DataLoader(subset, batch_size=loader_cfg.get("batch_size", 1), shuffle=False, num_workers=workers,
                          collate_fn=pseudo_collate, persistent_workers=False)


def predict(cfg: Config, weights: Path, folder: Path, progress=None) -> tuple[list[dict], dict]:
    """Predict the test split of ``cfg`` with ``weights``, resuming from ``folder``'s partial files.

    Returns the rows in dataset order (on every rank) and the dataset's metainfo.
    """
    from ravar_bench.engine.checkpoints import load_weights

    folder.mkdir(parents=True, exist_ok=True)
    dataset = build(DATASETS, cfg.test_dataloader.dataset)
    keys = [dataset.get_data_info(i)["key"] for i in range(len(dataset))]
    done = read_partial(folder)
    todo = [i for i, key in enumerate(keys) if key not in done]
    if len(todo) < len(keys) and is_main_process():
        print(f"resuming an interrupted test: {len(keys) - len(todo)} of {len(keys)} samples reused from {folder}")
    model = build(MODELS, cfg.model)
    load_weights(model, weights)
    apply_feature_cache(model, cfg)  # after loading: the cache keys on the loaded weights
    device = compute_device()
    model.to(device).eval()  # the data preprocessor moves each batch to the model's device
    rank, _ = get_dist_info()
    partial = folder / f"predictions.rank{rank}.jsonl"
    drop_torn_line(partial)
    if progress is not None:
        progress.start(total=len(keys), completed=len(done))
    with torch.no_grad(), autocast(cfg.get("precision", "fp32"), device):
        for batch in _batches(dataset, todo, cfg.test_dataloader):
            samples = model.test_step(batch)
            check_predictions(samples)
            _append(partial, [sample_row(sample) for sample in samples])
            if progress is not None:
                progress.advance(len(samples))
    barrier()
    rows = read_partial(folder)
    missing = [key for key in keys if key not in rows]
    if missing:
        raise RuntimeError(f"predictions missing for {len(missing)} sample(s), e.g. {missing[:3]}")
    return [rows[key] for key in keys], dict(dataset.metainfo)


def score_rows(rows: list[dict], evaluator: dict) -> dict:
    """The metrics report of samples.jsonl rows, with the evaluator's convention, resamples and seed."""
    labels = np.zeros((len(rows), NUM_CLASSES))
    for i, row in enumerate(rows):
        labels[i, np.asarray(row["labels"], dtype=int) - 1] = 1
    report = compute_ravar_metrics(
        np.asarray([row["scores"] for row in rows]), labels, np.asarray([row["pred_box"] for row in rows]),
        np.asarray([row["gt_box"] for row in rows]), convention=evaluator.get("convention", "macro"),
        seed=evaluator.get("seed", 0), keys=[row["key"] for row in rows],
        **({"n_bootstrap": evaluator["n_bootstrap"]} if "n_bootstrap" in evaluator else {}),
    )
    return report.to_dict()
