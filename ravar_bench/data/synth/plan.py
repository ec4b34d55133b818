"""Scene plans: people, appearances, actions, events and layout, sampled as pure data (no pixels).

A plan fixes everything about a scene except its pixels; motion, references, detections and
rendering are all functions of it. Each scene is sampled from its own Generator, seeded from
``(seed, split, scene index)``, so a scene never depends on the others or on the process count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ravar_bench.data.format import FIRST_SECOND
from ravar_bench.data.synth import actions as A
from ravar_bench.data.synth.references import identifiable
from ravar_bench.data.synth.styles import Style, split_styles

SPLITS = ("train", "val", "test")
# Persons (samples) per split for each size preset.
SIZES: dict[str, dict[str, int]] = {
    "tiny": {"train": 12, "val": 8, "test": 8},  # at least 3 test clips: the shuffled-text control needs them
    "default": {"train": 5000, "val": 500, "test": 800},
}
FRAME_WIDTH, FRAME_HEIGHT = 128, 96
ROWS: dict[str, tuple[float, float]] = {"front": (0.93, 1.0), "back": (0.70, 0.72)}  # feet y, scale
ADULT_HEIGHT = 0.7  # standing adult height in the front row, as a fraction of the frame height
CHILD_SCALE = 0.66
PEOPLE_PER_SCENE = (0.3, 0.4, 0.3)  # probabilities of 2, 3 and 4 people
PAIR_GAPS = {A.HUG: 0.28, A.HAND_SHAKE: 0.5, A.GIVE: 0.6, A.TAKE: 0.6}  # hip distance of a pair, in heights
# Every scene is annotated at second 902, the first second whose 3-second window starts inside the
# movie (frame 16); its frames 1..106 then form a contiguous AVA-style folder.
TIMESTAMP = FIRST_SECOND + 2
THIRD_MARGIN = 0.035  # hips stay this far (in frame widths) from the 1/3 and 2/3 lines at the key frame

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (200, 30, 30), "blue": (40, 70, 210), "green": (30, 150, 50), "yellow": (235, 210, 40),
    "black": (25, 25, 25), "white": (245, 245, 245), "grey": (128, 128, 128), "orange": (240, 130, 20),
    "purple": (130, 40, 160), "pink": (245, 140, 190), "brown": (110, 65, 30),
}
HAIR_COLOURS: dict[str, tuple[int, int, int]] = {
    "black": (20, 18, 16), "brown": (95, 60, 30), "blond": (225, 195, 110), "grey": (170, 170, 170),
}
BOTTOM_COLOURS = ("black", "blue", "grey", "brown", "white", "green", "red")
HAT_COLOURS = ("red", "blue")
SKIN_TONES = ((240, 200, 170), (210, 160, 120), (160, 110, 75), (100, 65, 45))
MENTIONABLE_OBJECTS = frozenset({"cup", "book", "bottle", "handbag", "umbrella", "sports ball"})
STABLE_OBJECT_ACTIONS = frozenset({A.HOLD, A.PHONE, A.DRINK, A.TEXT, A.READ})


@dataclass(frozen=True)
class Appearance:
    """What a reference can say about a person's look."""

    top: str
    bottom: str
    hat: str | None  # hat colour, None = no hat
    hair: str | None  # hair colour, None = bald
    build: str  # "adult" or "child"
    skin: int  # index into SKIN_TONES (never referred to)


@dataclass(frozen=True)
class PersonPlan:
    """One person: look, place at the key frame, actions and whom they attend to."""

    pid: int
    look: Appearance
    row: str  # "front" or "back"
    x: float  # hip x at the key frame, in frame widths
    facing: int  # +1 = towards +x, -1 = towards -x
    pose: int  # AVA person-movement id
    object_action: int  # AVA object-manipulation id, or actions.NO_OBJECT_ACTION
    obj: str | None  # COCO name of the object this person handles
    interactions: tuple[int, ...]  # AVA person-interaction ids
    partner: int | None  # pid of the other person of a pair event or the person talked to
    gaze: int | None  # pid this person looks at (None: the camera or, for watch TV, the TV)
    phase: float  # phase of periodic motions, in [0, 1)

    @property
    def labels(self) -> tuple[int, ...]:
        """The person's AVA action ids, sorted."""
        ids = {self.pose, *self.interactions}
        if self.object_action != A.NO_OBJECT_ACTION:
            ids.add(self.object_action)
        return tuple(sorted(ids))

    @property
    def horizontal(self) -> str:
        """left / centre / right: which third of the frame holds the hips at the key frame."""
        return ("left", "centre", "right")[min(int(self.x * 3), 2)]

    @property
    def carried(self) -> str | None:
        """The object a reference may name (held steadily through the clip), else None."""
        steady = self.object_action in STABLE_OBJECT_ACTIONS and self.obj in MENTIONABLE_OBJECTS
        return self.obj if steady else None


@dataclass(frozen=True)
class SceneObject:
    """A static COCO object of the scene, box in normalised x1, y1, x2, y2."""

    name: str
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class ScenePlan:
    """One scene = one video with one annotated second."""

    split: str
    index: int
    video_id: str
    timestamp: int
    style: Style
    persons: tuple[PersonPlan, ...]
    objects: tuple[SceneObject, ...]


def scene_seed(seed: int, split: str, index: int, stream: int) -> np.random.SeedSequence:
    """Seed of one random stream (0 plan, 1 pixels, 2 detections) of one scene."""
    return np.random.SeedSequence(seed, spawn_key=(SPLITS.index(split), index, stream))


def person_height(row: str, build: str) -> float:
    """Standing height in frame heights."""
    return ADULT_HEIGHT * ROWS[row][1] * (CHILD_SCALE if build == "child" else 1.0)


def _weighted(rng: np.random.Generator, weights: dict[int, float], allowed) -> int:
    """Draw a key of ``weights`` restricted to ``allowed``, proportionally to its weight."""
    keys = [k for k in weights if k in allowed]
    p = np.array([weights[k] for k in keys], float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _sample_looks(rng: np.random.Generator, n: int) -> list[Appearance]:
    """Appearances drawn from a small per-scene palette, so distractors share attributes."""
    tops = rng.choice(list(COLOURS), size=3, replace=False)
    bottoms = rng.choice(BOTTOM_COLOURS, size=2, replace=False)
    hairs = [*HAIR_COLOURS, None]
    looks = []
    for _ in range(n):
        looks.append(Appearance(
            top=str(rng.choice(tops)), bottom=str(rng.choice(bottoms)),
            hat=str(rng.choice(HAT_COLOURS)) if rng.random() < 0.3 else None,
            hair=hairs[int(rng.choice(len(hairs), p=[0.35, 0.3, 0.15, 0.1, 0.1]))],
            build="child" if rng.random() < 0.25 else "adult", skin=int(rng.integers(len(SKIN_TONES)))))
    return looks


def _sample_roles(rng: np.random.Generator, n: int) -> list[dict]:
    """Poses, events and actions of ``n`` people, as mutable role dicts."""
    roles = [dict(pose=None, object_action=A.NO_OBJECT_ACTION, obj=None, interactions=[], partner=None,
                  gaze=None, arm_busy=False, unit=i) for i in range(n)]
    free = list(rng.permutation(n))

    def take(k: int) -> list[int]:
        return [int(free.pop()) for _ in range(k)]

    for event in ("give", "hand_shake", "hug", "wave", "conversation"):
        need = 1 if event == "wave" else 2
        if len(free) < need or rng.random() >= A.EVENT_PROBABILITIES[event]:
            continue
        poses = A.EVENT_POSES[event]
        if event in ("give", "hand_shake", "hug"):
            a, b = take(2)
            pose = _weighted(rng, A.POSE_WEIGHTS, poses)
            ids = {"give": (A.GIVE, A.TAKE), "hand_shake": (A.HAND_SHAKE,) * 2, "hug": (A.HUG,) * 2}[event]
            obj = str(rng.choice(("cup", "book", "bottle"))) if event == "give" else None
            for me, other, action in ((a, b, ids[0]), (b, a, ids[1])):
                roles[me].update(pose=pose, interactions=[action], partner=other, gaze=other, arm_busy=True, obj=obj,
                                 unit=a)
        elif event == "wave":
            (waver,) = take(1)
            roles[waver].update(pose=_weighted(rng, A.POSE_WEIGHTS, poses), interactions=[A.HAND_WAVE],
                                arm_busy=True)
            for watcher in take(min(len(free), int(rng.integers(0, 3)))):
                roles[watcher].update(interactions=[A.WATCH_PERSON], gaze=waver)
        else:
            talker, *listeners = take(min(len(free), int(rng.integers(2, 4))))
            roles[talker].update(pose=_weighted(rng, A.POSE_WEIGHTS, poses), interactions=[A.TALK],
                                 partner=listeners[0], gaze=listeners[0])
            for listener in listeners:
                extra = [A.WATCH_PERSON] if rng.random() < 0.5 else []
                roles[listener].update(pose=_weighted(rng, A.POSE_WEIGHTS, poses),
                                       interactions=[A.LISTEN, *extra], gaze=talker)
    for pid in free:
        if rng.random() < A.WATCH_PERSON_PROBABILITY:
            roles[pid].update(interactions=[A.WATCH_PERSON], gaze=int(rng.choice([q for q in range(n) if q != pid])))
    for role in roles:
        if role["pose"] is None:
            role["pose"] = _weighted(rng, A.POSE_WEIGHTS, A.POSE_WEIGHTS)
        if role["arm_busy"]:
            continue
        allowed = {k for k, poses in A.OBJECT_POSES.items() if role["pose"] in poses}
        if role["gaze"] is not None:
            allowed.discard(A.WATCH_TV)
        action = _weighted(rng, A.OBJECT_WEIGHTS, allowed)
        role["object_action"] = action
        if action in A.OBJECT_CHOICES:
            role["obj"] = str(rng.choice(A.OBJECT_CHOICES[action]))
    return roles


def _unit_width(roles: list[dict], members: list[int], heights: list[float]) -> float:
    """Horizontal room (in frame heights) a layout unit needs; ``heights`` are its members' heights."""
    if len(members) == 2:
        return 1.2 * max(heights)
    return (1.0 if roles[members[0]]["pose"] == A.LIE else 0.45) * heights[0]


def _layout(rng: np.random.Generator, roles: list[dict], looks: list[Appearance]):
    """Rows and key-frame hip x of every person, or None when no valid layout was found."""
    n = len(roles)
    aspect = FRAME_HEIGHT / FRAME_WIDTH
    units: dict[int, list[int]] = {}
    for pid, role in enumerate(roles):
        units.setdefault(role["unit"], []).append(pid)
    rows, xs = [None] * n, [0.0] * n
    placed: dict[str, list[tuple[float, float]]] = {"front": [], "back": []}
    for members in units.values():
        row = "front" if rng.random() < 0.5 else "back"
        heights = [person_height(row, looks[m].build) for m in members]
        half = 0.5 * _unit_width(roles, members, heights) * aspect
        moving = roles[members[0]]["pose"] in (A.WALK, A.RUN)
        for _ in range(100):
            centre = float(rng.uniform(0.1, 0.9))
            if len(members) == 2:
                gap = PAIR_GAPS[roles[members[0]]["interactions"][0]] * heights[0] * aspect
                hips = [centre - gap / 2, centre + gap / 2]
            else:
                hips = [centre]
            clear = all(abs(h - t) > THIRD_MARGIN for h in hips for t in (1 / 3, 2 / 3))
            free = moving or all(abs(centre - c) > half + w for c, w in placed[row])
            if clear and free and all(0.06 < h < 0.94 for h in hips):
                break
        else:
            return None
        if not moving:
            placed[row].append((centre, half))
        for member, hip in zip(members, hips, strict=True):
            rows[member], xs[member] = row, hip
    return rows, xs


def _facing(rng: np.random.Generator, role: dict, x: float, xs: list[float], tv_x: float) -> int:
    """Which way a person turns: towards a pair partner, gaze target or the TV; else at random."""
    target = xs[role["gaze"]] if role["gaze"] is not None else tv_x if role["object_action"] == A.WATCH_TV else None
    if target is not None and role["pose"] not in (A.WALK, A.RUN):
        return 1 if target >= x else -1
    return 1 if rng.random() < 0.5 else -1


def _scene_objects(rng: np.random.Generator, persons: list[PersonPlan], tv_x: float) -> tuple[SceneObject, ...]:
    """Chairs under sitters, a TV when someone watches it, and decoration on the wall and floor."""
    aspect = FRAME_HEIGHT / FRAME_WIDTH
    objects = []
    if any(p.object_action == A.WATCH_TV for p in persons) or rng.random() < 0.3:
        objects.append(SceneObject("tv", (tv_x - 0.11, 0.06, tv_x + 0.11, 0.3)))
    if rng.random() < 0.5:
        cx = float(rng.uniform(0.1, 0.9))
        if objects and abs(cx - tv_x) < 0.2:  # keep the clock off the TV
            cx = tv_x + 0.2 if tv_x < 0.5 else tv_x - 0.2
        objects.append(SceneObject("clock", (cx - 0.04, 0.05, cx + 0.04, 0.16)))
    for name, chance, (w, h) in (("potted plant", 0.5, (0.1, 0.24)), ("dining table", 0.3, (0.3, 0.14)),
                                  ("couch", 0.25, (0.36, 0.16))):
        if rng.random() < chance:
            cx = float(rng.uniform(0.15, 0.85))
            objects.append(SceneObject(name, (cx - w / 2, 0.62 - h, cx + w / 2, 0.62)))
    for p in persons:
        if p.pose == A.SIT:
            feet, _ = ROWS[p.row]
            h = person_height(p.row, p.look.build)
            w = 0.32 * h * aspect
            objects.append(SceneObject("chair", (p.x - w, feet - 0.55 * h, p.x + w, feet)))
    return tuple(objects)


def plan_scene(seed: int, split: str, index: int) -> ScenePlan:
    """Sample one scene; redraw until every person's attributes are unique and the layout fits."""
    rng = np.random.default_rng(scene_seed(seed, split, index, 0))
    styles = split_styles(split)
    style = styles[int(rng.integers(len(styles)))]
    while True:
        n = int(rng.choice(np.arange(2, 5), p=PEOPLE_PER_SCENE))
        looks = _sample_looks(rng, n)
        roles = _sample_roles(rng, n)
        layout = _layout(rng, roles, looks)
        if layout is None:
            continue
        rows, xs = layout
        tv_x = float(rng.uniform(0.2, 0.8))
        persons = [PersonPlan(pid=i, look=looks[i], row=rows[i], x=xs[i], facing=_facing(rng, r, xs[i], xs, tv_x),
                              pose=r["pose"], object_action=r["object_action"], obj=r["obj"],
                              interactions=tuple(sorted(r["interactions"])), partner=r["partner"], gaze=r["gaze"],
                              phase=float(rng.random()))
                   for i, r in enumerate(roles)]
        if identifiable(tuple(persons)):
            break
    return ScenePlan(split=split, index=index, video_id=f"synth-{split}-{index:05d}", timestamp=TIMESTAMP,
                     style=style, persons=tuple(persons), objects=_scene_objects(rng, persons, tv_x))


def plan_split(seed: int, split: str, size: str) -> list[ScenePlan]:
    """Scenes of one split, in index order, until the preset's person count is reached."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {tuple(SIZES)}, got {size!r}")
    target, scenes, count = SIZES[size][split], [], 0
    while count < target:
        scenes.append(plan_scene(seed, split, len(scenes)))
        count += len(scenes[-1].persons)
    return scenes
