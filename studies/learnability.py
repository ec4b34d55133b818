"""How learnable are RefAVA-Synth's actions at CPU scale? Oracle-grounding upper bound vs no grounding.

The same small 3D CNN is trained from scratch on three views of each sample:

- ``oracle-crop``: the clip cropped to the ground-truth key-frame box (padded), so grounding is solved;
- ``oracle-mask``: the whole clip plus a fourth channel that is 1 inside the ground-truth box;
- ``clip``: the whole clip, no box (what a model that ignores the reference can at best do).

The gap between ``oracle-*`` and ``clip`` is the headroom that grounding the reference can win; the
``oracle-crop`` score bounds what a CPU-scale model can reach on actions. Decoded clips are cached in
memory once; every random draw is seeded. Usage::

    python studies/learnability.py --data-root DIR [--epochs 12] [--views oracle-crop clip] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import time

import cv2
import numpy as np
import torch
from sklearn.metrics import average_precision_score, roc_auc_score
from torch import nn

from ravar_bench.data.dataset import RefAVADataset
from ravar_bench.data.transforms import multi_hot
from ravar_bench.models.heads import RAVARHead

VIEWS = ("oracle-crop", "oracle-mask", "clip")
HEADS = ("linear", "ravar", "ravar-linear")


def decode_split(data_root: str, split: str, num_frames: int) -> tuple[list[dict], str]:
    """Native-resolution clips, ground-truth boxes and labels of one split, and the split's manifest hash."""
    pipeline = [dict(type="SampleClip", num_frames=num_frames), dict(type="DecodeFrames")]
    dataset = RefAVADataset(data_root=data_root, split=split, pipeline=pipeline)
    return [dataset[i] for i in range(len(dataset))], dataset.metainfo["manifest_sha256"]


def crop_clip(frames: np.ndarray, box: np.ndarray, size: int, pad: float = 0.15) -> np.ndarray:
    """The clip [T, H, W, 3] cropped to the normalised box grown by ``pad`` per side, resized to size x size."""
    height, width = frames.shape[1:3]
    x1, y1, x2, y2 = box
    dx, dy = pad * (x2 - x1), pad * (y2 - y1)
    left, right = int(max(0, (x1 - dx) * width)), int(min(width, np.ceil((x2 + dx) * width)))
    top, bottom = int(max(0, (y1 - dy) * height)), int(min(height, np.ceil((y2 + dy) * height)))
    right, bottom = max(right, left + 1), max(bottom, top + 1)
    return np.stack([cv2.resize(f[top:bottom, left:right], (size, size), interpolation=cv2.INTER_AREA)
                     for f in frames])


def view_tensor(sample: dict, view: str, size: int) -> torch.Tensor:
    """One sample as a float [C, T, size, size] tensor in 0..1 for the given view."""
    frames, box = sample["frames"], np.asarray(sample["gt_box"], dtype=np.float64).reshape(4)
    if view == "oracle-crop":
        clip = crop_clip(frames, box, size)
    else:
        clip = np.stack([cv2.resize(f, (size, size), interpolation=cv2.INTER_AREA) for f in frames])
    tensor = torch.from_numpy(clip).float().div(255).permute(3, 0, 1, 2)
    if view == "oracle-mask":
        mask = torch.zeros(1, *tensor.shape[1:])
        x1, y1, x2, y2 = (box * size).round().astype(int)
        mask[..., y1:max(y2, y1 + 1), x1:max(x2, x1 + 1)] = 1.0
        tensor = torch.cat([tensor, mask])
    return tensor


class Small3DCNN(nn.Module):
    """Four conv blocks (3x3x3, BN, ReLU, spatial pooling), global average pooling, then a classifier: a linear
    layer, or the harness's RAVAR head (its class MLP, with or without the linear path; docs/MODELS.md)."""

    def __init__(self, in_channels: int, num_classes: int, width: int = 32, head: str = "linear") -> None:
        super().__init__()
        blocks, channels = [], in_channels
        for out in (width, width * 2, width * 4, width * 4):
            blocks += [nn.Conv3d(channels, out, 3, padding=1, bias=False), nn.BatchNorm3d(out), nn.ReLU(inplace=True),
                       nn.MaxPool3d((1, 2, 2))]
            channels = out
        self.features = nn.Sequential(*blocks)
        self.classifier = (nn.Linear(channels, num_classes) if head == "linear" else
                           RAVARHead(channels, num_classes, linear_skip=head == "ravar-linear"))

    @property
    def prior_bias(self) -> nn.Parameter:
        """The class-logit bias that starts at the training prior."""
        return self.classifier.prior_bias if isinstance(self.classifier, RAVARHead) else self.classifier.bias

    def forward(self, clips: torch.Tensor) -> torch.Tensor:
        logits = self.classifier(self.features(clips).mean(dim=(2, 3, 4)))
        return logits[0] if isinstance(self.classifier, RAVARHead) else logits  # a RAVAR head adds a box


def scores(labels: np.ndarray, logits: np.ndarray) -> dict[str, float]:
    """Macro AP and AUROC (percent) over the classes with a positive and a negative in this split."""
    keep = (labels.sum(0) > 0) & (labels.sum(0) < len(labels))
    return {"mAP": 100 * average_precision_score(labels[:, keep], logits[:, keep], average="macro"),
            "AUROC": 100 * roc_auc_score(labels[:, keep], logits[:, keep], average="macro")}


def train_and_evaluate(train: tuple, val: tuple, epochs: int, seed: int, lr: float, head: str = "linear") -> list[dict]:
    """Train on ``train`` = (x, y), return per-epoch train-loss and val scores."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    x_train, y_train = train
    model = Small3DCNN(x_train.shape[1], y_train.shape[1], head=head)
    with torch.no_grad():  # start from the class priors, like the RAVAR head
        prior = y_train.mean(0).clamp(1e-4, 1 - 1e-4)
        model.prior_bias.copy_(torch.log(prior / (1 - prior)))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.05)
    steps = epochs * ((len(x_train) + 31) // 32)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps, pct_start=0.1)
    history = []
    for epoch in range(epochs):
        model.train()
        order, losses, start = torch.randperm(len(x_train), generator=generator), [], time.time()
        for batch in order.split(32):
            loss = nn.functional.binary_cross_entropy_with_logits(model(x_train[batch]), y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(x) for x in val[0].split(64)]).numpy()
        history.append({"epoch": epoch + 1, "loss": float(np.mean(losses)), "seconds": time.time() - start,
                        **scores(val[1].numpy(), logits)})
    return history


def run_study(data_root: str, views: list[str], size: int = 32, num_frames: int = 8, epochs: int = 12,
              lr: float = 3e-3, seed: int = 0, head: str = "linear") -> dict:
    """Train and validate one network per view: ``{"manifests": per split, "rows": one per (view, epoch)}``."""
    decoded = {split: decode_split(data_root, split, num_frames) for split in ("train", "val")}
    splits = {split: samples for split, (samples, _) in decoded.items()}
    rows = []
    for view in views:
        data = {split: (torch.stack([view_tensor(s, view, size) for s in samples]),
                        torch.stack([multi_hot(s["labels"]) for s in samples]))
                for split, samples in splits.items()}
        history = train_and_evaluate(data["train"], data["val"], epochs, seed, lr, head)
        rows += [{"view": view, **row} for row in history]
    return {"manifests": {split: manifest for split, (_, manifest) in decoded.items()}, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", required=True)
    parser.add_argument("--views", nargs="+", choices=VIEWS, default=list(VIEWS))
    parser.add_argument("--size", type=int, default=32, help="side of the network input")
    parser.add_argument("--num-frames", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--head", choices=HEADS, default="linear",
                        help="the classifier: linear, or the RAVAR head without / with its linear path")
    parser.add_argument("--out", help="also write the rows, the arguments and their provenance to this JSON file")
    args = parser.parse_args()
    torch.set_num_threads(2)
    study = run_study(args.data_root, args.views, args.size, args.num_frames, args.epochs, args.lr, args.seed,
                      args.head)
    for row in study["rows"]:
        print(f"{row['view']:12s} epoch {row['epoch']:2d} loss {row['loss']:.4f} val mAP {row['mAP']:5.2f} "
              f"AUROC {row['AUROC']:5.2f} ({row['seconds']:.0f} s)")
    if args.out:
        from ravar_bench.engine.study_record import study_record, write_study_record

        record = study_record("learnability", vars(args), {"data_root": ("train", "val")}, study,
                              torch.device("cpu"))  # CPU only
        write_study_record(args.out, record)


if __name__ == "__main__":
    main()
