"""Kinematics: every person's stick-figure joints and every handled object over the 3-second window.

Actions are motion, not poses: walking translates with swinging legs, waving oscillates a raised
forearm, drinking brings the hand to the mouth and back, giving moves an object from one hand to
another. All trajectories are NumPy arrays over the window times ``tau`` (seconds from the key frame),
vectorised over frames; the key-frame box of a person is the box of its drawn skeleton at ``tau = 0``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ravar_bench.data.format import FPS
from ravar_bench.data.synth import actions as A
from ravar_bench.data.synth.plan import (
    CHILD_SCALE,
    FRAME_HEIGHT,
    FRAME_WIDTH,
    ROWS,
    PersonPlan,
    ScenePlan,
    person_height,
)

HALF_WINDOW = 45  # frames either side of the key frame: 91 frames = t-1.5 s .. t+1.5 s at 30 fps
# Segment lengths in person heights.
THIGH, SHIN, TORSO, UPPER_ARM, FOREARM = 0.25, 0.24, 0.3, 0.16, 0.15
HOLD_AT = (0.12, 0.22)  # where a held object sits, relative to the shoulder, in heights (x along facing)
HIP, NECK, HEAD, B_KNEE, B_FOOT, F_KNEE, F_FOOT, B_ELBOW, B_HAND, F_ELBOW, F_HAND = range(11)


@dataclass
class PersonTrack:
    """One person's drawing over the window, in pixels: joints [T, 11, 2] plus face state [T]."""

    plan: PersonPlan
    joints: np.ndarray
    head_radius: float
    limb: int  # limb line thickness
    torso: int  # torso line thickness
    eyes: np.ndarray  # horizontal gaze in -1..1
    look_down: np.ndarray  # 0..1
    mouth: np.ndarray  # 0 closed .. 1 open


@dataclass
class ObjectTrack:
    """A handled object over the window: COCO name, centre [T, 2] pixels, size in pixels."""

    name: str
    centre: np.ndarray
    size: float
    owner: int  # pid drawn just before it
    open_book: bool = False


def window_taus() -> np.ndarray:
    """Times of the 91 window frames relative to the key frame, in seconds."""
    return np.arange(-HALF_WINDOW, HALF_WINDOW + 1) / FPS


def _direction(angle: np.ndarray, facing: int) -> np.ndarray:
    """Unit vectors [T, 2] for angles measured from straight down, positive towards ``facing``."""
    return np.stack([np.sin(angle) * facing, np.cos(angle)], axis=-1)


def _pulse(tau: np.ndarray, period: float, phase: float) -> np.ndarray:
    """Smooth periodic 0..1 bump: 0 most of the time, 1 once per period."""
    return ((1 - np.cos(2 * np.pi * (tau / period + phase))) / 2) ** 2


def _event(tau: np.ndarray, width: float = 0.5) -> np.ndarray:
    """A single 0..1 bump centred on the key frame (the annotated second)."""
    return np.exp(-((tau / width) ** 2))


def _two_link(shoulder: np.ndarray, target: np.ndarray, l1: float, l2: float) -> tuple[np.ndarray, np.ndarray]:
    """Elbow and hand [T, 2] of an arm reaching for ``target`` (analytic 2-link IK, elbow kept low)."""
    delta = target - shoulder
    dist = np.linalg.norm(delta, axis=-1, keepdims=True).clip(1e-6)
    reach = dist.clip(abs(l1 - l2) + 1e-3, l1 + l2 - 1e-3)
    unit = delta / dist
    cos_a = ((l1**2 + reach**2 - l2**2) / (2 * l1 * reach)).clip(-1, 1)
    sin_a = np.sqrt(1 - cos_a**2)
    rotations = [np.concatenate([unit[:, :1] * cos_a - s * unit[:, 1:] * sin_a,
                                 s * unit[:, :1] * sin_a + unit[:, 1:] * cos_a], axis=-1) for s in (1, -1)]
    elbows = [shoulder + l1 * r for r in rotations]
    elbow = np.where(elbows[0][:, 1:] >= elbows[1][:, 1:], elbows[0], elbows[1])
    hand = shoulder + unit * reach
    return elbow, hand


@dataclass
class _Body:
    """Hip path, torso lean and leg and default arm angles of one person (pixels, radians)."""

    hip: np.ndarray
    lean: np.ndarray
    legs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # back thigh, back shin, front thigh, front shin
    arms: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # back upper, back fore, front upper, front fore


def _body(person: PersonPlan, tau: np.ndarray, h: float) -> _Body:
    """Pose-action kinematics: hips, lean, legs and resting arms of one person."""
    t = np.ones_like(tau)
    pose, phase, speed = person.pose, person.phase, 0.0
    lean = 0 * t
    thighs, shins = [-0.08 * t, 0.08 * t], [-0.08 * t, 0.08 * t]
    arms = [-0.12 * t, -0.05 * t, 0.12 * t, 0.05 * t]
    drop = 0 * t  # extra hip lift (jump) in heights
    if pose in (A.WALK, A.RUN):
        run = pose == A.RUN
        speed, freq, amp, knee = (0.75, 2.8, 0.7, 0.9) if run else (0.32, 1.8, 0.4, 0.35)
        angle = 2 * np.pi * (freq * tau + phase)
        swing = np.sin(angle)
        thighs = [-amp * swing, amp * swing]
        shins = [thighs[0] - knee * np.maximum(0, -np.cos(angle)), thighs[1] - knee * np.maximum(0, np.cos(angle))]
        bend = 1.4 if run else 0.2
        arms = [0.5 * amp * swing, 0.5 * amp * swing + bend, -0.5 * amp * swing, -0.5 * amp * swing + bend]
        lean = (0.2 if run else 0.05) * t
        drop = -0.03 * np.abs(np.sin(angle)) if run else drop
    elif pose == A.SIT:
        thighs, shins = [1.5 * t, 1.6 * t], [0.05 * t, 0.1 * t]
        arms = [0.3 * t, 1.2 * t, 0.35 * t, 1.25 * t]
    elif pose == A.CROUCH:
        thighs, shins = [1.9 * t, 2.0 * t], [0.15 * t, 0.25 * t]
        lean = 0.35 * t
        arms = [0.6 * t, 1.2 * t, 0.7 * t, 1.3 * t]
    elif pose == A.BEND:
        if person.object_action in (A.PICK_UP, A.PUT_DOWN):
            event = _event(tau)
            lean, thighs, shins = 1.5 * event, [1.2 * event, 1.3 * event], [-0.4 * event, -0.3 * event]
        else:
            lean = 1.25 * _pulse(tau, 2.2, phase) ** 0.5
        arms = [0 * t, 0.05 * t, 0.05 * t, 0.1 * t]
    elif pose == A.JUMP:
        hop = np.maximum(0, np.sin(2 * np.pi * (1.3 * tau + phase)))
        drop = 0.22 * hop
        thighs, shins = [0.5 * hop - 0.05, 0.6 * hop], [-0.4 * hop, -0.3 * hop]
        arms = [0.3 + 1.6 * hop, 0.3 + 2.0 * hop, 0.3 + 1.6 * hop, 0.3 + 2.0 * hop]
    elif pose == A.LIE:
        lean = np.pi / 2 * t
        thighs, shins = [-np.pi / 2 * t, -1.5 * t], [-np.pi / 2 * t, -1.5 * t]
        arms = [-1.4 * t, -1.5 * t, -1.3 * t, -1.4 * t]
    extent = np.maximum(*(THIGH * np.cos(a) + SHIN * np.cos(b) for a, b in zip(thighs, shins, strict=True)))
    ground = ROWS[person.row][0] * FRAME_HEIGHT
    x = person.x * FRAME_WIDTH + person.facing * speed * h * tau
    if pose == A.LIE:  # centre the lying body on the planned x
        x = x + person.facing * 0.05 * h
        extent = 0.05 * t
    hip = np.stack([x, ground - (np.maximum(extent, 0.05) + drop) * h], axis=-1)
    return _Body(hip, lean, (thighs[0], shins[0], thighs[1], shins[1]), tuple(arms))


def _limb(root: np.ndarray, a1: np.ndarray, a2: np.ndarray, l1: float, l2: float, facing: int):
    """Two-segment forward kinematics: middle joint and end [T, 2]."""
    middle = root + l1 * _direction(a1, facing)
    return middle, middle + l2 * _direction(a2, facing)


def _skeleton(person: PersonPlan, body: _Body, h: float) -> np.ndarray:
    """Joints [T, 11, 2] from the body angles, with resting arms."""
    f = person.facing
    joints = np.zeros((len(body.hip), 11, 2))
    joints[:, HIP] = body.hip
    up = np.stack([np.sin(body.lean) * f, -np.cos(body.lean)], axis=-1)
    joints[:, NECK] = body.hip + TORSO * h * up
    joints[:, HEAD] = joints[:, NECK] + _head_radius(person, h) * 1.15 * up
    bt, bs, ft, fs = body.legs
    joints[:, B_KNEE], joints[:, B_FOOT] = _limb(body.hip, bt, bs, THIGH * h, SHIN * h, f)
    joints[:, F_KNEE], joints[:, F_FOOT] = _limb(body.hip, ft, fs, THIGH * h, SHIN * h, f)
    bu, bf, fu, ff = body.arms
    joints[:, B_ELBOW], joints[:, B_HAND] = _limb(joints[:, NECK], bu, bf, UPPER_ARM * h, FOREARM * h, f)
    joints[:, F_ELBOW], joints[:, F_HAND] = _limb(joints[:, NECK], fu, ff, UPPER_ARM * h, FOREARM * h, f)
    return joints


def _head_radius(person: PersonPlan, h: float) -> float:
    """Head radius in pixels; children have relatively larger heads."""
    return (0.085 / CHILD_SCALE ** 0.5 if person.look.build == "child" else 0.085) * h


def _reach(joints: np.ndarray, arm: str, target: np.ndarray, h: float) -> None:
    """Move one arm ("front" or "back") so that its hand follows ``target`` [T, 2]."""
    elbow, hand = (F_ELBOW, F_HAND) if arm == "front" else (B_ELBOW, B_HAND)
    joints[:, elbow], joints[:, hand] = _two_link(joints[:, NECK], target, UPPER_ARM * h, FOREARM * h)


def _keyframes(tau: np.ndarray, keys: list[tuple[float, float, float]]) -> np.ndarray:
    """Piecewise-linear offsets [T, 2] through ``(time, dx, dy)`` keys."""
    times, dx, dy = zip(*keys, strict=True)
    return np.stack([np.interp(tau, times, dx), np.interp(tau, times, dy)], axis=-1)


def _offset(joints: np.ndarray, offsets: np.ndarray, facing: int, h: float) -> np.ndarray:
    """Shoulder-relative offsets (in heights, x along ``facing``) to pixel targets [T, 2]."""
    return joints[:, NECK] + h * offsets * np.array([facing, 1.0])


def _object_arm(person: PersonPlan, joints: np.ndarray, tau: np.ndarray, h: float) -> None:
    """Arm motion of the person's object action (in place on ``joints``)."""
    f, t = person.facing, np.ones_like(tau)
    action = person.object_action
    hold = np.array(HOLD_AT) * t[:, None]
    if action == A.HOLD:
        _reach(joints, "front", _offset(joints, hold, f, h), h)
    elif action == A.DRINK:
        mouth = (joints[:, HEAD] - joints[:, NECK]) / h * np.array([[f, 1.0]]) + np.array([[0.06, 0.03]])
        bump = _pulse(tau, 2.4, person.phase)[:, None]
        _reach(joints, "front", _offset(joints, (1 - bump) * hold + bump * mouth, f, h), h)
    elif action == A.PHONE:
        ear = (joints[:, HEAD] - joints[:, NECK]) / h * np.array([[f, 1.0]]) + np.array([[0.0, 0.02]])
        _reach(joints, "front", _offset(joints, ear, f, h), h)
    elif action in (A.TEXT, A.READ):
        wiggle = 0.01 * np.sin(2 * np.pi * 3 * tau) if action == A.TEXT else 0 * tau
        front = np.stack([0.12 + 0 * tau, 0.14 + wiggle], axis=-1)
        _reach(joints, "front", _offset(joints, front, f, h), h)
        _reach(joints, "back", _offset(joints, front - [0.04, 0.0], f, h), h)
    elif action in (A.PICK_UP, A.PUT_DOWN):
        _reach(joints, "front", _offset(joints, np.array([0.05, 0.3]) * t[:, None], f, h), h)
    elif action == A.THROW:
        keys = [(-1.5, *HOLD_AT), (-0.8, *HOLD_AT), (-0.15, -0.15, -0.2), (0.05, 0.25, -0.15), (0.6, 0.05, 0.28),
                (1.5, 0.05, 0.28)]
        _reach(joints, "front", _offset(joints, _keyframes(tau, keys), f, h), h)


def _interaction_arm(person: PersonPlan, joints: np.ndarray, others: dict[int, np.ndarray], tau: np.ndarray,
                     h: float) -> None:
    """Arm motion of waving, talking gestures, hand shakes, hugs and giving (in place on ``joints``)."""
    f = person.facing
    acts = set(person.interactions)
    if A.HAND_WAVE in acts:
        wave = np.stack([0.15 + 0.08 * np.sin(2 * np.pi * (2.2 * tau + person.phase)), -0.28 + 0 * tau], -1)
        _reach(joints, "front", _offset(joints, wave, f, h), h)
    elif acts & {A.HAND_SHAKE, A.GIVE, A.TAKE}:
        partner = others[person.partner]
        meet = (joints[:, NECK] + partner[:, NECK]) / 2 + np.array([0.0, 0.22 * h])
        if A.HAND_SHAKE in acts:
            meet = meet + np.stack([0 * tau, 0.04 * h * np.sin(2 * np.pi * 2.5 * tau)], -1)
            _reach(joints, "front", meet, h)
            return
        hold = _offset(joints, np.array(HOLD_AT) * np.ones((len(tau), 1)), f, h)
        start, end = (-0.5, 0.3) if A.GIVE in acts else (-0.4, 0.3)
        w = np.interp(tau, [-1.5, start - 0.6, start, end, end + 0.7, 1.5], [0, 0, 1, 1, 0, 0])[:, None]
        _reach(joints, "front", (1 - w) * hold + w * meet, h)
    elif A.HUG in acts:
        partner = others[person.partner]
        around = partner[:, NECK] + np.array([f * 0.1 * h, 0.06 * h])
        _reach(joints, "front", around, h)
        _reach(joints, "back", around + np.array([0.0, 0.08 * h]), h)
    elif A.TALK in acts and person.object_action not in A.ARM_OBJECT_ACTIONS and person.pose != A.LIE:
        gesture = np.stack([0.18 + 0 * tau, 0.12 + 0.05 * np.sin(2 * np.pi * (1.2 * tau + person.phase))], -1)
        _reach(joints, "front", _offset(joints, gesture, f, h), h)


def _face(person: PersonPlan, scene: ScenePlan, tau: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaze (towards the gaze target, the TV or the way of travel), looking down, and mouth opening."""
    t = np.ones_like(tau)
    target = None
    if person.gaze is not None:
        target = scene.persons[person.gaze].x
    elif person.object_action == A.WATCH_TV:
        target = next(((o.box[0] + o.box[2]) / 2 for o in scene.objects if o.name == "tv"), person.x)
    eyes = (np.sign(target - person.x) or person.facing) * t if target is not None else 0 * t
    if person.pose in (A.WALK, A.RUN):
        eyes = person.facing * t
    look_down = t if person.object_action in (A.TEXT, A.READ) else 0 * t
    mouth = (0.5 + 0.5 * np.sin(2 * np.pi * (3.5 * tau + person.phase))) if A.TALK in person.interactions else 0 * t
    return eyes, look_down, mouth


def _object_track(person: PersonPlan, joints: np.ndarray, partner_hand: np.ndarray | None, tau: np.ndarray,
                  h: float) -> ObjectTrack | None:
    """Where the person's object is: in hand, on the floor before a pick-up, in flight after a throw."""
    if person.obj is None or A.TAKE in person.interactions:
        return None
    hand = joints[:, F_HAND].copy()
    size = {"umbrella": 0.35, "handbag": 0.12, "book": 0.1}.get(person.obj, 0.08) * h
    if person.object_action in (A.PICK_UP, A.PUT_DOWN):
        rest = hand[len(tau) // 2]
        rest = np.array([rest[0], ROWS[person.row][0] * FRAME_HEIGHT - size / 2])
        on_floor = (tau < 0) if person.object_action == A.PICK_UP else (tau >= 0)
        hand[on_floor] = rest
    elif person.object_action == A.THROW:
        release = hand[np.searchsorted(tau, 0.0)]
        dt = np.maximum(tau, 0)[:, None]
        flight = release + dt * np.array([1.6 * person.facing * h, -1.2 * h]) + 0.5 * dt**2 * np.array([0, 4.0 * h])
        floor = ROWS[person.row][0] * FRAME_HEIGHT - size / 2
        flight[:, 1] = np.minimum(flight[:, 1], floor)
        landed = np.maximum.accumulate(flight[:, 1] >= floor)
        if landed.any():
            flight[landed, 0] = flight[np.argmax(landed), 0]
        hand = np.where((tau >= 0)[:, None], flight, hand)
    elif A.GIVE in person.interactions and partner_hand is not None:
        hand = np.where((tau >= 0)[:, None], partner_hand, hand)
    open_book = person.object_action == A.READ
    return ObjectTrack(person.obj, hand, size * (1.6 if open_book else 1.0), person.pid, open_book)


def scene_tracks(scene: ScenePlan, tau: np.ndarray | None = None) -> tuple[list[PersonTrack], list[ObjectTrack]]:
    """All people's and handled objects' trajectories over the window (or the given times)."""
    tau = window_taus() if tau is None else tau
    heights = {p.pid: person_height(p.row, p.look.build) * FRAME_HEIGHT for p in scene.persons}
    joints = {p.pid: _skeleton(p, _body(p, tau, heights[p.pid]), heights[p.pid]) for p in scene.persons}
    for p in scene.persons:
        _object_arm(p, joints[p.pid], tau, heights[p.pid])
    resting = {pid: j.copy() for pid, j in joints.items()}  # partners' necks before arms move
    for p in scene.persons:
        _interaction_arm(p, joints[p.pid], resting, tau, heights[p.pid])
    people, objects = [], []
    for p in scene.persons:
        h = heights[p.pid]
        eyes, look_down, mouth = _face(p, scene, tau)
        people.append(PersonTrack(p, joints[p.pid], _head_radius(p, h), max(2, round(0.07 * h)),
                                  max(3, round(0.16 * h)), eyes, look_down, mouth))
        partner_hand = joints[p.partner][:, F_HAND] if p.partner is not None else None
        track = _object_track(p, joints[p.pid], partner_hand, tau, h)
        if track is not None:
            objects.append(track)
    return people, objects


def person_boxes(track: PersonTrack) -> np.ndarray:
    """Normalised x1, y1, x2, y2 [T, 4] of the drawn figure (limbs, torso and head with hat room)."""
    j, r = track.joints, track.head_radius
    pad = track.limb / 2
    lo = np.minimum(j.min(axis=1) - pad, j[:, HEAD] - r * np.array([1.0, 1.6 if track.plan.look.hat else 1.0]))
    hi = np.maximum(j.max(axis=1) + pad, j[:, HEAD] + r)
    box = np.concatenate([lo, hi], axis=-1) / np.array([FRAME_WIDTH, FRAME_HEIGHT] * 2)
    return box.clip(0.0, 1.0)
