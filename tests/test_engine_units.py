"""Units of the run path that need no model: config preparation, training identity, results writing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mmengine.config import Config

from ravar_bench.engine.hashing import stable_hash
from ravar_bench.engine.prediction import drop_torn_line, read_partial
from ravar_bench.engine.results import SCHEMA, SCHEMA_VERSION, condition_name, read_results, staging_dir, write_run
from ravar_bench.engine.submission import (
    load_submission,
    training_identity,
    with_data_root,
    with_seed,
    with_test_conditions,
)

SUBMISSION = "submissions/refatomnet.py"
MANIFESTS = {"train": "a" * 64, "val": "b" * 64}


def test_perturbation_goes_right_after_decoding() -> None:
    cfg = load_submission(SUBMISSION).cfg
    fog = dict(type="Perturb", name="fog", severity=2, seed=0, version=1)
    tested = with_test_conditions(cfg, "test-rephrased", fog, "shuffled", seed=5)
    steps = [step["type"] for step in tested.test_dataloader.dataset.pipeline]
    assert steps[steps.index("DecodeFrames") + 1] == "Perturb"
    assert tested.test_dataloader.dataset.split == "test-rephrased"
    assert tested.test_dataloader.dataset.text_control == "shuffled"
    assert "Perturb" not in [s["type"] for s in cfg.test_dataloader.dataset.pipeline], "the input is left alone"
    assert "Perturb" not in [s["type"] for s in tested.train_dataloader.dataset.pipeline]


def test_training_identity_ignores_data_location_and_test_conditions() -> None:
    cfg = with_seed(load_submission(SUBMISSION).cfg, 0)
    here = stable_hash(training_identity(with_data_root(cfg, Path("/data/a")), MANIFESTS))
    there = stable_hash(training_identity(with_data_root(cfg, Path("/data/b")), MANIFESTS))
    tested = with_test_conditions(cfg, "val", None, "empty", seed=0)
    assert here == there == stable_hash(training_identity(with_data_root(tested, Path("/x")), MANIFESTS))
    other_data = stable_hash(training_identity(cfg, {**MANIFESTS, "train": "c" * 64}))
    other_seed = stable_hash(training_identity(with_seed(cfg, 1), MANIFESTS))
    other_model = load_submission("submissions/ablations/wo_caaf.py").cfg
    other_hook = with_seed(load_submission(SUBMISSION, ["default_hooks.checkpoint.save_best=ravar/AUROC"]).cfg, 0)
    assert len({here, other_data, other_seed, stable_hash(training_identity(other_model, MANIFESTS)),
                stable_hash(training_identity(cfg, MANIFESTS, world_size=2)),
                stable_hash(training_identity(other_hook, MANIFESTS))}) == 6


def test_cfg_options_reach_the_config() -> None:
    cfg = load_submission(SUBMISSION, ["train_cfg.max_epochs=2"]).cfg
    assert cfg.train_cfg.max_epochs == 2 and isinstance(cfg, Config)


def test_submission_names_follow_their_path() -> None:
    assert load_submission(SUBMISSION).name == "refatomnet"
    assert load_submission("submissions/fusion/mcomet.py").name == "fusion/mcomet"


@pytest.mark.parametrize(("perturbation", "control", "expected"), [
    (None, None, "clean"),
    ({"name": "rain", "severity": 5}, None, "rain-s5"),
    (None, "empty", "clean-text-empty"),
])
def test_condition_names(perturbation, control, expected) -> None:
    assert condition_name(perturbation, control) == expected


def test_write_run_is_all_or_nothing(tmp_path: Path) -> None:
    final = tmp_path / "sub" / "run1"
    stage = staging_dir(final)
    stage.mkdir(parents=True)
    (stage / "predictions.rank0.jsonl").write_text('{"key": "a"}\n')
    write_run(final, {"metrics": {}}, [{"key": "a"}], "x = 1\n")
    assert not stage.exists() and sorted(p.name for p in final.iterdir()) == ["results.json",
                                                                               "samples.jsonl"]
    assert read_results(final / "results.json")["schema_version"] == SCHEMA_VERSION
    assert read_results(final / "results.json")["config"] == "x = 1\n"


def test_read_results_rejects_other_schemas(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"schema": "something-else"}))
    with pytest.raises(ValueError, match="field 'schema'"):
        read_results(path)


def test_schema_1_results_are_upgraded_and_their_intervals_marked_as_the_old_method(tmp_path: Path) -> None:
    """Schema 1 (the committed sweep, no per-sample files): read as schema 2, nothing recomputed, the
    bootstrap settings say per-sample percentile with the class set recomputed per resample."""
    path = tmp_path / "results.json"
    metrics = {"metrics": {"mAP": {"value": 0.1067, "ci_low": 0.1052, "ci_high": 0.1244}},
               "bootstrap": {"n_resamples": 1000, "seed": 0, "confidence": 0.95, "method": "percentile",
                             "unit": "sample"}}
    path.write_text(json.dumps({"schema": SCHEMA, "schema_version": 1, "metrics": metrics}))
    data = read_results(path)
    assert data["schema_version"] == SCHEMA_VERSION == 2
    assert data["metrics"]["metrics"] == metrics["metrics"]
    assert data["metrics"]["bootstrap"] == {"n_resamples": 1000, "seed": 0, "confidence": 0.95,
                                            "method": "percentile", "unit": "sample",
                                            "class_set": "per-resample", "migrated_from_schema": 1}
    assert "replicates" not in data["metrics"]["bootstrap"]
    path.write_text(json.dumps({"schema": SCHEMA, "schema_version": 3}))
    with pytest.raises(ValueError, match="schema_version 3 is not 1 or 2"):
        read_results(path)


def test_torn_partial_line_is_dropped(tmp_path: Path) -> None:
    partial = tmp_path / "predictions.rank0.jsonl"
    partial.write_text('{"key": "a", "x": 1}\n{"key": "b", "x"')
    assert list(read_partial(tmp_path)) == ["a"]
    drop_torn_line(partial)
    assert partial.read_text() == '{"key": "a", "x": 1}\n'
