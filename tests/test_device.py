"""Device and precision selection (ravar_bench/engine/device.py), proven on CPU by simulating a GPU's presence."""

from __future__ import annotations

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import OPTIM_WRAPPERS

from ravar_bench.engine import device as dev
from ravar_bench.engine.provenance import device_info
from ravar_bench.engine.submission import load_submission
from ravar_bench.errors import UserError

CUDA, CPU = torch.device("cuda", 0), torch.device("cpu")


@pytest.fixture
def paper_cfg() -> Config:
    return load_submission("submissions/paper/x3d.py").cfg


def test_device_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert dev.compute_device() == CPU
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv("LOCAL_RANK", "3")
    assert dev.compute_device() == torch.device("cuda", 3)


def test_auto_precision_is_bf16_on_gpu_for_paper_configs_only(paper_cfg: Config, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert paper_cfg.precision == "auto"
    assert dev.resolve_precision(paper_cfg, CUDA) == "bf16"
    assert dev.resolve_precision(paper_cfg, CPU) == "fp32"
    cpu_scale = load_submission("submissions/x3d.py").cfg
    assert dev.resolve_precision(cpu_scale, CUDA) == "fp32"
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert dev.resolve_precision(paper_cfg, CUDA) == "fp16"


def test_amp_precision_selects_mmengines_amp_optim_wrapper(paper_cfg: Config) -> None:
    paper_cfg.precision = "bf16"
    amp = dev.with_precision(paper_cfg, CUDA)
    assert amp.precision == "bf16" and amp.optim_wrapper.type == "AmpOptimWrapper"
    assert amp.optim_wrapper.dtype == "bfloat16" and amp.optim_wrapper.optimizer.lr == 1e-4
    from mmengine.optim import AmpOptimWrapper  # registers MMEngine's wrappers, as the Runner's import does

    assert OPTIM_WRAPPERS.get("AmpOptimWrapper") is AmpOptimWrapper
    paper_cfg.precision = "fp16"
    assert dev.with_precision(paper_cfg, CUDA).optim_wrapper.loss_scale == "dynamic"
    fp32 = dev.with_precision(load_submission("submissions/paper/x3d.py").cfg, CPU)
    assert fp32.precision == "fp32" and fp32.optim_wrapper.type == "OptimWrapper"
    cpu_scale = load_submission("submissions/x3d.py").cfg
    assert dev.with_precision(cpu_scale, CPU).to_dict() == cpu_scale.to_dict()  # run ids unchanged


def test_amp_on_cpu_and_unknown_precisions_are_user_errors(paper_cfg: Config) -> None:
    paper_cfg.precision = "bf16"
    with pytest.raises(UserError, match="needs a GPU"):
        dev.with_precision(paper_cfg, CPU)
    paper_cfg.precision = "int8"
    with pytest.raises(UserError, match="precision: expected one of"):
        dev.resolve_precision(paper_cfg, CUDA)


def test_test_time_autocast_uses_the_precision_dtype() -> None:
    a = torch.randn(4, 4)
    with dev.autocast("bf16", CPU):
        assert (a @ a).dtype == torch.bfloat16
    with dev.autocast("fp32", CPU):
        assert (a @ a).dtype == torch.float32


def test_backend_and_ddp_wrapper_follow_the_device() -> None:
    assert dev.dist_backend(CUDA) == "nccl" and dev.dist_backend(CPU) == "gloo"
    gpu, cpu = dev.ddp_wrapper_cfg(CUDA), dev.ddp_wrapper_cfg(CPU)
    assert gpu["find_unused_parameters"] and cpu["find_unused_parameters"]
    assert "device_ids" not in gpu and cpu["device_ids"] is None


def test_provenance_records_the_device_used_not_the_one_visible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    info = device_info(CPU)
    assert info["device"] == "cpu" and "gpu" not in info


def test_the_test_runner_builds_the_model_on_the_compute_device(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path) -> None:
    """The test path allocates the model where it will run (here the meta device standing in for this rank's
    GPU), not on the CPU first: a distributed GPU test must not hold the full model in host memory per rank."""
    from ravar_bench.engine import prediction

    meta = torch.device("meta")
    monkeypatch.setattr(prediction, "compute_device", lambda: meta)
    cfg = load_submission("submissions/refatomnet.py").cfg
    runner = prediction.TestRunner.from_cfg(prediction.test_runner_cfg(cfg, tmp_path / "rows", tmp_path / "wd",
                                                                       "test"))
    tensors = [*runner.model.parameters(), *runner.model.buffers()]
    assert tensors and {tensor.device for tensor in tensors} == {meta}
