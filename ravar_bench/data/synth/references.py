"""Referring expressions: which attributes single out a person, and two phrasings of them.

A reference states a set of attributes that exactly one person of the clip has (checked with a
conservative match: a person whose hair hides under a hat, or who handles an object at any time,
counts as matching a statement about it). Preferred sets have two or three attributes, each shared
with some distractor, so only the whole reference identifies the person. The reference (description
0) uses the PRIMARY templates and words; the rephrasing (description 1, the "test-rephrased" split)
states the same attributes with HELD_OUT templates and words that no reference uses. No phrase names
or implies an action.
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only: plan.py calls identifiable() while planning, so no import cycle
    from ravar_bench.data.synth.plan import PersonPlan

ATTRIBUTES = ("top", "bottom", "hat", "hair", "build", "horizontal", "depth", "carried")


def _values(person: PersonPlan) -> dict[str, str | None]:
    """The person's value of each attribute ("none" for no hat / bald / nothing, None when unknown)."""
    look = person.look
    return {"top": look.top, "bottom": look.bottom, "hat": look.hat or "none",
            "hair": None if look.hat else (look.hair or "none"), "build": look.build,
            "horizontal": person.horizontal, "depth": person.row, "carried": person.carried}


def matches(person: PersonPlan, attribute: str, value: str) -> bool:
    """Could a reader take ``person`` to have ``value``? Unknown hair and any handled object count as yes."""
    if attribute == "hair" and person.look.hat:
        return True
    if attribute == "carried":
        return value in (person.carried, person.obj)
    return _values(person)[attribute] == value


def stated_values(person: PersonPlan, attributes: tuple[str, ...]) -> dict[str, str]:
    """The target's values of the stated attributes."""
    values = _values(person)
    return {a: values[a] for a in attributes}


def referents(persons: tuple[PersonPlan, ...], statement: dict[str, str]) -> list[int]:
    """Pids of everyone the statement could describe."""
    return [p.pid for p in persons if all(matches(p, a, v) for a, v in statement.items())]


def singles_out(target: PersonPlan, persons: tuple[PersonPlan, ...], attributes: tuple[str, ...]) -> bool:
    """Does stating these attributes of ``target`` describe ``target`` and nobody else?"""
    return referents(persons, stated_values(target, attributes)) == [target.pid]


def _usable(person: PersonPlan) -> list[str]:
    """Attributes a reference to ``person`` can state (known values only)."""
    return [a for a, v in _values(person).items() if v is not None]


def identifiable(persons: tuple[PersonPlan, ...]) -> bool:
    """Can every person be singled out (by stating everything known about them)?"""
    return all(singles_out(p, persons, tuple(_usable(p))) for p in persons)


def choose_attributes(target: PersonPlan, persons: tuple[PersonPlan, ...], rng: np.random.Generator) -> tuple[str, ...]:
    """A smallest attribute set that singles out ``target``, preferring sets none of whose attributes does alone."""
    usable = _usable(target)
    alone = {a: singles_out(target, persons, (a,)) for a in usable}
    for size in range(2, min(4, len(usable)) + 1):
        pool = [s for s in combinations(usable, size)
                if not any(alone[a] for a in s) and singles_out(target, persons, s)]
        if pool:
            return pool[int(rng.integers(len(pool)))]
    for size in range(1, len(usable) + 1):
        pool = [s for s in combinations(usable, size) if singles_out(target, persons, s)]
        if pool:
            return pool[int(rng.integers(len(pool)))]
    raise ValueError(f"person {target.pid} cannot be singled out: another person has all of their attributes")


# --- Wording ---------------------------------------------------------------------------------------------------
# Colour words: the held-out set uses synonyms that no primary reference contains.
_COLOUR_WORDS = {
    "primary": {c: c for c in ("red", "blue", "green", "yellow", "black", "white", "grey", "orange", "purple",
                               "pink", "brown")},
    "held_out": {"red": "scarlet", "blue": "cobalt", "green": "emerald", "yellow": "lemon", "black": "jet",
                 "white": "ivory", "grey": "slate", "orange": "tangerine", "purple": "violet", "pink": "rose",
                 "brown": "chestnut"},
}
_HAIR_WORDS = {"primary": {"black": "black", "brown": "brown", "blond": "blond", "grey": "grey"},
               "held_out": {"black": "raven", "brown": "auburn", "blond": "fair", "grey": "silver"}}
_OBJECT_WORDS = {
    "primary": {"cup": "cup", "book": "book", "bottle": "bottle", "handbag": "bag", "umbrella": "umbrella",
                "sports ball": "ball"},
    "held_out": {"cup": "mug", "book": "paperback", "bottle": "flask", "handbag": "purse", "umbrella": "brolly",
                 "sports ball": "football"},
}
# Phrase templates per attribute; {c} is the colour word, {o} the object word.
_PHRASES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "primary": {
        "top": {"*": ("in a {c} top", "with a {c} shirt")},
        "bottom": {"*": ("in {c} trousers", "with {c} pants")},
        "hat": {"none": ("without a hat",), "*": ("with a {c} hat", "in a {c} cap")},
        "hair": {"none": ("who is bald",), "*": ("with {c} hair",)},
        "horizontal": {"left": ("on the left",), "centre": ("in the middle", "in the centre"),
                       "right": ("on the right",)},
        "depth": {"front": ("at the front", "in front"), "back": ("at the back", "further back")},
        "carried": {"*": ("with a {o}",)},
    },
    "held_out": {
        "top": {"*": ("clad in a {c} sweater", "whose jacket is {c}")},
        "bottom": {"*": ("whose slacks are {c}", "in {c} jeans")},
        "hat": {"none": ("bareheaded",), "*": ("under a {c} beanie", "whose headwear is {c}")},
        "hair": {"none": ("hairless",), "*": ("whose hairdo is {c}", "with {c} locks")},
        "horizontal": {"left": ("towards the left side",), "centre": ("near midframe", "in the central area"),
                       "right": ("towards the right side",)},
        "depth": {"front": ("in the foreground", "nearer the camera"),
                  "back": ("in the background", "farther from the camera")},
        "carried": {"*": ("who has a {o}",)},
    },
}
_NOUNS = {"primary": {"adult": ("adult",), "child": ("child", "kid"), None: ("person",)},
          "held_out": {"adult": ("grown individual",), "child": ("youngster", "little one"),
                       None: ("individual", "figure")}}
_TEMPLATES = {"primary": ("the {noun} {and_list}", "{noun} {comma_list}"),
              "held_out": ("find the {noun} {semicolon_list}", "it is the {noun} {and_list}",
                           "that {noun}, {comma_list}")}


def phrase(vocabulary: str, attribute: str, value: str, rng: np.random.Generator) -> str:
    """One phrase stating ``attribute = value`` in the given vocabulary ("primary" or "held_out")."""
    table = _PHRASES[vocabulary][attribute]
    options = table.get(value, table.get("*"))
    text = options[int(rng.integers(len(options)))]
    colours = _HAIR_WORDS if attribute == "hair" else _COLOUR_WORDS
    colour = colours[vocabulary].get(value, value)
    obj = _OBJECT_WORDS[vocabulary].get(value, value)
    return text.format(c=colour, o=obj)


def describe(statement: dict[str, str], vocabulary: str, rng: np.random.Generator) -> str:
    """The statement as one referring expression."""
    build = statement.get("build")
    nouns = _NOUNS[vocabulary][build]
    noun = nouns[int(rng.integers(len(nouns)))]
    parts = [phrase(vocabulary, a, v, rng) for a, v in statement.items() if a != "build"]
    parts = [parts[i] for i in rng.permutation(len(parts))]
    and_list = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)
    templates = _TEMPLATES[vocabulary]
    text = templates[int(rng.integers(len(templates)))].format(
        noun=noun, and_list=and_list, comma_list=", ".join(parts), semicolon_list="; ".join(parts))
    return " ".join(text.split()).rstrip(" ,;")


def reference_pair(target: PersonPlan, persons: tuple[PersonPlan, ...],
                   rng: np.random.Generator) -> tuple[tuple[str, str], dict[str, str]]:
    """``(reference, held-out rephrasing)`` for ``target`` and the attribute values both state."""
    statement = stated_values(target, choose_attributes(target, persons, rng))
    return (describe(statement, "primary", rng), describe(statement, "held_out", rng)), statement
