"""A contact sheet of tiles: each a key frame with boxes over a block of text lines, titled by its sample key.

Shared by ``data show`` (ground truth) and ``show`` (a run's predictions). Sizes are chosen for reading at
100 % zoom: 10-point text at 100 dpi (about 14 px high), one tile 4.8 inches wide.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

DPI = 100
FONT_SIZE = 10
TILE_WIDTH, IMAGE_HEIGHT, LINE_HEIGHT = 4.8, 3.6, 0.19  # inches
WRAP = 62  # characters per text line at FONT_SIZE in TILE_WIDTH


@dataclass(frozen=True)
class Box:
    """A normalised (x1, y1, x2, y2) box drawn in ``colour`` with matplotlib's ``style`` ('-' or '--')."""

    xyxy: Sequence[float]
    colour: str
    style: str = "-"


@dataclass(frozen=True)
class Tile:
    """One sample: its key frame (RGB uint8), title (the sample key first), boxes and text lines."""

    frame: np.ndarray
    title: str
    boxes: Sequence[Box] = ()
    lines: Sequence[str] = field(default_factory=tuple)


def keyframe(info: dict) -> np.ndarray:
    """The key frame (RGB uint8, own resolution) of a dataset ``data_info``."""
    from ravar_bench.data.transforms import DecodeFrames, SampleClip

    return DecodeFrames()(SampleClip(num_frames=1)(dict(info)))["keyframe"]


def wrapped(lines: Sequence[str]) -> list[str]:
    """Each line wrapped to the tile width (a line never runs into the next tile)."""
    return [part for line in lines for part in (textwrap.wrap(line, WRAP) or [""])]


def contact_sheet(tiles: Sequence[Tile], columns: int = 4, heading: str | None = None) -> bytes:
    """PNG bytes of the tiles in a grid, ``columns`` wide, with an optional heading line above."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    texts = [wrapped(t.lines) for t in tiles]
    text_height = LINE_HEIGHT * max(len(t) for t in texts) + 0.1
    columns = min(columns, len(tiles))
    rows = -(-len(tiles) // columns)
    top = 0.5 if heading else 0.1
    row_height = 0.35 + IMAGE_HEIGHT + text_height
    figure = Figure(figsize=(TILE_WIDTH * columns, row_height * rows + top), dpi=DPI)
    grid = figure.add_gridspec(2 * rows, columns, height_ratios=[IMAGE_HEIGHT + 0.35, text_height] * rows,
                               left=0.01, right=0.99, bottom=0.005, top=1 - top / (row_height * rows + top),
                               wspace=0.04, hspace=0.0)
    for n, (tile, lines) in enumerate(zip(tiles, texts, strict=True)):
        row, col = divmod(n, columns)
        image, text = figure.add_subplot(grid[2 * row, col]), figure.add_subplot(grid[2 * row + 1, col])
        height, width = tile.frame.shape[:2]
        image.imshow(tile.frame)
        for box in tile.boxes:
            x1, y1, x2, y2 = np.asarray(box.xyxy, dtype=float) * [width, height, width, height]
            image.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, edgecolor=box.colour,
                                      linestyle=box.style, linewidth=2.5))
        image.set_title(tile.title, fontsize=FONT_SIZE + 1, fontweight="bold", loc="left")
        image.set_xticks([])
        image.set_yticks([])
        text.axis("off")
        text.text(0.0, 1.0, "\n".join(lines), fontsize=FONT_SIZE, va="top", ha="left", transform=text.transAxes,
                  linespacing=1.25)
    if heading:
        figure.suptitle(heading, fontsize=FONT_SIZE + 3, x=0.01, ha="left", y=1 - 0.1 / (row_height * rows + top))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
