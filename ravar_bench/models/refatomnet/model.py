"""RefAtomNet (Peng et al., ECCV 2024): visual, reference-text and location-semantic token streams fused by
agent attention with cross-stream agent-attention (CAAF) and agent-token (CATF) fusion. See docs/MODELS.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from ravar_bench.models.base import Encoded, RAVARBaseModel, gt_stack
from ravar_bench.models.encoders import BLIP2Encoder, NameEncoder, TokenResampler
from ravar_bench.models.refatomnet.agent_attention import AgentBlock, AgentState, CrossStreamGuide
from ravar_bench.models.refatomnet.fusions import LATE_FUSIONS, build_late_fusion
from ravar_bench.models.refatomnet.pointer import grounding_targets
from ravar_bench.registry import MODELS
from ravar_bench.structures import RAVARDataSample

Detections = tuple[torch.Tensor, list[str]]  # one sample's kept detection boxes [K,4] and category names


class Truth(NamedTuple):
    """The training batch's ground truth that the pointer and the tube classifier learn from."""

    boxes: torch.Tensor   # [B,4] normalised x1,y1,x2,y2
    labels: torch.Tensor  # [B,C] multi-hot


FUSIONS = ("alsaf", *LATE_FUSIONS)  # agent-attention fusion (the paper's) and the registered late fusions


def _texts(data_samples: Sequence[RAVARDataSample]) -> list[str]:
    """The reference of every sample (metainfo ``text``)."""
    missing = [i for i, s in enumerate(data_samples) if "text" not in s.metainfo]
    if missing:
        raise KeyError(f"RefAtomNet needs data_sample.metainfo['text'] (the reference); missing on samples {missing}")
    return [s.metainfo["text"] for s in data_samples]


@MODELS.register_module()
class RefAtomNet(RAVARBaseModel):
    """RefAtomNet with the Table 3 options on one class.

    Args:
        vision / qformer: ``Blip2VisionConfig`` / ``Blip2QFormerConfig`` kwargs (random init), or the
            architecture of the checkpoint at ``pretrained_blip2`` (a ``Blip2ForImageTextRetrieval`` directory).
        name_encoder: ``BertConfig`` kwargs for the category-name encoder, or loaded from ``pretrained_bert``.
        tokenizer / name_tokenizer: configs of the reference and category-name tokenizers.
        num_query_tokens: Q-Former queries = tokens per stream (N).
        max_detections: detections kept per key frame (highest score first), padded and masked.
        det_score_thr: detections below this score are dropped (the paper keeps confident ones, of every class).
        num_agents / num_heads / mlp_ratio: agent-attention blocks (paper: 4 agents, 1 head, ratio 4).
        fusion: "alsaf" (agent blocks + Eq. 12) or a Table 3 alternative on the raw stream tokens.
        use_caaf / use_catf: cross-stream agent attention / agent token fusion (only with "alsaf").
        stream_pool: Eq. 12 over the streams, "mean" (the paper) or "sum" (the release; the scale of the
            feature the heads read, which matters to a model trained from scratch).
        use_location_stream: build and use the location-semantic stream.
        joint_qformer: extract the visual tokens with the reference in the Q-Former's self-attention (Eq. 1
            read as F_Q(visual, text), BLIP-2's image-text matching mode); False extracts them from the
            frames alone, as the authors' release does. See docs/MODELS.md.
        person_tubes: a :class:`PersonTubeEncoder` config: the Q-Former then reads one token per (detected
            person, frame) of the whole clip instead of each frame's ViT patches (``vision`` is unused), so
            the visual stream keeps motion and is made of people. CPU-scale configs use it.
        max_persons: person detections (highest score first) that become tubes.
        pointer: a :class:`ReferringPointer` config (only with ``person_tubes``): it scores each person
            detection against the reference and learns from ``loss_ground`` (cross-entropy on the person
            that overlaps the ground-truth box, weight ``loss_ground_weight``); the visual stream then reads
            only the chosen person's tube (the overlapping one in training, the pointer's choice otherwise)
            and the head is anchored: its box head refines the chosen person's box.
        loss_tube_weight: with a pointer and a weight above 0, a linear classifier on the chosen person's
            tube summary learns the actions too (``loss_tube``, BCE, on samples whose person was detected):
            deep supervision that gives the 3D CNN a short path to the labels. Training only; predictions
            come from the heads on the Eq. 12 feature.
        tube_residual: with a pointer, add a linear map of the chosen person's tube summary to every visual
            token the Q-Former returns (a skip past the from-scratch Q-Former, so the visual stream carries
            what the 3D CNN saw from the first step).
    """

    def __init__(self, vision: dict, qformer: dict, name_encoder: dict, tokenizer: dict, name_tokenizer: dict,
                 num_query_tokens: int = 32, max_detections: int = 16, det_score_thr: float = 0.0,
                 num_agents: int = 4, num_heads: int = 1, mlp_ratio: float = 4.0, fusion: str = "alsaf",
                 use_caaf: bool = True, use_catf: bool = True, use_location_stream: bool = True,
                 joint_qformer: bool = False, person_tubes: dict | None = None, max_persons: int = 6,
                 pointer: dict | None = None, loss_ground_weight: float = 1.0, loss_tube_weight: float = 0.0,
                 tube_residual: bool = False, stream_pool: str = "mean",
                 pretrained_blip2: str | None = None, pretrained_bert: str | None = None, **base_kwargs) -> None:
        super().__init__(**base_kwargs)
        if fusion not in FUSIONS:
            raise ValueError(f"fusion: unknown kind {fusion!r}; expected one of {FUSIONS}")
        if stream_pool not in ("mean", "sum"):
            raise ValueError(f"stream_pool: expected 'mean' or 'sum', got {stream_pool!r}")
        self.fusion, self.use_caaf, self.use_catf, self.stream_pool = fusion, use_caaf, use_catf, stream_pool
        self.use_location_stream, self.joint_qformer = use_location_stream, joint_qformer
        self.max_detections, self.det_score_thr = max_detections, det_score_thr

        self.max_persons = max_persons
        if person_tubes is None:
            self.person_tubes = None
            self.blip2 = BLIP2Encoder(vision, qformer, num_query_tokens, pretrained_blip2)
        else:
            self.person_tubes = MODELS.build(person_tubes)
            self.blip2 = BLIP2Encoder(None, {**qformer, "encoder_hidden_size": self.person_tubes.dim},
                                      num_query_tokens)
        dim, num_tokens = self.blip2.dim, self.blip2.num_query_tokens
        if pointer is not None and self.person_tubes is None:
            raise ValueError("pointer: the referring pointer chooses among person tubes; set person_tubes too")
        self.pointer = None if pointer is None else MODELS.build({**pointer, "text_dim": dim})
        self.head_cfg["anchored"] = pointer is not None
        self.loss_ground_weight = loss_ground_weight
        for key, value in (("loss_tube_weight", loss_tube_weight > 0), ("tube_residual", tube_residual)):
            if value and self.pointer is None:
                raise ValueError(f"{key}: it reads the tube of the pointer's chosen person; set pointer too")
        self.loss_tube_weight = loss_tube_weight
        self.tokenizer = MODELS.build(tokenizer)
        self._check_vocab("tokenizer", self.tokenizer.vocab_size, self.blip2.vocab_size)
        self.text_resampler = TokenResampler(self.tokenizer.max_length, num_tokens)
        if use_location_stream:
            self.name_tokenizer = MODELS.build(name_tokenizer)
            self.name_encoder = NameEncoder(name_encoder, pretrained_bert)
            self._check_vocab("name_tokenizer", self.name_tokenizer.vocab_size,
                              self.name_encoder.bert.config.vocab_size)
            self.loc_proj = nn.Linear(4 + self.name_encoder.dim, dim)                 # Eq. 3
            self.loc_resampler = TokenResampler(max_detections, num_tokens)
        num_streams = 3 if use_location_stream else 2
        if fusion == "alsaf":
            self.blocks = nn.ModuleDict({name: AgentBlock(dim, num_tokens, num_agents, num_heads, mlp_ratio)
                                         for name in self.stream_names})
        else:
            self.late_fusion = build_late_fusion(fusion, dim, num_streams, num_heads, mlp_ratio)
        self.finish_init(dim)
        self.tube_residual = nn.Linear(self.person_tubes.summary_dim, dim) if tube_residual else None
        self.tube_classifier = None
        if loss_tube_weight > 0:
            self.tube_classifier = nn.Linear(self.person_tubes.summary_dim, self.head.num_classes)
            with torch.no_grad():  # start at the head's class prior
                self.tube_classifier.bias.copy_(self.head.prior_bias)

    @staticmethod
    def _check_vocab(key: str, tokenizer_vocab: int, embedding_rows: int) -> None:
        """A tokenizer must not emit ids beyond the embedding table it feeds."""
        if tokenizer_vocab > embedding_rows:
            raise ValueError(f"{key}: vocab_size {tokenizer_vocab} exceeds the encoder's {embedding_rows} "
                             "word embeddings; make the two agree in the config")

    @property
    def stream_names(self) -> tuple[str, ...]:
        """The streams in use; the visual one first."""
        return ("visual", "text", "location") if self.use_location_stream else ("visual", "text")

    # --- token extraction (Eq. 1-3) -------------------------------------------------------------------------
    def visual_tokens(self, inputs: dict, text: dict[str, torch.Tensor], detections: Sequence[Detections],
                      reference: torch.Tensor, truth: Truth | None
                      ) -> tuple[torch.Tensor, dict[str, torch.Tensor], torch.Tensor | None]:
        """Eq. 1, visual: Q-Former query tokens [B,N,D], over the person tubes of the whole clip (only the
        pointer's choice when there is a pointer), or per frame over ViT patches and averaged over frames
        (the authors' release). Also the pointer's and the tube's losses when ``truth`` is given (training)
        and the chosen person's box [B,4] (None without a pointer)."""
        frames = inputs["frames"]
        ids, mask = (text["input_ids"], text["attention_mask"]) if self.joint_qformer else (None, None)
        if self.person_tubes is None:
            return self.blip2.encode_frames(frames, ids, mask).mean(dim=1), {}, None
        boxes, present = self.person_boxes(detections, frames.device)
        losses, chosen_box, reachable = {}, None, None
        if self.pointer is not None:
            logits = self.pointer(inputs["keyframe"], boxes, present, reference, text["attention_mask"])
            chosen, losses, reachable = self.choose(logits, boxes, present, truth)
            chosen_box = boxes[torch.arange(len(boxes), device=boxes.device), chosen]
            boxes, present = chosen_box[:, None], present.new_ones(len(boxes), 1)
        memory, memory_mask, summaries = self.person_tubes(frames, boxes, present)
        if self.tube_classifier is not None and truth is not None:
            losses["loss_tube"] = self.tube_loss(summaries[:, 0], truth.labels, reachable)
        tokens = self.blip2.query(memory, memory_mask, ids, mask)
        if self.tube_residual is not None:
            tokens = tokens + self.tube_residual(summaries[:, 0])[:, None]
        return tokens, losses, chosen_box

    def choose(self, logits: torch.Tensor, boxes: torch.Tensor, present: torch.Tensor, truth: Truth | None
               ) -> tuple[torch.Tensor, dict[str, torch.Tensor], torch.Tensor | None]:
        """The person [B] the visual stream reads: the pointer's highest score, or in training (``truth``
        given) the person on the truth where one overlaps it; then also ``loss_ground``, the pointer's
        training accuracy ``acc_ground`` and which samples had their person detected [B]."""
        chosen = logits.argmax(dim=1)
        if truth is None:
            return chosen, {}, None
        target, reachable = grounding_targets(truth.boxes, boxes, present)
        weight = reachable.to(logits.dtype)
        count = weight.sum().clamp(min=1)
        ce = F.cross_entropy(logits, target, reduction="none")
        losses = {"loss_ground": self.loss_ground_weight * (ce * weight).sum() / count,
                  "acc_ground": ((chosen == target).to(logits.dtype) * weight).sum().detach() / count}
        return torch.where(reachable, target, chosen), losses, reachable

    def tube_loss(self, summaries: torch.Tensor, labels: torch.Tensor, reachable: torch.Tensor) -> torch.Tensor:
        """``loss_tube``: weighted BCE of the tube classifier on the chosen persons' summaries [B,C], over the
        samples whose person was detected (the others read someone else's tube)."""
        bce = F.binary_cross_entropy_with_logits(self.tube_classifier(summaries), labels, reduction="none").mean(1)
        weight = reachable.to(bce.dtype)
        return self.loss_tube_weight * (bce * weight).sum() / weight.sum().clamp(min=1)

    def _detections(self, sample: RAVARDataSample) -> Detections:
        """Confident detections of one sample, highest score first, at most ``max_detections``."""
        for field in ("det_boxes", "det_scores", "det_names"):
            if field not in sample:
                raise KeyError(f"detections: data_sample.{field} is missing on sample "
                               f"{sample.metainfo.get('key', '?')} (use an empty one when there are no detections)")
        boxes = torch.as_tensor(sample.det_boxes, dtype=torch.float32).reshape(-1, 4)
        scores = torch.as_tensor(sample.det_scores, dtype=torch.float32).reshape(-1)
        names = list(sample.det_names)
        if not len(boxes) == len(scores) == len(names):
            raise ValueError(f"detections: det_boxes ({len(boxes)}), det_scores ({len(scores)}) and "
                             f"det_names ({len(names)}) differ in length on {sample.metainfo.get('key', '?')}")
        order = [i for i in scores.argsort(descending=True, stable=True).tolist()
                 if scores[i] >= self.det_score_thr][: self.max_detections]
        return boxes[order], [names[i] for i in order]

    def person_boxes(self, detections: Sequence[Detections], device: torch.device
                     ) -> tuple[torch.Tensor, torch.Tensor]:
        """Boxes [B,P,4] of each sample's most confident person detections (of those :meth:`_detections` keeps)
        and their mask [B,P]; a sample with none gets one masked-in whole-frame box, so the Q-Former always
        has memory to read."""
        boxes = torch.zeros(len(detections), self.max_persons, 4, device=device)
        mask = torch.zeros(len(detections), self.max_persons, device=device)
        for row, (dets, names) in enumerate(detections):
            people = dets[[i for i, name in enumerate(names) if name == "person"][: self.max_persons]]
            if not len(people):
                people = dets.new_tensor([[0.0, 0.0, 1.0, 1.0]])
            boxes[row, : len(people)], mask[row, : len(people)] = people.to(device), 1
        return boxes, mask

    def location_tokens(self, dets: Sequence[Detections], device: torch.device) -> torch.Tensor:
        """Eq. 2-3: ``FC(concat(box, BERT(name)))`` per detection, padded/masked, resampled to N -> [B,N,D]."""
        vocab = sorted({name for _, names in dets for name in names})
        b, m = len(dets), self.max_detections
        name_dim = self.name_encoder.dim
        if vocab:
            encoded = {k: v.to(device) for k, v in self.name_tokenizer(vocab).items()}
            name_emb = self.name_encoder(encoded["input_ids"], encoded["attention_mask"])
        else:
            name_emb = torch.zeros(0, name_dim, device=device)
        index = {name: i for i, name in enumerate(vocab)}
        feats = torch.zeros(b, m, 4 + name_dim, device=device)
        mask = torch.zeros(b, m, device=device)
        for row, (boxes, names) in enumerate(dets):
            n = len(names)
            if n:
                rows = torch.tensor([index[name] for name in names], device=device)
                feats[row, :n] = torch.cat([boxes.to(device), name_emb[rows]], dim=-1)
                mask[row, :n] = 1
        return self.loc_resampler(self.loc_proj(feats), mask)

    def extract_streams(self, inputs: dict, data_samples: Sequence[RAVARDataSample], training: bool = False
                        ) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor], torch.Tensor | None]:
        """The token streams in use, each [B,N,D], the pointer's losses (when ``training``) and its chosen box.
        The reference stream (Eq. 1) is the Q-Former text path's tokens, masked and resampled to N."""
        device = inputs["frames"].device
        text = {k: v.to(device) for k, v in self.tokenizer(_texts(data_samples)).items()}
        reference = self.blip2.encode_text(text["input_ids"], text["attention_mask"])
        needs_detections = self.use_location_stream or self.person_tubes is not None
        detections = [self._detections(s) for s in data_samples] if needs_detections else []
        truth = None
        if training and self.pointer is not None:
            truth = Truth(gt_stack(data_samples, "gt_box").to(device), gt_stack(data_samples, "gt_labels").to(device))
        visual, losses, chosen_box = self.visual_tokens(inputs, text, detections, reference, truth)
        streams = {"visual": visual, "text": self.text_resampler(reference, text["attention_mask"])}
        if self.use_location_stream:
            streams["location"] = self.location_tokens(detections, device)
        return streams, losses, chosen_box

    # --- fusion (Eq. 4-12) ----------------------------------------------------------------------------------
    def fuse(self, streams: dict[str, torch.Tensor]) -> tuple[torch.Tensor, dict[str, AgentState]]:
        """Streams -> pooled [B,D] (Eq. 12 for "alsaf") and the agent-attention intermediates per stream."""
        if self.fusion != "alsaf":
            return self.late_fusion([streams[n] for n in self.stream_names]), {}
        outputs, states = {}, {}
        for name in self.stream_names[1:]:                                   # Eq. 4-6, text and location
            outputs[name], states[name] = self.blocks[name](streams[name])
        guide = CrossStreamGuide(s_q=[states[n].s_q for n in self.stream_names[1:]],
                                 agents=[states[n].agents for n in self.stream_names[1:]])
        outputs["visual"], states["visual"] = self.blocks["visual"](          # Eq. 7-11
            streams["visual"], guide, self.use_caaf, self.use_catf)
        means = torch.stack([outputs[n].mean(dim=1) for n in self.stream_names])              # Eq. 12
        pooled = means.sum(0) if self.stream_pool == "sum" else means.mean(0)
        return pooled, states

    def encode_for_head(self, inputs: dict, data_samples: Sequence[RAVARDataSample], training: bool) -> Encoded:
        """Pooled feature [B,D] for the heads, the pointer's losses when training, and its chosen box."""
        streams, losses, chosen_box = self.extract_streams(inputs, data_samples, training)
        return Encoded(self.fuse(streams)[0], losses, chosen_box)

    def encode(self, inputs: dict, data_samples: Sequence[RAVARDataSample]) -> torch.Tensor:
        """Pooled feature [B,D] for the heads."""
        return self.encode_for_head(inputs, data_samples, training=False).pooled
