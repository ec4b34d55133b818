"""Every submission under submissions/ meets the model contract (docs/INTERFACES.md); configs that
name local weights (submissions/paper/) must instead refuse to build without them, naming the path."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from ravar_bench.engine.submission_check import check_submission, failures, write_contract_data
from ravar_bench.paths import list_configs

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = ROOT / "submissions"
FILES = list_configs("submissions", ROOT)
FULL_CHECKS = ["loads", "meta", "round-trip", "builds", "batch", "loss", "predict", "tensor"]


@pytest.fixture(scope="module")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_contract_data(tmp_path_factory.mktemp("contract"))


@pytest.mark.parametrize("submission", FILES)
def test_submission_meets_the_contract(submission: str, data_root: Path) -> None:
    results = check_submission(SUBMISSIONS.parent / submission, data_root)
    assert all(r.passed for r in results), failures(results)
    names = [r.name for r in results]
    if submission.startswith("submissions/paper/"):
        assert names == ["loads", "meta", "needs local weights"]
    else:
        assert names == FULL_CHECKS


@pytest.mark.parametrize("submission", FILES)
def test_cpu_submissions_use_the_protocol_head_and_paper_configs_the_papers(submission: str) -> None:
    """The CPU protocol's head has a linear path beside the class MLP; paper-scale heads are the MLPs alone."""
    from ravar_bench.engine.submission import load_submission

    cfg = load_submission(str(SUBMISSIONS.parent / submission)).cfg
    assert cfg.model.head.type == "RAVARHead"
    assert cfg.model.head.linear_skip is (cfg.scale == "cpu")


@pytest.mark.parametrize("submission", FILES)
def test_cpu_vision_transformers_have_the_protocol_stem_and_paper_configs_their_patch_projection(
        submission: str) -> None:
    """A CPU model keeps no patchify convolution (its ViTs get ``cpu_stem``); paper configs set no stem."""
    from ravar_bench.engine.submission import load_submission
    from ravar_bench.engine.submission_check import build_model
    from ravar_bench.models.conv_stem import is_patchify

    cfg = load_submission(str(SUBMISSIONS.parent / submission)).cfg
    if cfg.scale != "cpu":
        assert cfg.model.get("conv_stem") is None
        return
    assert cfg.model.get("conv_stem") in (None, cfg.cpu_stem)
    assert not [name for name, module in build_model(cfg).named_modules() if is_patchify(module)]


def test_contract_batch_has_a_sample_without_detections(data_root: Path) -> None:
    from ravar_bench.engine.submission import load_submission
    from ravar_bench.engine.submission_check import contract_batch

    batch = contract_batch(load_submission(str(SUBMISSIONS / "refatomnet.py")).cfg, data_root)
    assert [len(s.det_boxes) for s in batch["data_samples"]] == [2, 0]
    assert [tuple(x.shape) for x in batch["inputs"]["frames"]] == [(8, 3, 96, 128)] * 2  # native RefAVA-Synth frames
    assert [tuple(x.shape) for x in batch["inputs"]["keyframe"]] == [(3, 128, 128)] * 2
    assert {x.dtype for x in batch["inputs"]["frames"]} == {torch.uint8}
