"""The perturbation preview: a PNG grid of every perturbation at every severity on one key frame."""

from __future__ import annotations

import io

import numpy as np

from ravar_bench.perturbations.common import SEVERITIES
from ravar_bench.perturbations.transform import Perturb, known_perturbations

PREVIEW_KEY = "preview"  # the sample key the preview's perturbations are seeded with


def preview_cells(image: np.ndarray, seed: int = 0) -> dict[str, list[np.ndarray]]:
    """Per perturbation: the clean image, then the image perturbed by ``Perturb`` at severities 1-5."""
    rows = {}
    for name in known_perturbations():
        rows[name] = [image] + [Perturb(name, severity, seed)(dict(key=PREVIEW_KEY, keyframe=image.copy()))["keyframe"]
                                for severity in SEVERITIES]
    return rows


def preview_png(image: np.ndarray, seed: int = 0) -> bytes:
    """The labelled grid (rows: perturbations; columns: clean, severities 1-5) as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = preview_cells(image, seed)
    height, width = image.shape[:2]
    columns = 1 + len(SEVERITIES)
    figure = Figure(figsize=(columns * 2.0, len(rows) * 2.0 * height / width + 0.4), dpi=100)
    axes = figure.subplots(len(rows), columns, squeeze=False)
    for row, (name, cells) in zip(axes, rows.items(), strict=True):
        for column, (ax, cell) in enumerate(zip(row, cells, strict=True)):
            ax.imshow(cell)
            ax.set_xticks([])
            ax.set_yticks([])
            if column == 0:
                ax.set_ylabel(name, fontsize=10)
            if name == next(iter(rows)):
                ax.set_title("clean" if column == 0 else f"severity {column}", fontsize=10)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
