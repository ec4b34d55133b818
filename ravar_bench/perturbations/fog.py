"""ImageNet-C's fog on a clip: one plasma-fractal fog layer per clip, shared by all its frames.

Per frame x on [0, 1] with peak m = max(x) (over the clean frame, all channels) and the severity's
(strength s, wibble decay d): ``x' = clip((x + s * P) * m / (m + s), 0, 1)``, cast to uint8 as ImageNet-C
does, where P in [0, 1] is a diamond-square height map of side the next power of two >= max(H, W)
(at least 2), cropped to the frame's top-left H x W, exactly as ``imagecorruptions`` does for any size.
"""

from __future__ import annotations

import numpy as np

from ravar_bench.perturbations.common import check_clip, register_perturbation, severity_row

FOG_VERSION = 1
FOG_LEVELS = ((1.5, 2.0), (2.0, 2.0), (2.5, 1.7), (2.5, 1.5), (3.0, 1.4))  # ImageNet-C (strength, wibble decay)


def plasma_fractal(size: int, decay: float, rng: np.random.Generator) -> np.ndarray:
    """A periodic diamond-square height map [size, size] (float32, min 0, max 1), ImageNet-C's fog texture.

    As in ImageNet-C, a new point is the mean of its four neighbours plus a uniform offset in
    [-w**2, w**2], where w starts at 100 and is divided by ``decay`` at each halving of the step.
    """
    if size < 2 or size & (size - 1):
        raise ValueError(f"plasma_fractal: size must be a power of two >= 2, got {size}")
    grid = np.zeros((size, size), dtype=np.float32)
    step, wibble = size, 100.0

    def jitter(mean: np.ndarray) -> np.ndarray:
        return mean + (wibble * rng.uniform(-wibble, wibble, mean.shape)).astype(np.float32)

    while step >= 2:
        half = step // 2
        corners = grid[::step, ::step]
        below, right = np.roll(corners, -1, axis=0), np.roll(corners, -1, axis=1)
        # Square step: the centre of each square of corners.
        grid[half::step, half::step] = jitter((corners + below + right + np.roll(below, -1, axis=1)) / 4)
        centres = grid[half::step, half::step]
        # Diamond step: the midpoints of the top and left edges, between two corners and two centres.
        grid[::step, half::step] = jitter((corners + right + centres + np.roll(centres, 1, axis=0)) / 4)
        grid[half::step, ::step] = jitter((corners + below + centres + np.roll(centres, 1, axis=1)) / 4)
        step, wibble = half, wibble / decay
    grid -= grid.min()
    return grid / grid.max()


@register_perturbation("fog", FOG_VERSION, FOG_LEVELS)
def fog(frames: np.ndarray, severity: int, rng: np.random.Generator) -> np.ndarray:
    """ImageNet-C fog on a uint8 clip [T, H, W, 3], with one fog layer for the whole clip."""
    check_clip(frames, "fog")
    strength, decay = severity_row(FOG_LEVELS, severity, "fog")
    count, height, width = frames.shape[:3]
    size = 1 << max(max(height, width) - 1, 1).bit_length()
    layer = plasma_fractal(size, decay, rng)[:height, :width, None] * np.float32(255 * strength)
    peak = frames.reshape(count, -1).max(axis=1).astype(np.float32) / 255
    gain = (peak / (peak + np.float32(strength)))[:, None, None, None]
    out = frames.astype(np.float32)
    out += layer
    out *= gain
    return np.clip(out, 0, 255, out=out).astype(np.uint8)
