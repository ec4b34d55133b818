"""Randomly initialised checkpoints in exactly the formats the paper configs' real weights come in (for tests
and the device benchmark; in the spirit of ``mmdet.testing``).

transformers weights are ``save_pretrained`` directories (``config.json``, ``model.safetensors``, tokenizer
files) of the classes the real releases use (``Blip2ForImageTextRetrieval``, ``BertForPreTraining``,
``CLIPModel``, ``XCLIPModel``, ``LlamaForCausalLM``, ``ViTModel``, ``SamModel``); MMAction2 and MMDetection
weights are ``{'state_dict': {...}, 'meta': {...}}`` files of the whole recognizer / detector (``backbone.``,
``cls_head.`` / ``neck.``, ``bbox_head.`` keys); timm weights are a ``.safetensors`` state dict. Depth and
vocabulary shrink to keep files small (widths stay at paper scale); :func:`write_paper_weights` returns the
``--cfg-options`` that point a paper config at the files and shrink it to match, and a probe per file: a
parameter of the built model that must equal a tensor saved in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

# A WordPiece vocabulary that spells any lower-case word: special tokens, letters, digits, their "##" pieces.
_PIECES = [chr(c) for c in range(ord("a"), ord("z") + 1)] + [str(d) for d in range(10)]
BERT_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *_PIECES, *(f"##{p}" for p in _PIECES), ",", ".", "-"]
SEED = 0


@dataclass
class Probe:
    """A parameter of the built model (``parameter``) that must equal ``tensor`` of the checkpoint ``file``."""

    parameter: str
    file: Path
    tensor: str


@dataclass
class WeightFixture:
    """Where the fixture files are, the config overrides that use them, and the probes that prove they load."""

    options: dict
    probes: list[Probe] = field(default_factory=list)

    def cfg_options_args(self) -> list[str]:
        """``self.options`` as ``--cfg-options`` arguments (``KEY=VALUE``)."""
        return [f"{key}={_cli_value(value)}" for key, value in self.options.items()]


def _cli_value(value) -> str:
    """A value in the syntax MMEngine's DictAction parses back to the same value."""
    if isinstance(value, tuple):
        return "(" + ",".join(_cli_value(v) for v in value) + ",)"
    return str(value)


def _seeded() -> None:
    """Same fixture bytes on every call."""
    torch.manual_seed(SEED)


def write_bert_tokenizer(folder: Path) -> int:
    """A BERT WordPiece tokenizer (uncased) with :data:`BERT_VOCAB`; returns the vocabulary size."""
    from transformers import BertTokenizer

    BertTokenizer(vocab={token: i for i, token in enumerate(BERT_VOCAB)}).save_pretrained(folder)
    return len(BERT_VOCAB)


def write_clip_tokenizer(folder: Path) -> int:
    """A CLIP byte-level BPE tokenizer without merges (every byte a token); returns the vocabulary size."""
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import CLIPTokenizer

    alphabet = sorted(ByteLevel.alphabet())
    tokens = [*alphabet, *(f"{c}</w>" for c in alphabet), "<|startoftext|>", "<|endoftext|>"]
    CLIPTokenizer(vocab={t: i for i, t in enumerate(tokens)}, merges=[]).save_pretrained(folder)
    return len(tokens)


def write_llama_tokenizer(folder: Path) -> int:
    """A LLaMA-like tokenizer with <unk>, <s>, </s> and no pad token (as LLaMA's own); returns its size."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate(["<unk>", "<s>", "</s>", *_PIECES])}
    backend = Tokenizer(models.WordPiece(vocab, unk_token="<unk>", continuing_subword_prefix=""))
    backend.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>", bos_token="<s>",
                            eos_token="</s>").save_pretrained(folder)
    return len(vocab)


def save_transformers(model: nn.Module, folder: Path) -> Path:
    """``model.save_pretrained(folder)`` (safetensors); returns the weights file."""
    model.save_pretrained(folder)
    return folder / "model.safetensors"


def save_openmmlab(model: nn.Module, path: Path, library: str) -> Path:
    """An MMAction2 / MMDetection release checkpoint: ``{'state_dict': whole model, 'meta': {...}}``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {f"{library}_version": "fixture", "epoch": 1, "iter": 1, "seed": SEED}
    torch.save({"state_dict": model.state_dict(), "meta": meta}, path)
    return path


def first_tensor(model: nn.Module, contains: str) -> str:
    """Name of the first floating-point parameter whose name contains ``contains``."""
    return next(name for name, p in model.named_parameters() if contains in name and p.is_floating_point())


# --- the encoders of the paper configs ---------------------------------------------------------------------
def bert_dir(root: Path, name: str = "bert-base-uncased", layers: int = 1) -> tuple[Path, int]:
    """``BertForPreTraining`` at BERT-base width (the bert-base-uncased release layout) and its tokenizer."""
    from transformers import BertConfig, BertForPreTraining

    _seeded()
    folder = root / name
    vocab = write_bert_tokenizer(folder)
    model = BertForPreTraining(BertConfig(num_hidden_layers=layers, vocab_size=vocab))
    save_transformers(model, folder)
    return folder, vocab


def blip2_dir(root: Path, layers: int = 1) -> tuple[Path, int]:
    """``Blip2ForImageTextRetrieval`` (EVA ViT-g/14 and the BERT-base Q-Former widths) with a BERT tokenizer."""
    from transformers import Blip2Config, Blip2ForImageTextRetrieval

    _seeded()
    folder = root / "blip2-itm-vit-g"
    vocab = write_bert_tokenizer(folder)
    config = Blip2Config(
        vision_config=dict(hidden_size=1408, intermediate_size=6144, num_hidden_layers=layers,
                           num_attention_heads=16, image_size=224, patch_size=14, layer_norm_eps=1e-6,
                           qkv_bias=True),
        qformer_config=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=layers,
                            num_attention_heads=12, cross_attention_frequency=2, vocab_size=vocab + 1,
                            use_qformer_text_input=True),
        num_query_tokens=32)
    save_transformers(Blip2ForImageTextRetrieval(config), folder)
    return folder, vocab


def clip_dir(root: Path, layers: int = 1) -> tuple[Path, int]:
    """``CLIPModel`` at ViT-B/32 widths (the openai/clip-vit-base-patch32 layout) with a CLIP tokenizer."""
    from transformers import CLIPConfig, CLIPModel

    _seeded()
    folder = root / "clip-vit-base-patch32"
    vocab = write_clip_tokenizer(folder)
    config = CLIPConfig(
        text_config=dict(hidden_size=512, intermediate_size=2048, num_hidden_layers=layers, num_attention_heads=8,
                         vocab_size=vocab, max_position_embeddings=77, bos_token_id=vocab - 2,
                         eos_token_id=vocab - 1, pad_token_id=vocab - 1),
        vision_config=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=layers, num_attention_heads=12,
                           image_size=224, patch_size=32),
        projection_dim=512)
    save_transformers(CLIPModel(config), folder)
    return folder, vocab


def llama_dir(root: Path, layers: int = 1, width: tuple[int, int, int] = (5120, 13824, 40)) -> tuple[Path, int]:
    """``LlamaForCausalLM`` (VideoChat's LLM layout; ``width`` = hidden, MLP, heads, LLaMA-13B's by default) with
    a tokenizer that has no pad token."""
    from transformers import LlamaConfig, LlamaForCausalLM

    _seeded()
    folder = root / "videochat-13b" / "llm"
    vocab = write_llama_tokenizer(folder)
    hidden, mlp, heads = width
    config = LlamaConfig(hidden_size=hidden, intermediate_size=mlp, num_hidden_layers=layers, num_attention_heads=heads,
                         num_key_value_heads=heads, vocab_size=vocab, max_position_embeddings=2048)
    save_transformers(LlamaForCausalLM(config), folder)
    return folder, vocab


def mmaction_x3d(root: Path) -> Path:
    """MMAction2's X3D-M recognizer checkpoint (full depth: it is small) with its I3DHead."""
    from mmengine.registry import init_default_scope

    from ravar_bench.registry import MODELS

    _seeded()
    init_default_scope("ravar_bench")
    recognizer = nn.Module()
    recognizer.backbone = MODELS.build(dict(type="mmaction.X3D", gamma_w=1, gamma_b=2.25, gamma_d=2.2))
    recognizer.cls_head = nn.Module()
    recognizer.cls_head.fc1 = nn.Linear(432, 2048)
    recognizer.cls_head.fc2 = nn.Linear(2048, 400)
    return save_openmmlab(recognizer, root / "x3d_m_k400.pth", "mmaction")


# --- per paper config: files, overrides, probes --------------------------------------------------------------
def _bert_text(root: Path) -> tuple[dict, list[Probe]]:
    """The frozen BERT-base reference encoder of the AAL baselines (``_base_/models/paper_bert.py``)."""
    folder, vocab = bert_dir(root)
    options = {"model.text.pretrained": str(folder), "model.text.model.num_hidden_layers": 1,
               "model.text.model.vocab_size": vocab, "model.tokenizer.path": str(folder)}
    probe = Probe("text.model.encoder.layer.0.attention.self.query.weight", folder / "model.safetensors",
                  "bert.encoder.layer.0.attention.self.query.weight")
    return options, [probe]


def refatomnet(root: Path) -> WeightFixture:
    """RefAtomNet: BLIP-2 (1 ViT-g layer, 1 Q-Former layer) and BERT-base (1 layer) directories."""
    blip2, _ = blip2_dir(root)
    bert, _ = bert_dir(root)
    options = {"model.pretrained_blip2": str(blip2), "model.pretrained_bert": str(bert),
               "model.tokenizer.path": str(blip2), "model.name_tokenizer.path": str(bert)}
    probes = [Probe("blip2.vision_model.encoder.layers.0.mlp.fc1.weight", blip2 / "model.safetensors",
                    "vision_model.encoder.layers.0.mlp.fc1.weight"),
              Probe("blip2.qformer.encoder.layer.0.crossattention.attention.key.weight", blip2 / "model.safetensors",
                    "qformer.encoder.layer.0.crossattention.attention.key.weight"),
              Probe("name_encoder.bert.encoder.layer.0.output.dense.weight", bert / "model.safetensors",
                    "bert.encoder.layer.0.output.dense.weight")]
    return WeightFixture(options, probes)


def x3d(root: Path) -> WeightFixture:
    """X3D-M: an MMAction2 recognizer checkpoint and the BERT-base directory."""
    path = mmaction_x3d(root)
    options, probes = _bert_text(root)
    options["model.visual.pretrained"] = str(path)
    probes.append(Probe("visual.backbone.conv1_s.conv.weight", path, "backbone.conv1_s.conv.weight"))
    return WeightFixture(options, probes)


def clip4clip(root: Path) -> WeightFixture:
    """CLIP4Clip: one ``CLIPModel`` directory serves both towers and the tokenizer."""
    folder, vocab = clip_dir(root)
    options = {"model.visual.pretrained": str(folder), "model.visual.backbone.num_hidden_layers": 1,
               "model.text.pretrained": str(folder), "model.text.model.num_hidden_layers": 1,
               "model.text.model.vocab_size": vocab, "model.text.model.bos_token_id": vocab - 2,
               "model.text.model.eos_token_id": vocab - 1, "model.text.model.pad_token_id": vocab - 1,
               "model.tokenizer.path": str(folder)}
    weights = folder / "model.safetensors"
    probes = [Probe("visual.backbone.vision_model.encoder.layers.0.mlp.fc1.weight", weights,
                    "vision_model.encoder.layers.0.mlp.fc1.weight"),
              Probe("visual.backbone.visual_projection.weight", weights, "visual_projection.weight"),
              Probe("text.model.encoder.layers.0.self_attn.k_proj.weight", weights,
                    "text_model.encoder.layers.0.self_attn.k_proj.weight")]
    return WeightFixture(options, probes)


WRITERS = {"refatomnet": refatomnet, "x3d": x3d, "clip4clip": clip4clip}


def write_paper_weights(name: str, root: str | Path) -> WeightFixture:
    """Write the fixture weights of paper config ``name`` (``submissions/paper/<name>.py``) under ``root``."""
    if name not in WRITERS:
        raise KeyError(f"no weight fixture for paper config {name!r}; known: {', '.join(sorted(WRITERS))}")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    return WRITERS[name](root)


def saved_tensor(probe: Probe) -> torch.Tensor:
    """The probe's tensor as stored in its file (read with the project's checkpoint reader)."""
    from ravar_bench.engine.checkpoints import read_state_dict

    return read_state_dict(probe.file)[probe.tensor]

