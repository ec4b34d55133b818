"""How learnable is grounding the reference at CPU scale, and how does it scale with training samples?

Grounding alone, without actions: each sample's person detections are cut from the key frame
(RoIAlign, 16x8), and a small network learns to point at the one the reference describes. The target is
the detection with the highest IoU to the ground-truth box (a training label every RAVAR model has), so
the pointer gets direct supervision, a stronger signal than any leaderboard model's box loss. Scored on
val as the share of samples whose highest-scoring detection is that target.

- detection token: a 2-layer CNN over the crop (flattened, so top and bottom colours stay apart) plus an
  MLP of the box geometry (position, depth row and build are in the box);
- reference: the mean of word and word-bigram embeddings (hashed ids; the bigrams keep "red top" and "red
  trousers" apart);
- score: a scaled dot product of the two projections, softmax over the sample's detections.

Extra training roots (RefAVA-Synth generated with other seeds) measure how the accuracy scales with the
number of training samples. Every draw is seeded. Usage::

    python studies/grounding.py --data-root DIR [--extra-train-root DIR2 ...] [--train-samples 1000 2000]
"""

from __future__ import annotations

import argparse
import itertools
import re
import time

import numpy as np
import torch
from torch import nn
from torchvision.ops import box_iou, roi_align

from ravar_bench.data.dataset import RefAVADataset
from ravar_bench.models.tokenizers import HashingTokenizer

MAX_PERSONS = 8
CROP = (16, 8)  # height, width of a detection's key-frame crop
TOKENIZER = HashingTokenizer(vocab_size=4096, max_length=48)


def with_bigrams(text: str) -> str:
    """The reference's words, then one pseudo-word per adjacent pair ("red top" adds "redxtop", one token)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " ".join(words + [f"{a}x{b}" for a, b in itertools.pairwise(words)])


def load_split(data_root: str, split: str) -> dict[str, torch.Tensor]:
    """Key-frame crops of every sample's person detections, their boxes, the reference ids and the target."""
    pipeline = [dict(type="SampleClip", num_frames=1), dict(type="DecodeFrames")]
    dataset = RefAVADataset(data_root=data_root, split=split, pipeline=pipeline)
    samples = [dataset[i] for i in range(len(dataset))]
    n = len(samples)
    boxes, valid = torch.zeros(n, MAX_PERSONS, 4), torch.zeros(n, MAX_PERSONS, dtype=torch.bool)
    crops = torch.zeros(n, MAX_PERSONS, 3, *CROP)
    for i, sample in enumerate(samples):
        dets = sample["detections"]
        persons = [b for b, name in zip(dets["boxes"], dets["names"], strict=True) if name == "person"][:MAX_PERSONS]
        if not persons:
            continue
        height, width = sample["keyframe"].shape[:2]
        image = torch.from_numpy(sample["keyframe"]).permute(2, 0, 1)[None].float() / 255
        pixel = torch.tensor(np.asarray(persons), dtype=torch.float32) * torch.tensor([width, height, width, height])
        crops[i, : len(persons)] = roi_align(image, [pixel], CROP, 1.0, 2, True)
        boxes[i, : len(persons)] = torch.tensor(np.asarray(persons), dtype=torch.float32)
        valid[i, : len(persons)] = True
    gt = torch.stack([torch.as_tensor(s["gt_box"], dtype=torch.float32).reshape(4) for s in samples])
    iou = torch.stack([box_iou(gt[i : i + 1], boxes[i])[0] for i in range(n)]).masked_fill(~valid, -1)
    text = TOKENIZER([with_bigrams(s["text"]) for s in samples])
    return {"crops": crops, "boxes": boxes, "valid": valid, "ids": text["input_ids"],
            "mask": text["attention_mask"], "target": iou.argmax(1), "reachable": iou.max(1).values >= 0.5}


class Pointer(nn.Module):
    """Scores each detection token against the reference: [B, K] logits."""

    def __init__(self, dim: int = 128) -> None:
        super().__init__()
        self.appearance = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Flatten(), nn.Linear(32 * (CROP[0] // 2) * (CROP[1] // 2), dim))
        self.geometry = nn.Sequential(nn.Linear(8, dim), nn.ReLU(), nn.Linear(dim, dim))
        self.words = nn.Embedding(TOKENIZER.vocab_size, dim)
        self.query, self.key = nn.Linear(dim, dim), nn.Linear(dim, dim)

    def forward(self, crops, boxes, valid, ids, mask) -> torch.Tensor:
        b, k = boxes.shape[:2]
        size = boxes[..., 2:] - boxes[..., :2]
        geometry = torch.cat([boxes, boxes[..., :2] + size / 2, size], dim=-1)
        tokens = self.appearance(crops.flatten(0, 1)).view(b, k, -1) + self.geometry(geometry)
        weights = mask.unsqueeze(-1).float()
        reference = (self.words(ids) * weights).sum(1) / weights.sum(1).clamp(min=1)
        logits = (self.query(reference).unsqueeze(1) * self.key(tokens)).sum(-1) / tokens.shape[-1] ** 0.5
        return logits.masked_fill(~valid, -1e4)


INPUTS = ("crops", "boxes", "valid", "ids", "mask")


def train_and_score(train: dict, val: dict, epochs: int, lr: float, seed: int) -> list[dict]:
    """Train a pointer with cross-entropy on the target detection; val accuracy after every epoch."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = Pointer()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.05)
    count = len(train["target"])
    steps = epochs * ((count + 31) // 32)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps, pct_start=0.1)
    history = []
    for epoch in range(epochs):
        model.train()
        start = time.time()
        for batch in torch.randperm(count, generator=generator).split(32):
            loss = nn.functional.cross_entropy(model(*(train[k][batch] for k in INPUTS)), train["target"][batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        model.eval()
        with torch.no_grad():
            hits = model(*(val[k] for k in INPUTS)).argmax(1) == val["target"]
        history.append({"epoch": epoch + 1, "val_accuracy": 100 * hits.float().mean().item(),
                        "seconds": time.time() - start})
    return history


def run_study(data_root: str, extra_roots: list[str], train_samples: list[int], epochs: int, lr: float,
              seed: int) -> dict:
    """One pointer per training-set size (the first N samples of the pooled training roots)."""
    parts = [load_split(data_root, "train")] + [load_split(root, split) for root in extra_roots
                                                 for split in ("train", "val", "test")]
    pooled = {k: torch.cat([p[k] for p in parts]) for k in parts[0]}
    val = load_split(data_root, "val")
    rows = []
    for n in train_samples or [len(pooled["target"])]:
        subset = {k: v[:n] for k, v in pooled.items()}
        rows += [{"train_samples": len(subset["target"]), **row}
                 for row in train_and_score(subset, val, epochs, lr, seed)]
    return {"val_samples": len(val["target"]), "val_reachable": 100 * val["reachable"].float().mean().item(),
            "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", required=True, help="RefAVA-Synth (or RefAVA) folder; its val split is scored")
    parser.add_argument("--extra-train-root", action="append", default=[],
                        help="another RefAVA-Synth folder (other seed) whose three splits are added to training")
    parser.add_argument("--train-samples", type=int, nargs="*", default=[], help="training-set sizes to compare")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="also write the rows, the arguments and their provenance to this JSON file")
    args = parser.parse_args()
    torch.set_num_threads(2)
    study = run_study(args.data_root, args.extra_train_root, args.train_samples, args.epochs, args.lr, args.seed)
    print(f"val samples {study['val_samples']}, target detection overlaps the truth (IoU >= 0.5) on "
          f"{study['val_reachable']:.1f}%")
    for row in study["rows"]:
        print(f"train {row['train_samples']:5d} epoch {row['epoch']:2d} val grounding {row['val_accuracy']:5.1f}% "
              f"({row['seconds']:.0f} s)")
    if args.out:
        from ravar_bench.engine.study_record import study_record, write_study_record

        data_splits = {"data_root": ("train", "val"), "extra_train_root": ("train", "val", "test")}
        write_study_record(args.out, study_record("grounding", vars(args), data_splits, study, torch.device("cpu")))


if __name__ == "__main__":
    main()
