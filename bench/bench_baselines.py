"""Training throughput (forward + backward, clips/s) of every baseline's CPU submission on 2 threads.

One 16 x 8 x 3 x 64 x 64 batch (key frame 128 px) as the pipeline packs it; RefAtomNet's CPU submission is
measured in the same run and each baseline is reported as a ratio to it. Usage:
    python bench/bench_baselines.py [--repeats 3] [name ...]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

import ravar_bench.models.baselines  # noqa: F401  (registers the baselines)
from ravar_bench.registry import MODELS
from ravar_bench.structures import RAVARDataSample

BASELINES = ("i3d", "x3d", "mvitv2_b", "videomae2_b", "hiera_b", "singularity", "askanything", "mevtr", "clip4clip",
             "xclip", "blip2", "clip_sam", "clip_detr", "clip_refclip", "su_vos")
BATCH, FRAMES = 16, 8


def packed_batch(seed: int = 0, batch: int = BATCH, frames: int = FRAMES, clip_size: tuple[int, int] = (64, 64),
                 keyframe_size: tuple[int, int] = (128, 128), detections: int = 2) -> dict:
    """A collated batch shaped like PackRAVARInputs' output (uint8 frames and key frame, references, targets)."""
    g = torch.Generator().manual_seed(seed)
    samples = []
    for i in range(batch):
        names = [("person", "chair")[d % 2] for d in range(detections)]
        ds = RAVARDataSample(metainfo=dict(key=f"bench_{i}", text=f"the person number {i} on the left in red",
                                           det_names=names))
        ds.det_boxes, ds.det_scores = torch.rand(detections, 4, generator=g), torch.rand(detections, generator=g)
        ds.gt_labels = (torch.rand(80, generator=g) < 0.05).float()
        ds.gt_box = torch.tensor([0.2, 0.1, 0.6, 0.9])
        inputs = dict(frames=torch.randint(0, 256, (frames, 3, *clip_size), generator=g, dtype=torch.uint8),
                      keyframe=torch.randint(0, 256, (3, *keyframe_size), generator=g, dtype=torch.uint8))
        samples.append(dict(inputs=inputs, data_samples=ds))
    return pseudo_collate(samples)


def clips_per_second(name: str, data: dict, repeats: int) -> float:
    """Median clips/s of forward("loss") + backward of ``submissions/<name>.py`` (after one warm-up step)."""
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(f"submissions/{name}.py").model)
    model.train()
    batch = model.data_preprocessor(data, training=True)
    times = []
    for step in range(repeats + 1):
        start = time.perf_counter()
        sum(model(**batch, mode="loss").values()).backward()
        model.zero_grad(set_to_none=True)
        if step:
            times.append(time.perf_counter() - start)
    return BATCH / statistics.median(times)


def main() -> None:
    """Print clips/s per submission and the ratio to RefAtomNet's CPU submission measured in the same run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=BASELINES)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(2)
    data = packed_batch()
    reference = clips_per_second("refatomnet", data, args.repeats)
    print(f"{'submission':<14}{'clips/s':>9}{'x RefAtomNet':>14}")
    print(f"{'refatomnet':<14}{reference:>9.1f}{1.0:>14.2f}")
    for name in args.names:
        rate = clips_per_second(name, data, args.repeats)
        print(f"{name:<14}{rate:>9.1f}{rate / reference:>14.2f}", flush=True)


if __name__ == "__main__":
    main()
