"""Each patch in ravar_bench/_compat.py is needed (the failure it fixes happens without it) and
behaves like the code it replaces."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
import torchvision

import ravar_bench
from ravar_bench import _compat

COMPAT_FILE = Path(_compat.__file__)

# What goes wrong without each patch: (probe code, text of the error it raises).
PROBES = {
    "_install_mmcv_ext": ("import mmdet.models", "No module named 'mmcv._ext'"),
    "_install_drn_stub": ("import mmaction.models", "mmaction.models.localizers.drn"),
    "_disable_mmaction_multimodal": ("import mmaction.models", "apply_chunking_to_forward"),
    "_install_checkpoint_loader": (
        textwrap.dedent("""
            import tempfile, torch
            from mmengine.logging import MessageHub
            from mmengine.runner.checkpoint import CheckpointLoader
            hub = MessageHub.get_instance("probe")
            hub.update_scalar("train/loss", 1.0)
            path = tempfile.mktemp(suffix=".pth")
            torch.save({"message_hub": hub.state_dict()}, path)
            CheckpointLoader.load_checkpoint(path)
        """),
        "Weights only load failed",
    ),
    "_quiet_file_client_notices": (
        textwrap.dedent("""
            import logging
            from mmengine.fileio import FileClient
            from mmengine.logging import MMLogger

            class Keep(logging.Handler):
                messages = []

                def emit(self, record):
                    self.messages.append(record.getMessage())

            MMLogger.get_current_instance().addHandler(Keep())
            FileClient("disk")
            assert not Keep.messages, Keep.messages
        """),
        '"FileClient" will be deprecated',
    ),
}


def run_with_patches(skip: str, probe: str) -> subprocess.CompletedProcess:
    """Run ``probe`` in a fresh interpreter with every patch applied except ``skip``."""
    script = textwrap.dedent(f"""
        import importlib.util
        spec = importlib.util.spec_from_file_location("compat_under_test", {str(COMPAT_FILE)!r})
        compat = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(compat)
        for patch in compat.PATCHES:
            if patch.__name__ != {skip!r}:
                patch()
    """) + probe
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)


def test_every_patch_has_a_probe() -> None:
    assert {patch.__name__ for patch in _compat.PATCHES} == set(PROBES)


@pytest.mark.parametrize("patch", sorted(PROBES))
def test_patch_is_needed(patch: str) -> None:
    probe, error = PROBES[patch]
    # That the probes pass with every patch applied is shown in-process: tests/test_stack.py imports
    # mmdet.models and mmaction.models, and the resume test below loads MMEngine checkpoints.
    without = run_with_patches(skip=patch, probe=probe)
    assert without.returncode != 0 and error in without.stderr, without.stderr[-2000:]


def random_boxes(n: int, generator: torch.Generator) -> torch.Tensor:
    corners = torch.rand(n, 2, generator=generator) * 50
    return torch.cat([corners, corners + 5 + torch.rand(n, 2, generator=generator) * 30], dim=1)


def test_nms_matches_torchvision() -> None:
    from mmcv.ops import batched_nms, nms

    generator = torch.Generator().manual_seed(0)
    boxes, scores = random_boxes(200, generator), torch.rand(200, generator=generator)
    _, kept = nms(boxes, scores, iou_threshold=0.5)
    assert torch.equal(kept, torchvision.ops.nms(boxes, scores, 0.5))
    # offset=1: the legacy convention where a box's width is x2 - x1 + 1.
    _, kept_legacy = nms(boxes, scores, iou_threshold=0.5, offset=1)
    widened = torch.cat([boxes[:, :2], boxes[:, 2:] + 1], dim=1)
    assert torch.equal(kept_legacy, torchvision.ops.nms(widened, scores, 0.5))
    labels = torch.randint(0, 3, (200,), generator=generator)
    _, kept_batched = batched_nms(boxes, scores, labels, dict(type="nms", iou_threshold=0.5))
    assert torch.equal(kept_batched, torchvision.ops.batched_nms(boxes, scores, labels, 0.5))


def test_roi_align_forward_and_backward_match_torchvision() -> None:
    from mmcv.ops import roi_align

    generator = torch.Generator().manual_seed(0)
    features = torch.randn(2, 3, 16, 16, generator=generator, dtype=torch.float64)
    rois = torch.cat([torch.tensor([[0.0], [1.0], [1.0]]), random_boxes(3, generator) / 4], dim=1).double()
    ours = features.clone().requires_grad_(True)
    reference = features.clone().requires_grad_(True)
    out = roi_align(ours, rois, (4, 4), 0.5, 2, "avg", True)
    expected = torchvision.ops.roi_align(reference, rois, (4, 4), 0.5, 2, True)
    torch.testing.assert_close(out, expected)
    weights = torch.randn(out.shape, generator=generator, dtype=torch.float64)
    (out * weights).sum().backward()
    (expected * weights).sum().backward()
    torch.testing.assert_close(ours.grad, reference.grad)


def test_other_compiled_ops_fail_clearly() -> None:
    from mmcv.ops import sigmoid_focal_loss

    with pytest.raises(RuntimeError, match=r"sigmoid_focal_loss_forward.*compiled mmcv"):
        sigmoid_focal_loss(torch.randn(4, 3), torch.tensor([0, 1, 2, 0]), 2.0, 0.25)
    ext = sys.modules["mmcv._ext"]
    assert not hasattr(ext, "__wrapped__")  # dunder lookups stay ordinary


def test_missing_drn_fails_when_built() -> None:
    from mmaction.models.localizers import DRN

    with pytest.raises(RuntimeError, match="DRN"):
        DRN()


def test_mmengine_runner_resumes_under_weights_only(tmp_path: Path) -> None:
    from mmengine.model import BaseModel
    from mmengine.runner import Runner

    class Tiny(BaseModel):
        def __init__(self) -> None:
            super().__init__()
            self.linear = torch.nn.Linear(2, 1)

        def forward(self, inputs, data_samples=None, mode="tensor"):
            output = self.linear(torch.stack(inputs))
            return {"loss": output.pow(2).mean()} if mode == "loss" else output

    generator = torch.Generator().manual_seed(0)
    data = [dict(inputs=torch.randn(2, generator=generator)) for _ in range(8)]

    def train(max_epochs: int, resume: bool) -> Runner:
        runner = Runner(
            model=Tiny(), work_dir=str(tmp_path), experiment_name=f"resume{resume}",
            train_dataloader=dict(dataset=data, batch_size=4, collate_fn=dict(type="pseudo_collate"),
                                  sampler=dict(type="DefaultSampler", shuffle=False)),
            optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.1)),
            train_cfg=dict(by_epoch=True, max_epochs=max_epochs), resume=resume,
            default_hooks=dict(checkpoint=dict(type="CheckpointHook", interval=1)),
        )
        runner.train()
        return runner

    train(max_epochs=1, resume=False)
    resumed = train(max_epochs=2, resume=True)
    assert resumed.epoch == 2 and (tmp_path / "epoch_2.pth").exists()
    assert ravar_bench.__version__


def test_host_linspace_is_needed_to_build_a_vit_on_the_meta_device() -> None:
    """Patch 5: MMAction2's ViT reads its drop-path schedule with ``.item()``, which meta tensors refuse.
    Each case runs in a fresh interpreter: once a ViT has been built, later meta builds no longer fail."""
    build = textwrap.dedent("""
        import contextlib, torch
        from ravar_bench import _compat
        from ravar_bench.registry import MODELS, build
        cfg = dict(type="mmaction.VisionTransformer", img_size=32, patch_size=16, embed_dims=48, depth=2,
                   num_heads=2, num_frames=4, drop_path_rate=0.1)
        with {context}, torch.device("meta"):
            model = build(MODELS, cfg)
        assert all(p.is_meta for p in model.parameters()) and torch.linspace(0, 1, 3).device.type == "cpu"
        print("built", sum(p.numel() for p in model.parameters()))
    """)
    run = [sys.executable, "-c"]
    without = subprocess.run([*run, build.format(context="contextlib.nullcontext()")], capture_output=True,
                             text=True, timeout=300)
    assert without.returncode != 0 and "cannot be called on meta tensors" in without.stderr, without.stderr[-2000:]
    with_patch = subprocess.run([*run, build.format(context="_compat.host_linspace()")], capture_output=True,
                                text=True, timeout=300)
    assert with_patch.returncode == 0 and with_patch.stdout.startswith("built "), with_patch.stderr[-2000:]
