"""The paper path's loading bugs (issue #15), each pinned by a test that fails without its fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from ravar_bench.cli.main import main
from ravar_bench.engine.submission import load_submission
from ravar_bench.paths import list_configs
from ravar_bench.registry import MODELS
from ravar_bench.testing import weights as fixtures

PAPER = list_configs("submissions/paper")


@pytest.mark.parametrize("path", PAPER)
def test_paper_config_is_a_full_submission(path: str) -> None:
    cfg = load_submission(path).cfg
    assert cfg.scale == "paper" and cfg.meta.display_name
    assert cfg.train_cfg.max_epochs == 40 and cfg.optim_wrapper.optimizer.lr == 1e-4
    for loader in ("train_dataloader", "val_dataloader", "test_dataloader"):
        assert cfg[loader].batch_size == 8
        steps = {step["type"]: step for step in cfg[loader].dataset.pipeline}
        assert steps["SampleClip"]["num_frames"] == cfg.num_frames
        assert steps["ResizeClip"]["size"] == tuple(cfg.clip_size) and min(cfg.clip_size) >= 224
        assert steps["ResizeClip"]["keyframe_size"] == tuple(cfg.keyframe_size)
    assert "test_evaluator" in cfg and "val_cfg" in cfg


def test_top_level_input_size_reaches_every_pipeline() -> None:
    cfg = load_submission("submissions/paper/x3d.py", ["num_frames=4", "clip_size=(96,128)"]).cfg
    for loader in ("train_dataloader", "val_dataloader", "test_dataloader"):
        steps = {step["type"]: step for step in cfg[loader].dataset.pipeline}
        assert steps["SampleClip"]["num_frames"] == 4 and steps["ResizeClip"]["size"] == (96, 128)


def test_videomae2_paper_encoder_takes_its_pipelines_clips() -> None:
    """The paper ViT-B/16 (16 frames, tubelet 2, 224 px) fits the clips its own loaders produce (was 8 x 64 px)."""
    cfg = load_submission("submissions/paper/videomae2_b.py", ["model.visual.backbone.depth=1",
                                                               "model.visual.pretrained=None"]).cfg
    visual = MODELS.build(cfg.model.visual)
    clip = torch.zeros(1, cfg.num_frames, 3, *cfg.clip_size)
    with torch.no_grad():
        tokens = visual({"frames": clip})
    assert tokens.shape[-1] == 768 and tokens.numel() > 0


def test_llama_tokenizer_without_pad_token_pads(tmp_path: Path) -> None:
    fixtures.write_llama_tokenizer(tmp_path)
    tokenizer = MODELS.build(dict(type="PretrainedTokenizer", path=str(tmp_path), max_length=6))
    out = tokenizer(["ab", "abcd"])
    assert out["input_ids"].shape == (2, 6)
    assert out["attention_mask"].tolist() == [[1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0]]


def test_frozen_llm_loads_once_in_its_dtype(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The LLM is built by from_pretrained alone (one LlamaModel, not a random one plus a loaded copy), in bf16."""
    import transformers

    folder, vocab = fixtures.llama_dir(tmp_path, width=(64, 128, 4))
    built = []
    original = transformers.LlamaModel.__init__

    def counting(self, *args, **kwargs):
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(transformers.LlamaModel, "__init__", counting)
    from ravar_bench.models.baselines.encoders import build_pretrained

    llm = build_pretrained(dict(type="TransformersModel", config_class="LlamaConfig", model_class="LlamaModel",
                                hidden_size=64, intermediate_size=128, num_hidden_layers=1, num_attention_heads=4,
                                num_key_value_heads=4, vocab_size=vocab, dtype="bfloat16"),
                           str(folder), "model.fusion.pretrained_llm")
    assert built == ["LlamaModel"]
    assert {p.dtype for p in llm.parameters()} == {torch.bfloat16}
    saved = fixtures.saved_tensor(fixtures.Probe("", folder / "model.safetensors", "model.layers.0.mlp.up_proj.weight"))
    assert torch.equal(llm.layers[0].mlp.up_proj.weight, saved.to(torch.bfloat16))


def test_mmdetection_checkpoint_loads_into_frame_backbone(tmp_path: Path) -> None:
    """A detector checkpoint (``backbone.``/``neck.``/``bbox_head.`` keys, MMDetection's layout) feeds a
    FrameBackbone given the prefix; before, only a bare backbone state dict loaded."""
    backbone = dict(type="mmdet.ResNet", depth=18, out_indices=(3,), init_cfg=None)
    detector = torch.nn.Module()
    detector.backbone = MODELS.build(backbone)
    detector.neck = torch.nn.Conv2d(512, 8, 1)
    path = fixtures.save_openmmlab(detector, tmp_path / "det.pth", "mmdet")
    module = MODELS.build(dict(type="FrameBackbone", source="keyframe", out_dim=512, backbone=backbone,
                               pretrained=str(path), pretrained_prefix="backbone."))
    assert torch.equal(module.backbone.conv1.weight, detector.backbone.conv1.weight)
    assert load_submission("submissions/paper/clip_refclip.py").cfg.model.visual.pretrained_prefix == "backbone."


def test_checkpoint_with_message_hub_loads_through_the_one_reader(tmp_path: Path) -> None:
    """An MMEngine checkpoint carrying ``message_hub`` (HistoryBuffer, numpy) loads into a baseline encoder;
    a bare ``torch.load(weights_only=True)`` (the encoders' old reader) refuses it."""
    from mmengine.logging import MessageHub

    from ravar_bench.models.baselines.encoders import load_local_weights

    hub = MessageHub.get_instance("paper-fixes")
    hub.update_scalar("train/loss", 0.5)
    module = torch.nn.Linear(3, 2)
    path = tmp_path / "epoch_1.pth"
    torch.save({"state_dict": {f"backbone.{k}": v for k, v in module.state_dict().items()},
                "meta": {"epoch": 1}, "message_hub": hub.state_dict()}, path)
    with pytest.raises(Exception, match="Weights only load failed"):
        torch.load(path, weights_only=True)
    target = torch.nn.Linear(3, 2)
    load_local_weights(target, str(path), "model.visual.pretrained", "backbone.")
    assert torch.equal(target.weight, module.weight)


def test_blip2_config_with_old_text_input_spelling_keeps_its_text_path(tmp_path: Path) -> None:
    from transformers import Blip2Config, Blip2ForImageTextRetrieval

    from ravar_bench.models.encoders import BLIP2Encoder

    config = Blip2Config(vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                            num_attention_heads=2, image_size=28, patch_size=14),
                         qformer_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                             num_attention_heads=2, vocab_size=64, use_qformer_text_input=True),
                         num_query_tokens=4)
    Blip2ForImageTextRetrieval(config).save_pretrained(tmp_path)
    raw = json.loads((tmp_path / "config.json").read_text())
    raw["qformer_config"]["qformer_text_input"] = raw["qformer_config"].pop("use_qformer_text_input")
    (tmp_path / "config.json").write_text(json.dumps(raw))
    encoder = BLIP2Encoder({}, {}, pretrained=str(tmp_path))
    assert hasattr(encoder.qformer.encoder.layer[0], "intermediate")  # the text path's FFN exists and loaded


def test_checkpoints_are_found_under_the_project_from_another_folder(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from ravar_bench.models.tokenizers import find_local_path

    monkeypatch.chdir(tmp_path)
    found = find_local_path("submissions/paper/x3d.py")
    assert found is not None and Path(found).is_file()
    assert find_local_path("checkpoints/not-there") is None


def test_check_accepts_cfg_options(tmp_path: Path) -> None:
    """`ravar-bench check` with --cfg-options pointing a paper config at local weights runs its contract checks."""
    fixture = fixtures.write_paper_weights("clip4clip", tmp_path)
    assert main(["check", "submissions/paper/clip4clip.py", "--cfg-options", *fixture.cfg_options_args(),
                 "num_frames=2"]) == 0
    assert main(["check", "submissions/paper/clip4clip.py"]) == 0  # "needs local weights" passes without them
    assert isinstance(load_submission("submissions/paper/clip4clip.py", fixture.cfg_options_args()).cfg, Config)
