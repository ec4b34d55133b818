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
        """``self.options`` as ``--cfg-options`` arguments (``KEY=VALUE``; a key the config lacks is ``+KEY``)."""
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


def mmaction_recognizer(path: Path, backbone: dict, feature_dim: int) -> Path:
    """An MMAction2 recognizer checkpoint: ``backbone.*`` built from ``backbone`` and a 400-class ``cls_head``."""
    from mmengine.registry import init_default_scope

    from ravar_bench.registry import MODELS

    _seeded()
    init_default_scope("ravar_bench")
    recognizer = nn.Module()
    recognizer.backbone = MODELS.build(backbone)
    recognizer.cls_head = nn.Module()
    recognizer.cls_head.fc_cls = nn.Linear(feature_dim, 400)
    return save_openmmlab(recognizer, path, "mmaction")


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


def _aal(root: Path, file: str, backbone: dict, feature_dim: int, options: dict | None = None) -> WeightFixture:
    """An AAL baseline (or Su et al.): an MMAction2 recognizer checkpoint of ``backbone`` and the BERT directory."""
    from ravar_bench.engine.checkpoints import read_state_dict

    path = mmaction_recognizer(root / file, backbone, feature_dim)
    text_options, probes = _bert_text(root)
    tensor = next(k for k, v in read_state_dict(path).items() if k.startswith("backbone.") and k.endswith(".weight")
                  and v.dim() > 1)
    probes.append(Probe(f"visual.{tensor}", path, tensor))
    return WeightFixture({**text_options, "model.visual.pretrained": str(path), **(options or {})}, probes)


I3D_R50 = dict(type="mmaction.ResNet3d", depth=50, pretrained=None, pretrained2d=False, conv1_kernel=(5, 7, 7),
               conv1_stride_t=2, pool1_stride_t=2, inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)))


def x3d(root: Path) -> WeightFixture:
    """X3D-M (full depth: it is small)."""
    return _aal(root, "x3d_m_k400.pth", dict(type="mmaction.X3D", gamma_w=1, gamma_b=2.25, gamma_d=2.2), 432)


def i3d(root: Path) -> WeightFixture:
    """I3D ResNet3d-50 (full depth)."""
    return _aal(root, "i3d_r50_k400.pth", I3D_R50, 2048)


def videomae2_b(root: Path) -> WeightFixture:
    """VideoMAE V2-B: MMAction2's VisionTransformer at ViT-B width, 1 block."""
    backbone = dict(type="mmaction.VisionTransformer", img_size=224, patch_size=16, embed_dims=768, depth=1,
                    num_heads=12, mlp_ratio=4, qkv_bias=True, num_frames=16, tubelet_size=2,
                    norm_cfg=dict(type="LN", eps=1e-6))
    return _aal(root, "videomaev2_b_k400.pth", backbone, 768, {"model.visual.backbone.depth": 1})


def _clip_text(folder: Path, vocab: int) -> dict:
    """Overrides pointing a config's CLIP text tower and tokenizer at the CLIP directory (1 layer, its vocabulary)."""
    return {"model.text.pretrained": str(folder), "model.text.model.num_hidden_layers": 1,
            "model.text.model.vocab_size": vocab, "+model.text.model.bos_token_id": vocab - 2,
            "+model.text.model.eos_token_id": vocab - 1, "+model.text.model.pad_token_id": vocab - 1,
            "model.tokenizer.path": str(folder)}


def clip4clip(root: Path) -> WeightFixture:
    """CLIP4Clip: one ``CLIPModel`` directory serves both towers and the tokenizer."""
    folder, vocab = clip_dir(root)
    options = {"model.visual.pretrained": str(folder), "model.visual.backbone.num_hidden_layers": 1,
               **_clip_text(folder, vocab)}
    weights = folder / "model.safetensors"
    probes = [Probe("visual.backbone.vision_model.encoder.layers.0.mlp.fc1.weight", weights,
                    "vision_model.encoder.layers.0.mlp.fc1.weight"),
              Probe("visual.backbone.visual_projection.weight", weights, "visual_projection.weight"),
              Probe("text.model.encoder.layers.0.self_attn.k_proj.weight", weights,
                    "text_model.encoder.layers.0.self_attn.k_proj.weight")]
    return WeightFixture(options, probes)


def blip2(root: Path) -> WeightFixture:
    """BLIPv2: the BLIP-2 directory (fusion and tokenizer)."""
    folder, _ = blip2_dir(root)
    probe = Probe("fusion.blip2.vision_model.encoder.layers.0.mlp.fc1.weight", folder / "model.safetensors",
                  "vision_model.encoder.layers.0.mlp.fc1.weight")
    return WeightFixture({"model.fusion.pretrained": str(folder), "model.tokenizer.path": str(folder)}, [probe])


def askanything(root: Path) -> WeightFixture:
    """AskAnything: the BLIP-2 directory and a 1-layer LLaMA of width 256 (bf16 in the model)."""
    blip2_folder, _ = blip2_dir(root)
    llm, vocab = llama_dir(root, width=(256, 512, 4))
    options = {"model.fusion.pretrained_blip2": str(blip2_folder), "model.fusion.pretrained_llm": str(llm),
               "model.fusion.llm.hidden_size": 256, "model.fusion.llm.intermediate_size": 512,
               "model.fusion.llm.num_attention_heads": 4, "model.fusion.llm.num_key_value_heads": 4,
               "model.fusion.llm.num_hidden_layers": 1, "model.fusion.llm.vocab_size": vocab,
               "model.tokenizer.path": str(llm)}
    probes = [Probe("fusion.llm.layers.0.mlp.up_proj.weight", llm / "model.safetensors",
                    "model.layers.0.mlp.up_proj.weight"),
              Probe("fusion.blip2.qformer.encoder.layer.0.crossattention.attention.key.weight",
                    blip2_folder / "model.safetensors", "qformer.encoder.layer.0.crossattention.attention.key.weight")]
    return WeightFixture(options, probes)


def xclip(root: Path) -> WeightFixture:
    """X-CLIP-B/32: an ``XCLIPModel`` directory (1 vision, 1 text layer) with a CLIP tokenizer."""
    from transformers import XCLIPConfig, XCLIPModel

    _seeded()
    folder = root / "xclip-base-patch32"
    vocab = write_clip_tokenizer(folder)
    text = dict(hidden_size=512, intermediate_size=2048, num_hidden_layers=1, num_attention_heads=8,
                vocab_size=vocab, max_position_embeddings=77)
    vision = dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=1, num_attention_heads=12,
                  image_size=224, patch_size=32, num_frames=8, mit_hidden_size=512, mit_intermediate_size=2048,
                  mit_num_hidden_layers=1, mit_num_attention_heads=8)
    XCLIPModel(XCLIPConfig(text_config=text, vision_config=vision, projection_dim=512, prompt_layers=2,
                           prompt_attention_heads=8, mit_hidden_size=512, mit_intermediate_size=2048,
                           mit_num_hidden_layers=1, mit_num_attention_heads=8)).save_pretrained(folder)
    options = {"model.fusion.pretrained": str(folder), "model.fusion.xclip.vision_config.num_hidden_layers": 1,
               "model.fusion.xclip.text_config.num_hidden_layers": 1,
               "model.fusion.xclip.text_config.vocab_size": vocab, "model.tokenizer.path": str(folder)}
    probe = Probe("fusion.xclip.vision_model.encoder.layers.0.mlp.fc1.weight", folder / "model.safetensors",
                  "vision_model.encoder.layers.0.mlp.fc1.weight")
    return WeightFixture(options, [probe])


def singularity(root: Path) -> WeightFixture:
    """Singularity: a ``ViTModel`` directory (ViT-B/16, 1 layer), a ``BertModel`` directory and the BERT tokenizer."""
    from transformers import BertConfig, BertModel, ViTConfig, ViTModel

    _seeded()
    vit = root / "singularity" / "vit-b16"
    ViTModel(ViTConfig(num_hidden_layers=1, image_size=224, patch_size=16)).save_pretrained(vit)
    tokenizer, vocab = bert_dir(root)
    bert = root / "singularity" / "bert-9l"
    BertModel(BertConfig(num_hidden_layers=1, vocab_size=vocab)).save_pretrained(bert)
    options = {"model.visual.pretrained": str(vit), "model.visual.backbone.num_hidden_layers": 1,
               "model.text.pretrained": str(bert), "model.text.model.num_hidden_layers": 1,
               "model.text.model.vocab_size": vocab, "model.tokenizer.path": str(tokenizer)}
    # transformers 5 renames ViT's modules in memory; the file keeps the released key names.
    probes = [Probe("visual.backbone.layers.0.attention.q_proj.weight", vit / "model.safetensors",
                    "encoder.layer.0.attention.attention.query.weight"),
              Probe("text.model.encoder.layer.0.output.dense.weight", bert / "model.safetensors",
                    "encoder.layer.0.output.dense.weight")]
    return WeightFixture(options, probes)


def _clip_single_frame(root: Path) -> tuple[dict, list[Probe]]:
    """The CLIP text tower and CLIP key-frame image encoder the single-frame baselines share (clip_sam.py)."""
    folder, vocab = clip_dir(root)
    options = {**_clip_text(folder, vocab), "model.fusion.image_encoder.pretrained": str(folder),
               "model.fusion.image_encoder.backbone.num_hidden_layers": 1}
    probe = Probe("fusion.image_encoder.backbone.vision_model.encoder.layers.0.mlp.fc1.weight",
                  folder / "model.safetensors", "vision_model.encoder.layers.0.mlp.fc1.weight")
    return options, [probe]


def clip_sam(root: Path) -> WeightFixture:
    """CLIP+SAM: a ``SamModel`` directory (ViT-B width, 1 global-attention layer) and the CLIP directory."""
    from transformers import SamConfig, SamModel

    _seeded()
    folder = root / "sam-vit-base"
    vision = dict(hidden_size=768, num_hidden_layers=1, num_attention_heads=12, image_size=1024, patch_size=16,
                  output_channels=256, window_size=14, global_attn_indexes=[0])
    SamModel(SamConfig(vision_config=vision)).save_pretrained(folder)
    options, probes = _clip_single_frame(root)
    options.update({"model.visual.pretrained": str(folder), "model.visual.backbone.num_hidden_layers": 1,
                    "model.visual.backbone.global_attn_indexes": [0]})
    probes.append(Probe("visual.backbone.vision_encoder.layers.0.mlp.lin1.weight", folder / "model.safetensors",
                        "vision_encoder.layers.0.mlp.lin1.weight"))
    return WeightFixture(options, probes)


def clip_detr(root: Path) -> WeightFixture:
    """CLIP+DETR: an MMDetection DETR-R50 checkpoint of the whole detector (1+1 transformer layers)."""
    from mmengine.config import Config

    from ravar_bench.registry import MODELS

    _seeded()
    cfg = Config.fromfile(str(_project_file("submissions/paper/clip_detr.py")))
    detector = cfg.model.visual.detector
    detector.encoder.num_layers = detector.decoder.num_layers = 1
    path = save_openmmlab(MODELS.build(detector), root / "detr_r50_coco.pth", "mmdet")
    options, probes = _clip_single_frame(root)
    options.update({"model.visual.pretrained": str(path), "model.visual.detector.encoder.num_layers": 1,
                    "model.visual.detector.decoder.num_layers": 1})
    probes.append(Probe("visual.detector.backbone.layer1.0.conv1.weight", path, "backbone.layer1.0.conv1.weight"))
    return WeightFixture(options, probes)


def clip_refclip(root: Path) -> WeightFixture:
    """CLIP+RefCLIP: an MMDetection YOLOv3 checkpoint (``backbone.`` Darknet-53, a neck and a head tensor)."""
    from ravar_bench.registry import MODELS

    _seeded()
    detector = nn.Module()
    detector.backbone = MODELS.build(dict(type="mmdet.Darknet", depth=53, out_indices=(5,), init_cfg=None))
    detector.neck = nn.Conv2d(1024, 512, 1)
    detector.bbox_head = nn.Conv2d(512, 255, 1)
    path = save_openmmlab(detector, root / "refclip_yolov3_darknet53.pth", "mmdet")
    options, probes = _clip_single_frame(root)
    options["model.visual.pretrained"] = str(path)
    probes.append(Probe("visual.backbone.conv1.conv.weight", path, "backbone.conv1.conv.weight"))
    return WeightFixture(options, probes)


def hiera_b(root: Path) -> WeightFixture:
    """Hiera-B: timm's ``hiera_base_224`` state dict (with its ImageNet head, as released) in safetensors."""
    import timm
    from safetensors.torch import save_file

    _seeded()
    path = root / "hiera_base_224.safetensors"
    save_file(timm.create_model("hiera_base_224", pretrained=False).state_dict(), str(path))
    options, probes = _bert_text(root)
    options["model.visual.pretrained"] = str(path)
    probes.append(Probe("visual.backbone.patch_embed.proj.weight", path, "patch_embed.proj.weight"))
    return WeightFixture(options, probes)


def mvitv2_b(root: Path) -> WeightFixture:
    """MViTv2-B: MMAction2's MViT base (32 x 224) recognizer checkpoint, full depth."""
    backbone = dict(type="mmaction.MViT", arch="base", spatial_size=224, temporal_size=32)
    return _aal(root, "mvitv2_b_k400.pth", backbone, 768)


def mmdet_detr(root: Path, classes: tuple[str, ...]) -> tuple[Path, Path]:
    """An MMDetection DETR-R50 (1+1 transformer layers) config file and checkpoint, ``dataset_meta`` in its meta,
    as ``ravar-bench data detect`` reads them (``init_detector``)."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from ravar_bench.registry import MODELS

    _seeded()
    detector = Config.fromfile(str(_project_file("submissions/paper/clip_detr.py"))).model.visual.detector.to_dict()
    detector.pop("_scope_")
    detector["encoder"]["num_layers"] = detector["decoder"]["num_layers"] = 1
    detector.update(test_cfg=dict(max_per_img=100), data_preprocessor=dict(
        type="DetDataPreprocessor", mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], bgr_to_rgb=True))
    pipeline = [dict(type="LoadImageFromFile"), dict(type="Resize", scale=(1333, 800), keep_ratio=True),
                dict(type="PackDetInputs", meta_keys=("img_id", "img_path", "ori_shape", "img_shape", "scale_factor"))]
    config = root / "detr_r50_coco.py"
    root.mkdir(parents=True, exist_ok=True)
    Config(dict(default_scope="mmdet", model=detector,
                test_dataloader=dict(dataset=dict(type="CocoDataset", pipeline=pipeline)))).dump(str(config))
    init_default_scope("mmdet")
    path = root / "detr_r50_coco.pth"
    torch.save({"state_dict": MODELS.build(dict(detector, _scope_="mmdet")).state_dict(),
                "meta": {"dataset_meta": {"classes": classes}, "mmdet_version": "fixture"}}, path)
    init_default_scope("ravar_bench")
    return config, path


def _project_file(relative: str) -> Path:
    """A file of the project checkout (the paper configs)."""
    from ravar_bench.paths import project_root

    return project_root() / relative


WRITERS = {"refatomnet": refatomnet, "x3d": x3d, "clip4clip": clip4clip, "mevtr": clip4clip, "i3d": i3d,
           "su_vos": i3d, "videomae2_b": videomae2_b, "blip2": blip2, "askanything": askanything, "xclip": xclip,
           "singularity": singularity, "clip_sam": clip_sam, "clip_detr": clip_detr, "clip_refclip": clip_refclip,
           "hiera_b": hiera_b, "mvitv2_b": mvitv2_b}


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

