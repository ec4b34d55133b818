"""RAVARMetric through MMEngine's Evaluator, and ``ravar-bench score`` on a samples.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator

from ravar_bench.cli.main import main
from ravar_bench.errors import UserError
from ravar_bench.metrics import compute_ravar_metrics
from ravar_bench.metrics.ravar_metric import RAVARMetric
from ravar_bench.metrics.samples_file import read_samples
from ravar_bench.registry import METRICS
from ravar_bench.structures import RAVARDataSample
from ravar_bench.testing.predictions import synthetic_predictions

N_BOOT = 30


def _data_samples(data: dict, keys: list[str]) -> list[RAVARDataSample]:
    """Predicted data samples as the model's predict mode returns them."""
    samples = []
    for i, key in enumerate(keys):
        sample = RAVARDataSample(metainfo={"key": key})
        sample.pred_scores = torch.tensor(data["scores"][i], dtype=torch.float64)
        sample.pred_box = torch.tensor(data["pred_boxes"][i], dtype=torch.float64)
        sample.gt_labels = torch.tensor(data["labels"][i], dtype=torch.float32)
        sample.gt_box = torch.tensor(data["gt_boxes"][i], dtype=torch.float64)
        samples.append(sample)
    return samples


@pytest.fixture(scope="module")
def case() -> tuple[dict, list[str], dict]:
    data = synthetic_predictions(90, seed=8, decimals=2)
    keys = [f"movie___{900 + i}___{i % 3}" for i in range(90)]
    expected = compute_ravar_metrics(**data, convention="weighted", n_bootstrap=N_BOOT, seed=3, keys=keys)
    return data, keys, expected


def test_registered_and_online(case) -> None:
    data, keys, expected = case
    metric = METRICS.build({"type": "RAVARMetric", "convention": "weighted", "n_bootstrap": N_BOOT, "seed": 3})
    assert isinstance(metric, RAVARMetric)
    evaluator = Evaluator(metric)
    samples = _data_samples(data, keys)
    for start in range(0, len(samples), 16):  # one call per batch, as the test loop does
        evaluator.process(samples[start:start + 16])
    results = evaluator.evaluate(len(samples))
    assert results == {f"ravar/{k}": v for k, v in expected.flat().items()}
    assert metric.last_report.to_dict() == expected.to_dict()


def test_offline_evaluate_with_dicts(case) -> None:
    data, keys, expected = case
    metric = RAVARMetric(convention="weighted", n_bootstrap=N_BOOT, seed=3, prefix="test")
    dicts = [s.to_dict() for s in _data_samples(data, keys)]
    results = Evaluator(metric).offline_evaluate(dicts, chunk_size=7)
    assert results == {f"test/{k}": v for k, v in expected.flat().items()}


def test_metric_errors_name_the_sample(case) -> None:
    data, keys, _ = case
    samples = _data_samples(data, keys[:4])
    samples[2].pred_scores = torch.full((80,), float("nan"))
    metric = RAVARMetric(n_bootstrap=0)
    with pytest.raises(ValueError, match=rf"data sample '{keys[2]}': pred_scores is not finite"):
        metric.process(None, [s.to_dict() for s in samples])
    samples[2].pred_scores = torch.full((80,), 1.5)
    with pytest.raises(ValueError, match=rf"data sample '{keys[2]}': pred_scores must be probabilities in \[0, 1\]"):
        metric.process(None, [s.to_dict() for s in samples])
    samples[2].pred_scores = torch.full((80,), 0.5)
    samples[1].pred_box = torch.zeros(3)
    with pytest.raises(ValueError, match=rf"data sample '{keys[1]}': pred_box has shape \(3,\), expected \(4,\)"):
        metric.process(None, [s.to_dict() for s in samples])


def _write_jsonl(path: Path, data: dict, keys: list[str]) -> None:
    with path.open("w") as handle:
        for i, key in enumerate(keys):
            line = {"key": key, "scores": data["scores"][i].tolist(),
                    "labels": [int(c) + 1 for c in np.flatnonzero(data["labels"][i])],
                    "pred_box": data["pred_boxes"][i].tolist(), "gt_box": data["gt_boxes"][i].tolist(),
                    "text": "the man in the red coat"}  # extra keys are allowed
            handle.write(json.dumps(line) + "\n")


def test_score_round_trip(tmp_path: Path, case, capsys) -> None:
    data, keys, _ = case
    samples, out = tmp_path / "samples.jsonl", tmp_path / "out" / "metrics.json"
    _write_jsonl(samples, data, keys)
    assert main(["score", str(samples), "--convention", "weighted", "--seed", "3", "--json", str(out)]) == 0
    written = json.loads(out.read_text())
    expected = compute_ravar_metrics(**data, convention="weighted", seed=3, keys=keys)
    assert written == {"samples": str(samples), **json.loads(json.dumps(expected.to_dict()))}
    printed = capsys.readouterr().out
    assert "mAP@0.5" in printed and f"{100 * expected.metrics['mAP'].value:.2f}" in printed


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r.pop("gt_box"), r":3: field 'gt_box' is missing"),
        (lambda r: r.update(scores=r["scores"][:79]), r":3: field 'scores' must be a list of 80 finite numbers"),
        (lambda r: r.update(labels=[81]), r":3: field 'labels' has ids outside 1..80"),
        (lambda r: r.update(key="k0"), r":3: field 'key' 'k0' repeats line 1"),
        (lambda r: r.update(pred_box=[0, 0, "1", 1]), r":3: field 'pred_box' must be a list of 4 finite numbers"),
    ],
)
def test_score_bad_lines(tmp_path: Path, edit, message: str) -> None:
    data = synthetic_predictions(4, seed=9)
    path = tmp_path / "samples.jsonl"
    _write_jsonl(path, data, [f"k{i}" for i in range(4)])
    lines = path.read_text().splitlines()
    record = json.loads(lines[2])
    edit(record)
    lines[2] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError, match=str(path).replace(".", r"\.") + message):
        read_samples(path)


def test_score_rejects_invalid_json_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "samples.jsonl"
    path.write_text('{"key": "a"\n')
    with pytest.raises(UserError, match=r"samples\.jsonl:1: not valid JSON"):
        read_samples(path)
    with pytest.raises(UserError, match="no such file"):
        read_samples(tmp_path / "absent.jsonl")
