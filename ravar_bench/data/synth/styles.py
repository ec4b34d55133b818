"""Scene styles (wall texture, palette, floor) and the background they paint; each split owns its own.

Train, val and test use disjoint textures AND disjoint palettes, the synthetic counterpart of the
paper's disjoint movies: a model cannot recognise a test scene's look from training.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import cv2
import numpy as np

Colour = tuple[int, int, int]  # RGB

# (name, wall, wall accent, floor) per split; no palette or texture is shared between splits.
_PALETTES: dict[str, tuple[tuple[str, Colour, Colour, Colour], ...]] = {
    "train": (("beige", (214, 200, 170), (188, 170, 136), (120, 96, 70)),
              ("terracotta", (196, 128, 96), (170, 104, 78), (96, 80, 72)),
              ("olive", (160, 160, 104), (132, 134, 84), (110, 100, 80)),
              ("sand", (226, 214, 180), (204, 186, 150), (140, 120, 96))),
    "val": (("steel", (150, 170, 190), (124, 144, 166), (84, 88, 96)),
            ("lavender", (186, 176, 210), (160, 150, 190), (100, 92, 110))),
    "test": (("teal", (110, 170, 166), (86, 146, 142), (70, 84, 84)),
             ("mint", (184, 224, 200), (156, 200, 176), (104, 120, 110)),
             ("plum", (150, 110, 140), (126, 88, 118), (80, 66, 76))),
}
_TEXTURES: dict[str, tuple[str, ...]] = {
    "train": ("stripes", "checker", "bricks"),
    "val": ("dots", "waves"),
    "test": ("diagonal", "panels", "grain"),
}
HORIZON = 0.52  # wall/floor boundary as a fraction of the frame height


@dataclass(frozen=True)
class Style:
    """One scene look: a texture drawn in a palette's wall colours above a plain floor."""

    name: str
    texture: str
    wall: Colour
    accent: Colour
    floor: Colour


def split_styles(split: str) -> tuple[Style, ...]:
    """All styles of one split (texture x palette)."""
    if split not in _TEXTURES:
        raise ValueError(f"split must be one of {tuple(_TEXTURES)}, got {split!r}")
    return tuple(Style(f"{texture}-{name}", texture, wall, accent, floor)
                 for texture, (name, wall, accent, floor) in product(_TEXTURES[split], _PALETTES[split]))


def _texture_mask(texture: str, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """Boolean [height, width] mask of the accent-coloured texture pixels."""
    y, x = np.mgrid[:height, :width]
    period = int(rng.integers(8, 17))
    offset = int(rng.integers(0, period))
    if texture == "stripes":
        return ((x + offset) // (period // 2)) % 2 == 0
    if texture == "checker":
        return (((x + offset) // period) + (y // period)) % 2 == 0
    if texture == "bricks":
        row = y // (period // 2)
        return ((y % (period // 2)) == 0) | (((x + offset + (row % 2) * period // 2) % period) == 0)
    if texture == "dots":
        return ((x + offset) % period - period // 2) ** 2 + (y % period - period // 2) ** 2 <= (period // 4) ** 2
    if texture == "waves":
        return np.sin((y + 2.0 * np.sin(x * 2 * np.pi / (2 * period))) * 2 * np.pi / period) > 0.4
    if texture == "diagonal":
        return ((x + y + offset) // (period // 2)) % 2 == 0
    if texture == "panels":
        return ((x + offset) % (2 * period) < 2) | (y % (2 * period) < 2)
    if texture == "grain":
        return rng.random((height, width)) < 0.35
    raise ValueError(f"unknown texture {texture!r}")


def paint_background(style: Style, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """RGB uint8 [height, width, 3] background: textured wall, floor with a soft shade towards the camera."""
    image = np.empty((height, width, 3), np.uint8)
    image[:] = style.wall
    image[_texture_mask(style.texture, height, width, rng)] = style.accent
    horizon = round(HORIZON * height)
    shade = np.linspace(0.85, 1.1, height - horizon)[:, None, None]
    image[horizon:] = np.clip(np.asarray(style.floor, np.float32) * shade, 0, 255).astype(np.uint8)
    cv2.line(image, (0, horizon), (width - 1, horizon), tuple(int(c * 0.7) for c in style.accent), 1)
    return image
