"""Drawing: a scene's background and static objects once, then stick figures and handled objects per frame.

Figures are thick anti-aliased cv2 lines and circles at sub-pixel precision (``shift``), coloured by
the plan's clothing, hair and hat colours; RGB throughout. JPEG encoding uses fixed parameters so the
same frame always gives the same bytes.
"""

from __future__ import annotations

import cv2
import numpy as np

from ravar_bench.data.synth.motion import (
    B_ELBOW,
    B_FOOT,
    B_HAND,
    B_KNEE,
    F_ELBOW,
    F_FOOT,
    F_HAND,
    F_KNEE,
    HEAD,
    HIP,
    NECK,
    ObjectTrack,
    PersonTrack,
    scene_tracks,
)
from ravar_bench.data.synth.plan import (
    COLOURS,
    FRAME_HEIGHT,
    FRAME_WIDTH,
    HAIR_COLOURS,
    SKIN_TONES,
    SceneObject,
    ScenePlan,
    scene_seed,
)
from ravar_bench.data.synth.styles import paint_background

SHIFT = 4  # cv2 fractional bits: coordinates are drawn at 1/16 pixel precision
_ONE = 1 << SHIFT
JPEG_PARAMS = (cv2.IMWRITE_JPEG_QUALITY, 85, cv2.IMWRITE_JPEG_OPTIMIZE, 0, cv2.IMWRITE_JPEG_PROGRESSIVE, 0,
               cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444)
_DARK = (30, 30, 30)


def _pt(xy) -> tuple[int, int]:
    """A float pixel point as cv2 fixed-point integers."""
    return round(float(xy[0]) * _ONE), round(float(xy[1]) * _ONE)


def _line(img: np.ndarray, a, b, colour, thickness: int) -> None:
    """Anti-aliased sub-pixel line from ``a`` to ``b``."""
    cv2.line(img, _pt(a), _pt(b), colour, thickness, cv2.LINE_AA, SHIFT)


def _disc(img: np.ndarray, centre, radius: float, colour) -> None:
    """Filled anti-aliased sub-pixel disc."""
    cv2.circle(img, _pt(centre), round(radius * _ONE), colour, -1, cv2.LINE_AA, SHIFT)


def _rect(img: np.ndarray, x1: float, y1: float, x2: float, y2: float, colour) -> None:
    """Filled axis-aligned rectangle with sub-pixel corners."""
    corners = np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2]]) * _ONE
    cv2.fillConvexPoly(img, np.round(corners).astype(np.int32), colour, cv2.LINE_AA, SHIFT)


def _shade(colour, factor: float) -> tuple[int, int, int]:
    """``colour`` darkened (factor < 1) or lightened, clipped to 255."""
    return tuple(int(min(255, c * factor)) for c in colour)


def _draw_static(img: np.ndarray, obj: SceneObject) -> None:
    """One piece of furniture or decoration, drawn into the background."""
    x1, y1, x2, y2 = (v * s for v, s in zip(obj.box, (FRAME_WIDTH, FRAME_HEIGHT) * 2, strict=True))
    w, h = x2 - x1, y2 - y1
    wood = (120, 80, 45)
    if obj.name == "tv":
        _rect(img, x1, y1, x2, y2, _DARK)
        _rect(img, x1 + 0.08 * w, y1 + 0.1 * h, x2 - 0.08 * w, y2 - 0.12 * h, (70, 110, 160))
    elif obj.name == "clock":
        centre, radius = ((x1 + x2) / 2, (y1 + y2) / 2), min(w, h) / 2
        _disc(img, centre, radius, _DARK)
        _disc(img, centre, radius * 0.8, (240, 240, 230))
        _line(img, centre, (centre[0], centre[1] - radius * 0.6), _DARK, 1)
    elif obj.name == "potted plant":
        _rect(img, x1 + 0.25 * w, y1 + 0.6 * h, x2 - 0.25 * w, y2, (150, 75, 40))
        for dx, dy in ((0.5, 0.3), (0.3, 0.45), (0.7, 0.45), (0.5, 0.15)):
            _disc(img, (x1 + dx * w, y1 + dy * h), 0.22 * w, (40, 120, 50))
    elif obj.name == "dining table":
        _rect(img, x1, y1, x2, y1 + 0.2 * h, wood)
        for fx in (0.08, 0.88):
            _rect(img, x1 + fx * w, y1, x1 + (fx + 0.05) * w, y2, _shade(wood, 0.8))
    elif obj.name == "couch":
        colour = (90, 100, 130)
        _rect(img, x1, y1, x2, y1 + 0.6 * h, _shade(colour, 0.85))
        _rect(img, x1, y1 + 0.45 * h, x2, y2, colour)
        _rect(img, x1, y1 + 0.3 * h, x1 + 0.1 * w, y2, _shade(colour, 0.7))
        _rect(img, x2 - 0.1 * w, y1 + 0.3 * h, x2, y2, _shade(colour, 0.7))
    elif obj.name == "chair":
        _rect(img, x1, y1, x1 + 0.15 * w, y2, wood)
        _rect(img, x2 - 0.15 * w, y1, x2, y2, wood)
        _rect(img, x1, y1 + 0.5 * h, x2, y1 + 0.6 * h, _shade(wood, 1.2))
    else:
        raise ValueError(f"no drawing for scene object {obj.name!r}")


def scene_background(scene: ScenePlan, seed: int) -> np.ndarray:
    """The scene's textured background with its static objects, RGB uint8 [H, W, 3]."""
    rng = np.random.default_rng(scene_seed(seed, scene.split, scene.index, 1))
    image = paint_background(scene.style, FRAME_HEIGHT, FRAME_WIDTH, rng)
    for obj in scene.objects:
        _draw_static(image, obj)
    return image


def _draw_person(img: np.ndarray, track: PersonTrack, t: int) -> None:
    """One stick figure at frame ``t``: back limbs, torso, front limbs, head, hair, hat, face."""
    look, j = track.plan.look, track.joints[t]
    top, bottom, skin = COLOURS[look.top], COLOURS[look.bottom], SKIN_TONES[look.skin]
    limb, r = track.limb, track.head_radius
    back_limbs = (((HIP, B_KNEE, B_FOOT), _shade(bottom, 0.75)), ((NECK, B_ELBOW, B_HAND), _shade(top, 0.75)))
    for (a, b, c), colour in back_limbs:
        _line(img, j[a], j[b], colour, limb)
        _line(img, j[b], j[c], colour, limb)
    _line(img, j[HIP], j[F_KNEE], bottom, limb)
    _line(img, j[F_KNEE], j[F_FOOT], bottom, limb)
    _line(img, j[HIP], j[NECK], top, track.torso)
    _line(img, j[NECK], j[F_ELBOW], top, limb)
    _line(img, j[F_ELBOW], j[F_HAND], top, limb)
    _disc(img, j[F_HAND], limb * 0.6, skin)
    head = j[HEAD]
    _disc(img, head, r, skin)
    if look.hair is not None:
        cv2.ellipse(img, _pt(head), (round(r * _ONE), round(r * _ONE)), 0, 180, 360, HAIR_COLOURS[look.hair], -1,
                    cv2.LINE_AA, SHIFT)
    if look.hat is not None:
        hat = COLOURS[look.hat]
        _rect(img, head[0] - r, head[1] - 1.6 * r, head[0] + r, head[1] - 0.4 * r, hat)
        brim = track.plan.facing * 1.5 * r
        _line(img, (head[0] - track.plan.facing * r, head[1] - 0.4 * r), (head[0] + brim, head[1] - 0.4 * r), hat, 1)
    eye_y = head[1] + (0.05 + 0.35 * track.look_down[t]) * r
    for side in (-0.35, 0.35):
        _disc(img, (head[0] + (track.eyes[t] * 0.45 + side) * r, eye_y), max(0.5, 0.14 * r), _DARK)
    mouth_y = head[1] + 0.5 * r
    half_open = 0.05 + 0.25 * track.mouth[t]
    _rect(img, head[0] + (track.eyes[t] * 0.4 - 0.25) * r, mouth_y - half_open * r,
          head[0] + (track.eyes[t] * 0.4 + 0.25) * r, mouth_y + half_open * r, (120, 40, 40))


def _draw_object(img: np.ndarray, obj: ObjectTrack, t: int) -> None:
    """A handled object at frame ``t``."""
    (x, y), s = obj.centre[t], obj.size
    if obj.name == "cup":
        _rect(img, x - 0.4 * s, y - 0.6 * s, x + 0.4 * s, y + 0.6 * s, (235, 235, 235))
    elif obj.name == "bottle":
        _rect(img, x - 0.3 * s, y - 0.8 * s, x + 0.3 * s, y + 0.8 * s, (40, 140, 70))
        _rect(img, x - 0.12 * s, y - 1.3 * s, x + 0.12 * s, y - 0.8 * s, (40, 140, 70))
    elif obj.name == "book":
        if obj.open_book:
            _rect(img, x - 0.6 * s, y - 0.4 * s, x + 0.6 * s, y + 0.4 * s, (250, 250, 240))
            _line(img, (x, y - 0.4 * s), (x, y + 0.4 * s), _DARK, 1)
        else:
            _rect(img, x - 0.45 * s, y - 0.6 * s, x + 0.45 * s, y + 0.6 * s, (170, 40, 50))
    elif obj.name == "cell phone":
        _rect(img, x - 0.3 * s, y - 0.5 * s, x + 0.3 * s, y + 0.5 * s, _DARK)
    elif obj.name == "handbag":
        _rect(img, x - 0.5 * s, y + 0.2 * s, x + 0.5 * s, y + 1.0 * s, (130, 70, 40))
    elif obj.name == "umbrella":
        _line(img, (x, y), (x + 0.15 * s, y + s), (40, 40, 90), 2)
    elif obj.name == "sports ball":
        _disc(img, (x, y), 0.5 * s, (240, 120, 30))
    else:
        raise ValueError(f"no drawing for handled object {obj.name!r}")


def render_scene(scene: ScenePlan, seed: int, tau: np.ndarray | None = None):
    """Yield the RGB frames of the scene at times ``tau`` (default: the 91-frame window), in order."""
    background = scene_background(scene, seed)
    people, objects = scene_tracks(scene, tau)
    order = sorted(people, key=lambda p: (p.plan.row == "front", p.plan.pid))
    held = {}
    for obj in objects:
        held.setdefault(obj.owner, []).append(obj)
    for t in range(people[0].joints.shape[0]):
        frame = background.copy()
        for person in order:
            _draw_person(frame, person, t)
            for obj in held.get(person.plan.pid, ()):
                _draw_object(frame, obj, t)
        yield frame


def encode_jpeg(frame: np.ndarray) -> bytes:
    """JPEG bytes of an RGB frame with fixed, deterministic parameters."""
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), JPEG_PARAMS)
    if not ok:
        raise RuntimeError("cv2.imencode failed to encode a RefAVA-Synth frame")
    return data.tobytes()
