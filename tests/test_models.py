"""Shared RAVAR model pieces: tokenizers, data preprocessor, head and the base model's forward modes."""

import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from torch import nn

from ravar_bench.models import HashingTokenizer, PretrainedTokenizer, RAVARBaseModel, RAVARDataPreprocessor
from ravar_bench.registry import MODELS
from ravar_bench.structures import RAVARDataSample

TEXTS = ["The woman in the RED coat, on the left.", "a man with a hat"]


def _ids_in_subprocess(seed: str) -> list[list[int]]:
    """Token ids of TEXTS computed in a fresh interpreter with the given PYTHONHASHSEED."""
    # Load the module file alone (not the models package) to keep the interpreter start cheap.
    path = os.path.join(os.path.dirname(__file__), "..", "ravar_bench", "models", "tokenizers.py")
    code = ("import importlib.util as u;"
            f"s = u.spec_from_file_location('tok', {path!r}); m = u.module_from_spec(s); s.loader.exec_module(m);"
            f"print(m.HashingTokenizer(1000, 12)({TEXTS!r})['input_ids'].tolist())")
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return eval(out.stdout)


def test_hashing_tokenizer_is_stable_across_processes():
    here = HashingTokenizer(1000, 12)(TEXTS)["input_ids"].tolist()
    assert _ids_in_subprocess("1") == here
    assert _ids_in_subprocess("12345") == here


def test_hashing_tokenizer_layout():
    tok = HashingTokenizer(vocab_size=50, max_length=6)
    out = tok(TEXTS)
    ids, mask = out["input_ids"], out["attention_mask"]
    assert ids.shape == mask.shape == (2, 6) and ids.dtype == torch.long
    assert (ids[:, 0] == tok.CLS_ID).all()
    # "a man with a hat" -> [CLS] + 5 words = 6 tokens, no padding; the repeated word maps to one id.
    assert mask[1].tolist() == [1] * 6 and ids[1, 1] == ids[1, 4]
    # case-insensitive and punctuation is its own token
    assert tok.encode("RED coat")[1:] == tok.encode("red COAT")[1:]
    assert tok.encode("red,")[2] == tok.word_id(",")
    assert ((ids[mask.bool()] >= 1) & (ids[mask.bool()] < 50)).all()
    short = tok("hi")
    assert short["input_ids"][0, 2:].eq(tok.PAD_ID).all() and short["attention_mask"][0].tolist() == [1, 1, 0, 0, 0, 0]


def test_pretrained_tokenizer_names_missing_path(tmp_path):
    missing = tmp_path / "no-bert-here"
    with pytest.raises(FileNotFoundError, match="no-bert-here"):
        PretrainedTokenizer(str(missing), key="tokenizer.path")


def _packed(t: int, h: int, seed: int) -> dict:
    """One sample as PackRAVARInputs returns it."""
    g = torch.Generator().manual_seed(seed)
    return dict(inputs=dict(frames=torch.randint(0, 256, (t, 3, h, h), generator=g, dtype=torch.uint8),
                            keyframe=torch.randint(0, 256, (3, h + 4, h + 4), generator=g, dtype=torch.uint8)),
                data_samples=RAVARDataSample(metainfo=dict(key=f"s{seed}", text="x")))


def test_data_preprocessor_stacks_and_normalises():
    mean, std = (10.0, 20.0, 30.0), (2.0, 4.0, 8.0)
    pre = RAVARDataPreprocessor(mean=mean, std=std)
    batch = pseudo_collate([_packed(3, 8, 0), _packed(3, 8, 1)])
    out = pre(batch)
    frames, keyframe = out["inputs"]["frames"], out["inputs"]["keyframe"]
    assert frames.shape == (2, 3, 3, 8, 8) and frames.dtype == torch.float32
    assert keyframe.shape == (2, 3, 12, 12)
    raw = np.stack([batch["inputs"]["frames"][i].numpy() for i in range(2)]).astype(np.float64)
    expect = (raw - np.array(mean)[:, None, None]) / np.array(std)[:, None, None]
    np.testing.assert_allclose(frames.numpy(), expect, rtol=1e-6)
    assert [s.metainfo["key"] for s in out["data_samples"]] == ["s0", "s1"]
    # a list of per-sample input dicts is accepted too
    listed = pre(dict(inputs=[_packed(3, 8, 0)["inputs"]], data_samples=None))
    torch.testing.assert_close(listed["inputs"]["frames"][0], frames[0])


def test_data_preprocessor_rejects_mixed_sizes():
    batch = pseudo_collate([_packed(3, 8, 0), _packed(3, 10, 1)])
    with pytest.raises(ValueError, match="frames"):
        RAVARDataPreprocessor()(batch)


class _MeanModel(RAVARBaseModel):
    """Smallest RAVAR model: pooled = linear map of the mean pixel per channel."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.proj = nn.Linear(3, 8)
        self.finish_init(8)

    def encode(self, inputs, data_samples):
        return self.proj(inputs["frames"].mean(dim=(1, 3, 4)))


def _labelled(seed: int) -> dict:
    sample = _packed(2, 8, seed)
    ds = sample["data_samples"]
    ds.gt_labels = torch.zeros(80)
    ds.gt_labels[[seed, 10 + seed]] = 1
    ds.gt_box = torch.tensor([0.1, 0.2, 0.6, 0.9]) * (1 + seed) / 2
    return sample


def test_base_model_modes_and_losses_match_formulas():
    model = _MeanModel(loss_cls_weight=5.0, loss_box_weight=2.0, head=dict(type="RAVARHead", dropout=0.0))
    model.eval()
    data = model.data_preprocessor(pseudo_collate([_labelled(0), _labelled(1)]))
    logits, boxes = model(**data, mode="tensor")
    assert logits.shape == (2, 80) and boxes.shape == (2, 4)
    assert ((boxes > 0) & (boxes < 1)).all()
    losses = model(**data, mode="loss")
    z = logits.detach().double().numpy()
    y = np.stack([s.gt_labels.numpy() for s in data["data_samples"]])
    bce = np.mean(np.logaddexp(0, z) - y * z)  # -[y log s(z) + (1-y) log(1-s(z))]
    gt_box = np.stack([s.gt_box.numpy() for s in data["data_samples"]])
    mse = np.mean((boxes.detach().double().numpy() - gt_box) ** 2)
    assert losses["loss_cls"].item() == pytest.approx(5.0 * bce, rel=1e-5)
    assert losses["loss_box"].item() == pytest.approx(2.0 * mse, rel=1e-5)
    preds = model(**data, mode="predict")
    for i, sample in enumerate(preds):
        torch.testing.assert_close(sample.pred_scores, torch.sigmoid(logits[i]).detach())
        torch.testing.assert_close(sample.pred_box, boxes[i].detach())


def test_base_model_names_missing_ground_truth():
    model = _MeanModel()
    sample = _packed(2, 8, 0)
    data = model.data_preprocessor(pseudo_collate([sample]))
    with pytest.raises(KeyError, match="gt_labels"):
        model(**data, mode="loss")


def test_frozen_module_gets_no_gradient_and_stays_eval():
    model = _MeanModel(frozen_modules=("proj",))
    model.train()
    assert not model.proj.training and model.head.training
    data = model.data_preprocessor(pseudo_collate([_labelled(0), _labelled(1)]))
    sum(model(**data, mode="loss").values()).backward()
    assert model.proj.weight.grad is None
    assert all(p.grad is not None for p in model.head.parameters())
    with pytest.raises(KeyError, match="nope"):
        _MeanModel(frozen_modules=("nope",))


def test_registry_builds_shared_pieces():
    assert isinstance(MODELS.build(dict(type="RAVARDataPreprocessor")), RAVARDataPreprocessor)
    head = MODELS.build(dict(type="RAVARHead", in_dim=16, num_classes=80))
    logits, boxes = head(torch.zeros(3, 16))
    assert logits.shape == (3, 80) and boxes.shape == (3, 4)


def test_linear_skip_head_starts_as_a_linear_classifier_at_the_prior_and_trains_both_paths() -> None:
    """logits = MLP(z) + W z + b: the MLP's last layer starts at zero, so the untrained head is the linear
    classifier, and the prior sits in its bias."""
    head = MODELS.build(dict(type="RAVARHead", in_dim=16, num_classes=80, prior_prob=0.03, linear_skip=True))
    features = torch.randn(5, 16, generator=torch.Generator().manual_seed(0))
    logits, _ = head(features)
    torch.testing.assert_close(logits, head.cls_linear(features))
    assert head.prior_bias is head.cls_linear.bias
    torch.testing.assert_close(torch.sigmoid(head.prior_bias), torch.full((80,), 0.03))
    logits.pow(2).sum().backward()
    assert head.cls_linear.weight.grad.abs().sum() > 0 and head.cls_head[-1].weight.grad.abs().sum() > 0


def test_head_boxes_are_ordered_and_start_at_the_prior() -> None:
    head = MODELS.build(dict(type="RAVARHead", in_dim=16, num_classes=80, prior_prob=0.03))
    torch.nn.init.zeros_(head.box_head[-1].weight)
    torch.nn.init.zeros_(head.box_head[-1].bias)
    torch.nn.init.zeros_(head.cls_head[-1].weight)
    logits, boxes = head(torch.randn(5, 16, generator=torch.Generator().manual_seed(0)))
    torch.testing.assert_close(boxes, torch.tensor([[0.25, 0.25, 0.75, 0.75]]).expand(5, 4))
    torch.testing.assert_close(torch.sigmoid(logits), torch.full((5, 80), 0.03))
    _, random_boxes = MODELS.build(dict(type="RAVARHead", in_dim=16))(torch.randn(64, 16))
    assert (random_boxes[:, 2:] > random_boxes[:, :2]).all()
