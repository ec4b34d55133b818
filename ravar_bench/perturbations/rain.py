"""Rain after the RefAtomNet paper's appendix G.1: ellipse raindrops, beta blending and motion blur.

Per frame (drops are redrawn every frame: they fall), with the clip's fall angle theta ~ U(-20, 20)
degrees from vertical drawn once (the wind is steady over a clip):

1. raindrops: ``n`` ellipses at uniform positions, long radius a ~ U(0.5, 1) * length / 2 and short
   radius b ~ U(0.5, 1) * width / 2 (pixels at a 224-pixel short side, scaled with the frame), long axis
   along theta + U(-5, 5) degrees, each with its own transparency beta ~ U(beta_min, beta_max);
   anti-aliased, drawn into a drop-opacity layer B (later drops cover earlier ones);
2. motion blur: B is averaged over ``blur`` pixels along theta (see :func:`falling_rain`);
3. beta blending onto the darkened frame: ``I' = (1 - B) * (darken * I) + B * R`` with R = 220, a light grey.

The paper's numeric ranges were lost in its text; the table below is ours (``RAIN_VERSION``), ordered so
that every parameter grows (or the frame darkens) with severity. The authors' release drew line streaks
instead; we follow the paper.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ravar_bench.perturbations.common import check_clip, register_perturbation, severity_row

RAIN_VERSION = 1
REFERENCE_SIDE = 224  # lengths in the table are pixels on a frame of this short side
DROP_VALUE = 220.0  # R, the raindrop's intensity in the beta blend
MAX_TILT = 20.0  # degrees: the clip's fall direction is U(-MAX_TILT, MAX_TILT) from vertical
DROP_TILT = 5.0  # degrees: each drop's own deviation from the fall direction
_SHIFT = 4  # cv2 drawing with 4 fractional bits: sub-pixel centres and radii


@dataclass(frozen=True)
class RainLevel:
    """One severity of rain."""

    density: float  # drops per 10,000 pixels of frame area, per frame
    length: float  # drop length (2a), pixels at the reference side
    width: float  # drop width (2b), pixels at the reference side
    beta: tuple[float, float]  # range of the drops' opacity
    blur: float  # motion-blur length, pixels at the reference side
    darken: float  # factor on the background (overcast light)


RAIN_LEVELS = (
    RainLevel(density=13, length=10, width=1.0, beta=(0.20, 0.40), blur=5, darken=0.9),
    RainLevel(density=13, length=20, width=1.0, beta=(0.25, 0.50), blur=9, darken=0.8),
    RainLevel(density=13, length=30, width=1.5, beta=(0.30, 0.60), blur=13, darken=0.7),
    RainLevel(density=20, length=40, width=1.5, beta=(0.35, 0.70), blur=17, darken=0.6),
    RainLevel(density=25, length=50, width=2.0, beta=(0.40, 0.80), blur=21, darken=0.5),
)


def drop_layers(count: int, height: int, width: int, level: RainLevel, rng: np.random.Generator) -> np.ndarray:
    """Per frame, an opacity layer [count, H, W] (float32 in [0, 1]) of drops falling straight down."""
    scale = min(height, width) / REFERENCE_SIDE
    shape = (count, max(1, round(level.density * height * width / 1e4)))
    fixed = 1 << _SHIFT
    centres = np.rint(rng.random((*shape, 2)) * [width, height] * fixed).astype(int)
    axes = np.rint(rng.uniform(0.5, 1.0, (*shape, 2)) * [level.length, level.width] * scale / 2 * fixed).astype(int)
    angles = 90.0 + rng.uniform(-DROP_TILT, DROP_TILT, shape)  # cv2 measures from the x axis
    opacity = np.rint(rng.uniform(*level.beta, shape) * 255).astype(int)
    layers = np.zeros((count, height, width), dtype=np.uint8)
    for frame, layer in enumerate(layers):
        for (cx, cy), (a, b), angle, alpha in zip(centres[frame], axes[frame], angles[frame], opacity[frame],
                                                  strict=True):
            cv2.ellipse(layer, (cx, cy), (a, b), angle, 0, 360, int(alpha), -1, cv2.LINE_AA, _SHIFT)
    return layers.astype(np.float32) / 255


def falling_rain(count: int, height: int, width: int, level: RainLevel, tilt: float,
                 rng: np.random.Generator) -> np.ndarray:
    """Motion-blurred drop opacity [count, H, W, 1] for rain falling at ``tilt`` degrees from vertical.

    The drops are drawn upright and blurred vertically on a canvas sheared by tan(tilt), then sheared
    back: the drops and their motion blur both end up along the fall direction, and the blur stays a
    cheap one-dimensional box filter at any length.
    """
    offsets = np.rint(np.arange(height) * np.tan(np.radians(tilt))).astype(int)
    offsets -= offsets.min()
    canvas = drop_layers(count, height, width + int(offsets.max()), level, rng)
    blur = max(1, round(level.blur * min(height, width) / REFERENCE_SIDE))
    # One box filter blurs every frame: the frames are its channels.
    blurred = cv2.blur(np.ascontiguousarray(canvas.transpose(1, 2, 0)), (1, blur), borderType=cv2.BORDER_REFLECT)
    columns = offsets[:, None] + np.arange(width)  # canvas column of each frame pixel, row by row
    return np.take_along_axis(blurred.reshape(height, -1, count), columns[..., None], axis=1).transpose(2, 0, 1)[
        ..., None]


@register_perturbation("rain", RAIN_VERSION, RAIN_LEVELS)
def rain(frames: np.ndarray, severity: int, rng: np.random.Generator) -> np.ndarray:
    """Rain (paper appendix G.1) on a uint8 clip [T, H, W, 3]: new drops every frame, one fall angle per clip."""
    check_clip(frames, "rain")
    level = severity_row(RAIN_LEVELS, severity, "rain")
    count, height, width = frames.shape[:3]
    beta = falling_rain(count, height, width, level, rng.uniform(-MAX_TILT, MAX_TILT), rng)
    out = frames.astype(np.float32)
    out *= (1 - beta) * np.float32(level.darken)
    out += beta * np.float32(DROP_VALUE)
    return np.clip(out, 0, 255, out=out).astype(np.uint8)
