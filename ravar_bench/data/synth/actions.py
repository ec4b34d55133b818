"""The AVA actions RefAVA-Synth renders: real ids, sampling weights and which poses they combine with.

Every person gets exactly one pose action (person movement), at most one object action and any
interaction actions of the scene events it takes part in. Weights follow AVA's long tail in order
(stand, sit and the social classes frequent; jump, throw rare) but are flattened so that every class
still has enough positives for a per-class AP on the default preset.
"""

from __future__ import annotations

# Person movement: exactly one per person.
STAND, SIT, WALK, RUN, BEND, CROUCH, JUMP, LIE = 12, 11, 14, 10, 1, 3, 7, 8
POSE_WEIGHTS: dict[int, float] = {STAND: 36, SIT: 18, WALK: 14, BEND: 6, LIE: 3, RUN: 4, CROUCH: 3, JUMP: 2.5}

# Object manipulation: at most one per person.
HOLD, PHONE, DRINK, TEXT, READ, WATCH_TV, PICK_UP, PUT_DOWN, THROW = 17, 15, 27, 57, 48, 61, 36, 47, 58
NO_OBJECT_ACTION = 0
# Picking up and putting down only combine with bend, hence their large weights.
OBJECT_WEIGHTS: dict[int, float] = {
    NO_OBJECT_ACTION: 50, HOLD: 20, PHONE: 4, DRINK: 4, TEXT: 4, READ: 3, WATCH_TV: 8, PICK_UP: 30, PUT_DOWN: 30,
    THROW: 4,
}
# The poses an object action can be performed in; picking up and putting down force a bend.
OBJECT_POSES: dict[int, frozenset[int]] = {
    NO_OBJECT_ACTION: frozenset(POSE_WEIGHTS),
    HOLD: frozenset({STAND, SIT, WALK, RUN}),
    PHONE: frozenset({STAND, SIT, WALK}),
    DRINK: frozenset({STAND, SIT}),
    TEXT: frozenset({STAND, SIT, WALK}),
    READ: frozenset({STAND, SIT, LIE}),
    WATCH_TV: frozenset({STAND, SIT, LIE}),
    PICK_UP: frozenset({BEND}),
    PUT_DOWN: frozenset({BEND}),
    THROW: frozenset({STAND}),
}
# The COCO objects each object action can use (the carried object the reference may mention).
OBJECT_CHOICES: dict[int, tuple[str, ...]] = {
    HOLD: ("cup", "book", "bottle", "handbag", "umbrella", "sports ball"),
    PHONE: ("cell phone",),
    DRINK: ("cup", "bottle"),
    TEXT: ("cell phone",),
    READ: ("book",),
    PICK_UP: ("sports ball", "book", "handbag"),
    PUT_DOWN: ("sports ball", "book", "handbag"),
    THROW: ("sports ball",),
}
# Object actions that keep the front arm busy (such a person cannot also wave or shake hands).
ARM_OBJECT_ACTIONS = frozenset({HOLD, PHONE, DRINK, TEXT, READ, PICK_UP, PUT_DOWN, THROW})

# Person interaction: scene events with roles.
GIVE, HAND_SHAKE, HAND_WAVE, HUG, LISTEN, TAKE, TALK, WATCH_PERSON = 65, 68, 69, 70, 74, 78, 79, 80
# Probability that a scene holds each event (when enough free people are left for it).
EVENT_PROBABILITIES: dict[str, float] = {"conversation": 0.75, "wave": 0.2, "hand_shake": 0.15, "hug": 0.12,
                                         "give": 0.15}
WATCH_PERSON_PROBABILITY = 0.45  # a person outside any event watches someone else
EVENT_POSES: dict[str, frozenset[int]] = {
    "conversation": frozenset({STAND, SIT}),
    "wave": frozenset({STAND, SIT, WALK}),
    "hand_shake": frozenset({STAND}),
    "hug": frozenset({STAND}),
    "give": frozenset({STAND, SIT}),
}

RENDERED_ACTIONS: tuple[int, ...] = tuple(sorted(
    set(POSE_WEIGHTS) | (set(OBJECT_WEIGHTS) - {NO_OBJECT_ACTION})
    | {GIVE, HAND_SHAKE, HAND_WAVE, HUG, LISTEN, TAKE, TALK, WATCH_PERSON}))
