"""A PNG contact sheet of key frames with the referred box, the reference and the action names."""

from __future__ import annotations

import io
import textwrap

import numpy as np

from ravar_bench.data.ava import action_name


def contact_sheet(infos: list[dict], columns: int = 4) -> bytes:
    """PNG bytes of a grid of key frames, each with its box, wrapped reference and action names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from ravar_bench.data.transforms import DecodeFrames, SampleClip

    decode, sample_clip = DecodeFrames(), SampleClip(num_frames=1)
    rows = -(-len(infos) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 4.2 * rows), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, info in zip(axes.flat, infos, strict=False):
        keyframe = decode(sample_clip(dict(info)))["keyframe"]
        height, width = keyframe.shape[:2]
        x1, y1, x2, y2 = np.asarray(info["gt_box"]) * [width, height, width, height]
        axis.imshow(keyframe)
        axis.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, edgecolor="lime", linewidth=2))
        actions = ", ".join(action_name(a) for a in info["labels"])
        axis.set_title(textwrap.fill(f"{info['text']}\n[{actions}]", 40, replace_whitespace=False), fontsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    plt.close(figure)
    return buffer.getvalue()
