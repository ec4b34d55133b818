"""RefAVA-Synth without pixels: the default preset's label plan, motion, references at scale, styles."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from ravar_bench.data.ava import AVA_ACTIONS, AVA_GROUPS
from ravar_bench.data.synth import actions as A
from ravar_bench.data.synth.motion import F_HAND, person_boxes, scene_tracks, window_taus
from ravar_bench.data.synth.plan import SIZES, SPLITS, plan_scene, plan_split
from ravar_bench.data.synth.references import referents
from ravar_bench.data.synth.styles import split_styles
from ravar_bench.data.synth.writer import scene_annotations


@pytest.fixture(scope="module")
def default_plans() -> dict:
    return {split: plan_split(0, split, "default") for split in SPLITS}


@pytest.fixture(scope="module")
def train_references(default_plans) -> list[tuple[str, str]]:
    return [r.descriptions for scene in default_plans["train"] for r in scene_annotations(scene, 0)[0]]


def test_default_preset_sizes(default_plans):
    for split, scenes in default_plans.items():
        count = sum(len(s.persons) for s in scenes)
        assert SIZES["default"][split] <= count < SIZES["default"][split] + 6
        assert all(2 <= len(s.persons) <= 6 for s in scenes)


def test_default_label_plan_covers_the_three_ava_groups_with_a_long_tail(default_plans):
    counts = Counter(i for s in default_plans["train"] for p in s.persons for i in p.labels)
    assert len(counts) >= 16 and set(counts) <= set(AVA_ACTIONS)
    for group in AVA_GROUPS.values():
        assert len(set(counts) & set(group)) >= 5
    head = {action for action, _ in counts.most_common(6)}
    assert {A.STAND, A.WATCH_PERSON, A.SIT, A.LISTEN, A.TALK} <= head
    assert counts.most_common(1)[0][0] == A.STAND
    assert counts[A.STAND] > 10 * counts[A.JUMP] > 0  # long-tailed
    for scene in default_plans["train"]:
        for person in scene.persons:
            assert len(set(person.labels) & set(AVA_GROUPS["person_movement"])) == 1


def test_interaction_roles_are_consistent(default_plans):
    for scene in default_plans["train"]:
        people = scene.persons
        for p in people:
            if A.TALK in p.interactions:
                assert A.LISTEN in people[p.partner].interactions
            if A.GIVE in p.interactions:
                assert A.TAKE in people[p.partner].interactions and people[p.partner].partner == p.pid
            for pair in (A.HUG, A.HAND_SHAKE):
                if pair in p.interactions:
                    assert pair in people[p.partner].interactions


def test_references_at_scale_single_out_one_person_each(default_plans):
    stated_sizes = []
    for scene in default_plans["val"]:
        records, _, meta = scene_annotations(scene, 0)
        for record in records:
            stated = meta["persons"][record.key.rsplit("___", 1)[1]]["stated"]
            assert referents(scene.persons, stated) == [int(record.key.rsplit("___", 1)[1])]
            assert record.descriptions[0] != record.descriptions[1]
            stated_sizes.append(len(stated))
    assert np.mean(np.array(stated_sizes) >= 2) > 0.5  # distractors share attributes: most need two or more


def test_held_out_words_never_appear_in_training_references(train_references):
    def words(text: str) -> set[str]:
        return set(re.findall(r"[a-z]+", text))

    shared = {"the", "a", "in", "with", "on", "at", "and", "who", "whose", "is", "it", "that", "left", "right"}
    train_words = set().union(*(words(r) for r, _ in train_references))
    held_out_words = set().union(*(words(h) for _, h in train_references)) - shared
    assert len(held_out_words) > 30 and not held_out_words & train_words


def _first(default_plans, predicate):
    for scene in default_plans["train"]:
        for person in scene.persons:
            if predicate(person):
                return scene, person
    raise AssertionError("no such person in the default train plan")


def test_walking_moves_the_box_standing_does_not(default_plans):
    scene, walker = _first(default_plans, lambda p: p.pose == A.WALK)
    people, _ = scene_tracks(scene)
    centres = {t.plan.pid: (person_boxes(t)[:, 0] + person_boxes(t)[:, 2]) / 2 for t in people}
    height = person_boxes(people[walker.pid])[45, 3] - person_boxes(people[walker.pid])[45, 1]
    assert abs(centres[walker.pid][-1] - centres[walker.pid][0]) * 128 / 96 > 0.5 * height
    scene, stander = _first(default_plans, lambda p: p.labels == (A.STAND,))
    people, _ = scene_tracks(scene)
    boxes = person_boxes(people[stander.pid])
    assert np.abs(boxes - boxes[45]).max() < 1e-9


def test_waving_oscillates_the_hand_holding_keeps_it_still(default_plans):
    scene, waver = _first(default_plans, lambda p: A.HAND_WAVE in p.interactions and p.pose == A.STAND)
    hand = scene_tracks(scene)[0][waver.pid].joints[:, F_HAND, 0]
    crossings = np.sum(np.diff(np.sign(hand - hand.mean())) != 0)
    assert hand.std() > 1.0 and crossings >= 8  # about 2 Hz over 3 s
    scene, holder = _first(default_plans, lambda p: p.object_action == A.HOLD and p.pose == A.STAND
                           and not p.interactions)
    hand = scene_tracks(scene)[0][holder.pid].joints[:, F_HAND]
    assert np.abs(hand - hand[45]).max() < 1e-6


def test_a_thrown_ball_leaves_the_hand_after_the_key_frame(default_plans):
    scene, thrower = _first(default_plans, lambda p: p.object_action == A.THROW)
    people, objects = scene_tracks(scene)
    (ball,) = [o for o in objects if o.owner == thrower.pid]
    gap = np.linalg.norm(ball.centre - people[thrower.pid].joints[:, F_HAND], axis=1)
    tau = window_taus()
    assert gap[tau < 0].max() < 1e-9 and gap[tau > 0.5].min() > 5.0


def test_splits_have_disjoint_style_catalogues():
    catalogues = {split: split_styles(split) for split in SPLITS}
    for i, a in enumerate(SPLITS):
        for b in SPLITS[i + 1:]:
            assert not {s.texture for s in catalogues[a]} & {s.texture for s in catalogues[b]}
            assert not {s.wall for s in catalogues[a]} & {s.wall for s in catalogues[b]}


def test_a_scene_depends_only_on_seed_split_and_index():
    assert plan_scene(3, "val", 7) == plan_scene(3, "val", 7)
    assert plan_scene(3, "val", 7) != plan_scene(4, "val", 7)
    scenes = plan_split(3, "train", "tiny")
    assert scenes[-1] == plan_scene(3, "train", len(scenes) - 1)
