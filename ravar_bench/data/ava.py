"""The AVA v2.x action label map (80 classes, ids 1..80), its three action groups and the motion diagnostic."""

from __future__ import annotations

AVA_ACTIONS: dict[int, str] = {
    1: "bend/bow (at the waist)", 2: "crawl", 3: "crouch/kneel", 4: "dance", 5: "fall down",
    6: "get up", 7: "jump/leap", 8: "lie/sleep", 9: "martial art", 10: "run/jog", 11: "sit",
    12: "stand", 13: "swim", 14: "walk", 15: "answer phone", 16: "brush teeth",
    17: "carry/hold (an object)", 18: "catch (an object)", 19: "chop", 20: "climb (e.g., a mountain)",
    21: "clink glass", 22: "close (e.g., a door, a box)", 23: "cook", 24: "cut", 25: "dig",
    26: "dress/put on clothing", 27: "drink", 28: "drive (e.g., a car, a truck)", 29: "eat",
    30: "enter", 31: "exit", 32: "extract", 33: "fishing", 34: "hit (an object)",
    35: "kick (an object)", 36: "lift/pick up", 37: "listen (e.g., to music)",
    38: "open (e.g., a window, a car door)", 39: "paint", 40: "play board game",
    41: "play musical instrument", 42: "play with pets", 43: "point to (an object)", 44: "press",
    45: "pull (an object)", 46: "push (an object)", 47: "put down", 48: "read",
    49: "ride (e.g., a bike, a car, a horse)", 50: "row boat", 51: "sail boat", 52: "shoot",
    53: "shovel", 54: "smoke", 55: "stir", 56: "take a photo", 57: "text on/look at a cellphone",
    58: "throw", 59: "touch (an object)", 60: "turn (e.g., a screwdriver)", 61: "watch (e.g., TV)",
    62: "work on a computer", 63: "write", 64: "fight/hit (a person)",
    65: "give/serve (an object) to (a person)", 66: "grab (a person)", 67: "hand clap",
    68: "hand shake", 69: "hand wave", 70: "hug (a person)", 71: "kick (a person)",
    72: "kiss (a person)", 73: "lift (a person)", 74: "listen to (a person)", 75: "play with kids",
    76: "push (another person)", 77: "sing to (e.g., self, a person, a group)",
    78: "take (an object) from (a person)", 79: "talk to (e.g., self, a person, a group)",
    80: "watch (a person)",
}

# The AVA paper's grouping of the ids: pose / movement, object manipulation, person interaction.
AVA_GROUPS: dict[str, range] = {
    "person_movement": range(1, 15),
    "object_manipulation": range(15, 64),
    "person_interaction": range(64, 81),
}

# Actions that one frame cannot tell from their look-alikes (walk vs stand, wave vs hold, pick up vs put
# down, give vs take, talk vs listen): a model that averages its frames cannot rank them. The diagnostic
# groups of docs/METRICS.md split the 80 classes into these and the rest.
MOTION_ACTIONS: frozenset[int] = frozenset({14, 10, 7, 1, 27, 69, 79, 68, 65, 78, 36, 47, 58})
DIAGNOSTIC_GROUPS: dict[str, tuple[int, ...]] = {
    "needs_motion": tuple(sorted(MOTION_ACTIONS)),
    "single_frame": tuple(i for i in AVA_ACTIONS if i not in MOTION_ACTIONS),
}
# Every class group a report summarises: the AVA groups, then the diagnostic ones.
CLASS_GROUPS: dict[str, tuple[int, ...]] = {**{k: tuple(v) for k, v in AVA_GROUPS.items()}, **DIAGNOSTIC_GROUPS}


def action_name(action_id: int) -> str:
    """Name of an AVA action id, with a clear error for ids outside 1..80."""
    if action_id not in AVA_ACTIONS:
        raise ValueError(f"AVA action id must be in 1..80, got {action_id!r}")
    return AVA_ACTIONS[action_id]
