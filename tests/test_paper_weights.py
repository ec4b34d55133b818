"""Paper configs on randomly initialised weights in the real release formats (ravar_bench/testing/weights.py):
each builds from the files with every probed tensor equal to the saved one, trains a step and tests on the
tiny RefAVA, writing a result on the paper scale."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from ravar_bench.cli.main import main
from ravar_bench.engine.results import read_results
from ravar_bench.engine.submission import load_submission
from ravar_bench.registry import MODELS
from ravar_bench.testing.refava import write_tiny_refava
from ravar_bench.testing.weights import saved_tensor, write_paper_weights

# Fewer frames keep one CPU epoch short; the frame size stays the paper's.
FAST = ["train_cfg.max_epochs=1", "num_frames=2", "train_dataloader.num_workers=0",
        "val_dataloader.num_workers=0", "test_dataloader.num_workers=0",
        "train_dataloader.persistent_workers=False", "val_dataloader.persistent_workers=False",
        "test_dataloader.persistent_workers=False"]


@pytest.fixture(scope="module")
def tiny_refava(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_refava(tmp_path_factory.mktemp("tiny_refava"))


# One clip per batch in every loader: a full-depth encoder's activations then fit a 24 GB machine.
ONE_CLIP_PER_BATCH = [f"{loader}.batch_size=1" for loader in ("train_dataloader", "val_dataloader",
                                                              "test_dataloader")]
# X3D's depthwise 3D convolutions are slow on CPU: 112 px frames; DETR's key frame at 256 x 448. Frame counts
# the encoders fix: I3D's temporal strides need 8 or more, X-CLIP's frame positions 8, VideoMAE's 16, MViT's 32.
# MViTv2-B is full depth at 32 x 224 x 224: a batch of the paper's size ran out of memory on 24 GB.
SMALLER = {"x3d": ["clip_size=(112,112,)"], "clip_detr": ["keyframe_size=(256,448,)"], "i3d": ["num_frames=8"],
           "su_vos": ["num_frames=8"], "xclip": ["num_frames=8"], "videomae2_b": ["num_frames=16"],
           "mvitv2_b": ["num_frames=32", *ONE_CLIP_PER_BATCH]}


def check_paper_config(name: str, tiny: Path, tmp: Path) -> None:
    """Probes load exactly; ``ravar-bench run`` trains one epoch and writes a paper-scale result."""
    fixture = write_paper_weights(name, tmp / "weights")
    submission = load_submission(f"submissions/paper/{name}.py", fixture.cfg_options_args())
    model = MODELS.build(submission.cfg.model)
    parameters = dict(model.named_parameters())
    for probe in fixture.probes:
        loaded = parameters[probe.parameter].detach()
        assert torch.equal(loaded, saved_tensor(probe).to(loaded.dtype)), probe  # AskAnything's LLM is bf16
    del model, parameters
    status = main(["run", f"submissions/paper/{name}.py", "--data-root", str(tiny), "--work-dir", str(tmp / "wd"),
                   "--results-dir", str(tmp / "results"), "--cfg-options", *fixture.cfg_options_args(), *FAST,
                   *SMALLER.get(name, [])])
    assert status == 0
    (path,) = (tmp / "results").rglob("results.json")
    results = read_results(path)
    assert path.relative_to(tmp / "results").parts[:3] == ("paper", name, "refava")
    assert results["dataset"]["num_samples"] == 5
    assert results["metrics"]["metrics"]["mAP"]["value"] is not None


def test_mvitv2_b_is_tested_one_clip_per_batch() -> None:
    """The full-depth MViTv2-B case loads every loader with batch size 1 (it ran out of memory at the paper's)."""
    submission = load_submission("submissions/paper/mvitv2_b.py", [*FAST, *SMALLER["mvitv2_b"]])
    assert submission.cfg.paper_batch_size > 1
    for loader in ("train_dataloader", "val_dataloader", "test_dataloader"):
        assert submission.cfg[loader].batch_size == 1, loader


@pytest.mark.parametrize("name", ["refatomnet", "x3d", "clip4clip"])
def test_paper_config_on_release_format_weights(name: str, tiny_refava: Path, tmp_path: Path) -> None:
    check_paper_config(name, tiny_refava, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mevtr", "i3d", "su_vos", "videomae2_b", "blip2", "askanything", "xclip",
                                  "singularity", "clip_sam", "clip_detr", "clip_refclip", "hiera_b", "mvitv2_b"])
def test_more_paper_configs_on_release_format_weights(name: str, tiny_refava: Path, tmp_path: Path) -> None:
    check_paper_config(name, tiny_refava, tmp_path)


@pytest.mark.slow
def test_data_detect_with_an_mmdetection_detr_checkpoint(tmp_path: Path) -> None:
    """`ravar-bench data detect` runs a random-init DETR-R50 in MMDetection's format on the tiny RefAVA's frames
    and writes the documented detections file (100 queries, score threshold 0 keeps them all)."""
    import json

    from ravar_bench.data.format import detections_name
    from ravar_bench.testing.weights import mmdet_detr

    root = write_tiny_refava(tmp_path / "tiny", splits=("val",), detections=False)
    classes = ("person", *(f"class{i}" for i in range(1, 80)))
    config, checkpoint = mmdet_detr(tmp_path / "detr", classes)
    assert main(["data", "detect", str(root), "--detector", str(config), "--checkpoint", str(checkpoint),
                 "--split", "val", "--score-threshold", "0"]) == 0
    payload = json.loads((root / detections_name("val")).read_text())
    assert payload["format"] == "ravar-bench-detections" and payload["detector"]["type"] == "mmdet"
    assert len(payload["detections"]) == 5
    for entry in payload["detections"].values():
        assert len(entry["boxes"]) == len(entry["names"]) == len(entry["scores"]) == 100
        assert set(entry["names"]) <= set(classes)
        assert all(0 <= v <= 1 for box in entry["boxes"] for v in box)
    assert main(["data", "check", str(root), "--split", "val"]) == 0
