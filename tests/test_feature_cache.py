"""The frozen-encoder feature cache (models/feature_cache.py, engine/feature_cache.py): hits skip the
encoder and give its exact outputs, any change of weights, input or arguments misses, calls that are not
pure functions of their inputs run uncached, a random train pipeline is refused, and on the tiny RefAVA a
frozen-encoder RefAtomNet trains and tests to the same metrics with and without the cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from torch import nn
from transformers.modeling_outputs import BaseModelOutput

from ravar_bench.engine.feature_cache import check_deterministic, feature_cache_enabled
from ravar_bench.errors import UserError
from ravar_bench.models.feature_cache import enable_feature_cache, frozen_module_names
from ravar_bench.testing.runs import FROZEN_ENCODER_OPTIONS


class Encoder(nn.Module):
    """A small stand-in for a frozen encoder: a ModelOutput of a linear map, scaled by a non-tensor argument."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(4, 3)

    def forward(self, x: torch.Tensor, scale: float | list = 1.0) -> BaseModelOutput:
        factor = scale[0] if isinstance(scale, list) else scale
        return BaseModelOutput(last_hidden_state=self.linear(x) * factor)


class Model(nn.Module):
    """A model with a frozen encoder and a trainable head, listed as RAVARBaseModel lists them."""

    def __init__(self, frozen: tuple[str, ...] = ("encoder",)) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.encoder, self.head = Encoder(), nn.Linear(3, 1)
        self.frozen_modules = frozen
        for name in frozen:
            self.get_submodule(name).requires_grad_(False).eval()


def counted(model: Model) -> list[int]:
    """A counter of the encoder's real computations (a forward hook on its inner layer)."""
    calls = [0]
    model.encoder.linear.register_forward_hook(lambda *_: calls.__setitem__(0, calls[0] + 1))
    return calls


@pytest.fixture
def cached(tmp_path: Path) -> tuple[Model, list[int], object]:
    model = Model()
    calls = counted(model)
    cache = enable_feature_cache(model, tmp_path / "features", salt="test")["encoder"]
    return model, calls, cache


def test_hit_skips_the_encoder_and_returns_its_exact_output(cached) -> None:
    model, calls, cache = cached
    x = torch.randn(5, 4)
    first = model.encoder(x).last_hidden_state
    second = model.encoder(x)
    assert calls[0] == 1
    assert isinstance(second, BaseModelOutput)
    assert torch.equal(second.last_hidden_state, first)
    assert (cache.stats.hits, cache.stats.misses) == (5, 5)


def test_changed_weights_miss(cached) -> None:
    model, calls, cache = cached
    x = torch.randn(3, 4)
    model.encoder(x)
    with torch.no_grad():
        model.encoder.linear.weight.add_(1.0)  # in place, as an optimizer or load_state_dict would
    changed = model.encoder(x).last_hidden_state
    assert calls[0] == 2
    assert torch.equal(changed, model.encoder.linear(x))
    other = Encoder().state_dict()
    model.encoder.load_state_dict(other)
    model.encoder(x)
    assert calls[0] == 4  # the direct call above counts too
    assert cache.stats.misses == 9


def test_changed_input_or_argument_misses(cached) -> None:
    model, calls, _ = cached
    x = torch.randn(2, 4)
    model.encoder(x)
    model.encoder(x.double().float() + 1e-3)
    model.encoder(x, scale=2.0)
    assert calls[0] == 3


def test_partly_stored_batch_computes_only_the_new_items(cached) -> None:
    model, calls, cache = cached
    a, b = torch.randn(2, 4), torch.randn(2, 4)
    model.encoder(a)
    mixed = torch.cat([a[:1], b[:1], a[1:]])
    out = model.encoder(mixed).last_hidden_state
    assert calls[0] == 2 and (cache.stats.hits, cache.stats.misses) == (2, 3)
    assert torch.allclose(out, model.encoder.linear(mixed), atol=1e-6, rtol=0)


def test_partly_cached_batch_is_bit_identical_to_the_uncached_rows(tmp_path: Path) -> None:
    """A frozen BERT (the text encoder the paper freezes) on a padded batch of 7 references, 3 of them cached by
    an earlier batch: merged back in batch order, every row equals to the bit what an uncached copy computes
    for that row in the batch it was computed in (the cached rows in the earlier batch, the new ones among
    themselves), in every field of the ModelOutput, and matches the whole uncached batch to float rounding
    (a CPU's matrix kernels may round differently for another batch size, so that is not exact)."""
    import copy

    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    bert = BertModel(BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                intermediate_size=64)).requires_grad_(False).eval()
    uncached = copy.deepcopy(bert)
    model = nn.Module()
    model.encoder, model.frozen_modules = bert, ("encoder",)
    cache = enable_feature_cache(model, tmp_path / "features", salt="test")["encoder"]
    generator = torch.Generator().manual_seed(1)
    ids = torch.randint(1, 100, (7, 12), generator=generator)
    mask = torch.ones(7, 12, dtype=torch.long)
    mask[:, 9:], mask[2, 5:] = 0, 0  # padding, one reference shorter than the others
    earlier, new = torch.tensor([0, 3, 5]), torch.tensor([1, 2, 4, 6])
    with torch.no_grad():
        bert(input_ids=ids[earlier], attention_mask=mask[earlier])
        got = bert(input_ids=ids, attention_mask=mask)
        whole = uncached(input_ids=ids, attention_mask=mask)
        parts = [(rows, uncached(input_ids=ids[rows], attention_mask=mask[rows])) for rows in (earlier, new)]
    assert (cache.stats.hits, cache.stats.misses) == (3, 7)
    assert type(got) is type(whole) and got.keys() == whole.keys()
    for field in whole:
        want = torch.empty_like(whole[field])
        for rows, part in parts:
            want[rows] = part[field]
        assert got[field].dtype == want.dtype and torch.equal(got[field], want), field
        torch.testing.assert_close(got[field], whole[field], rtol=0, atol=1e-6)


def test_calls_that_are_not_pure_run_uncached(cached, tmp_path: Path) -> None:
    model, calls, cache = cached
    x = torch.randn(2, 4, requires_grad=True)  # a trainable module feeds the encoder: gradients must flow
    model.encoder(x).last_hidden_state.sum().backward()
    assert x.grad is not None
    model.encoder.train()  # dropout would draw anew each call
    model.encoder(x.detach())
    model.encoder.eval()
    model.encoder(torch.randn(4))  # a 1-D input: its 4 "items" give 3 output values, not 4 rows
    model.encoder(x.detach(), scale=[torch.tensor(2.0)])  # a tensor inside a list: not keyed by its repr
    assert calls[0] == 4 and cache.stats.bypassed == 4 and cache.stats.misses == 0
    assert not list((tmp_path / "features").rglob("*.pt"))


def test_unreadable_entry_is_a_miss(cached, tmp_path: Path) -> None:
    model, calls, _ = cached
    x = torch.randn(1, 4)
    model.encoder(x)
    (entry,) = (tmp_path / "features").rglob("*.pt")
    entry.write_bytes(b"torn")
    assert torch.equal(model.encoder(x).last_hidden_state, model.encoder.linear(x))
    assert calls[0] == 3


def test_frozen_modules_come_from_the_config_and_must_be_frozen() -> None:
    with pytest.raises(UserError, match="no frozen modules"):
        frozen_module_names(Model(frozen=()))
    model = Model(frozen=("encoder", "encoder.linear"))
    assert frozen_module_names(model) == ["encoder"]
    model.encoder.linear.bias.requires_grad_(True)
    with pytest.raises(UserError, match="'encoder' has trainable parameters"):
        frozen_module_names(model)


class Dataset:
    """Two samples whose inputs are fixed, or drawn anew on every read."""

    def __init__(self, random: bool) -> None:
        self.random, self.generator = random, torch.Generator().manual_seed(0)

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: int) -> dict:
        frames = torch.rand(2, 3, generator=self.generator) if self.random else torch.full((2, 3), float(index))
        return {"inputs": {"frames": frames}, "data_samples": type("S", (), {"metainfo": {"key": f"k{index}"}})()}


def test_random_train_pipeline_is_refused() -> None:
    check_deterministic(Dataset(random=False))
    with pytest.raises(UserError, match=r"train pipeline is random .*sample k0"):
        check_deterministic(Dataset(random=True))


def test_option_must_be_a_bool() -> None:
    assert feature_cache_enabled(Config({})) is False
    with pytest.raises(UserError, match="feature_cache: expected True or False"):
        feature_cache_enabled(Config({"feature_cache": "yes"}))


# --- the tiny RefAVA, end to end -----------------------------------------------------------------------------
FAST = ["train_cfg.max_epochs=2", *(f"{loader}_dataloader.{key}" for loader in ("train", "val", "test")
                                     for key in ("num_workers=0", "persistent_workers=False"))]


def run_tiny(tiny: Path, tmp: Path, cache: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, int]:
    """``ravar-bench run`` of a frozen-encoder RefAtomNet (own user cache); its results file and the number
    of times the frozen ViT really ran."""
    import transformers.models.blip_2.modeling_blip_2 as blip2

    from ravar_bench.cli.main import main

    calls = [0]
    original = blip2.Blip2VisionModel.forward

    def counting(self, *args, **kwargs):
        calls[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(blip2.Blip2VisionModel, "forward", counting)
    monkeypatch.setenv("RAVAR_BENCH_CACHE", str(tmp / f"cache-{cache}"))
    status = main(["run", "submissions/refatomnet.py", "--data-root", str(tiny), "--work-dir", str(tmp / f"wd-{cache}"),
                   "--results-dir", str(tmp / f"results-{cache}"), "--cfg-options", *FROZEN_ENCODER_OPTIONS,
                   f"feature_cache={cache}", *FAST])
    assert status == 0
    (path,) = (tmp / f"results-{cache}").rglob("results.json")
    return path, calls[0]


def test_cache_gives_the_same_metrics_and_reads_later_epochs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from ravar_bench.testing.refava import write_tiny_refava

    tiny = write_tiny_refava(tmp_path / "tiny")
    plain, plain_calls = run_tiny(tiny, tmp_path, False, monkeypatch)
    cached, cached_calls = run_tiny(tiny, tmp_path, True, monkeypatch)
    # Bit-for-bit: a hit returns the tensor computed for that clip in an earlier epoch, and an eval-mode
    # encoder's output for one item does not depend on the rest of its batch.
    assert json.loads(cached.read_text())["metrics"] == json.loads(plain.read_text())["metrics"]
    assert cached.relative_to(tmp_path / "results-True") == plain.relative_to(tmp_path / "results-False")  # run id
    # 5 samples, batch 16: without the cache the ViT runs for 2 epochs x (train + val) + test = 5 batches;
    # with it only for epoch 1's train batch (val and test show the same frames, so they hit too): 40 frames
    # computed, then 40 read in each of epoch 1 val, epoch 2 train and epoch 2 val.
    assert (plain_calls, cached_calls) == (5, 1)
    assert "feature cache blip2.vision_model: 120 read, 40 computed, 0 uncached" in capsys.readouterr().out
