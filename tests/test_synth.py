"""RefAVA-Synth on disk: determinism, the authors' format, frames, references, splits, detections, resuming."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from ravar_bench.data.ava import AVA_ACTIONS, AVA_GROUPS
from ravar_bench.data.format import (
    FPS,
    detections_name,
    frame_index,
    frame_path,
    pickle_name,
    split_key,
)
from ravar_bench.data.refava import read_split
from ravar_bench.data.synth import GENERATOR_VERSION, MANIFEST_NAME, default_root, generate, sample_keyframe
from ravar_bench.data.synth.writer import scenes_name

SPLITS = ("train", "val", "test")


def _digest(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root``, by relative path."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("a") / "synth", seed=0, size="tiny", progress=False, workers=1)


@pytest.fixture(scope="module")
def tiny_digest(tiny) -> dict[str, str]:
    return _digest(tiny)


def _load(root: Path, split: str, kind: str) -> dict:
    with open(root / pickle_name(split, kind), "rb") as handle:
        return pickle.load(handle)


def test_same_seed_gives_identical_bytes_whatever_the_process_count(tiny_digest, tmp_path):
    again = generate(tmp_path / "b", seed=0, size="tiny", progress=False, workers=2)
    assert _digest(again) == tiny_digest
    assert sum(name.endswith(".jpg") for name in tiny_digest) > 500


def test_another_seed_gives_other_data(tiny_digest, tmp_path):
    other = _digest(generate(tmp_path / "c", seed=1, size="tiny", progress=False, workers=1))
    for split in SPLITS:
        assert other[pickle_name(split, "description")] != tiny_digest[pickle_name(split, "description")]
    shared_frames = set(other) & set(tiny_digest) - {MANIFEST_NAME}
    assert sum(other[f] == tiny_digest[f] for f in shared_frames if f.endswith(".jpg")) == 0


def test_pickles_have_the_authors_structure(tiny):
    movement = set(AVA_GROUPS["person_movement"])
    for split in SPLITS:
        keyframes, labels, descriptions = (_load(tiny, split, kind) for kind in ("keyframe", "label", "description"))
        assert set(keyframes) == set(labels) == set(descriptions) and keyframes
        for key in keyframes:
            video_id, timestamp, person = split_key(key)
            assert key == f"{video_id}___{timestamp}___{person}"
            (box,) = keyframes[key]
            assert len(box) == 4 and all(isinstance(v, float) for v in box)
            assert 0 <= box[0] < box[2] <= 1 and 0 <= box[1] < box[3] <= 1
            assert labels[key] and all(isinstance(i, int) and 1 <= i <= 80 for i in labels[key])
            assert len(movement & set(labels[key])) == 1  # exactly one pose action per person
            assert len(descriptions[key]) == 2 and all(isinstance(d, str) and d for d in descriptions[key])
            assert descriptions[key][0] != descriptions[key][1]


def test_every_window_frame_exists_and_decodes(tiny):
    for split in SPLITS:
        for key in _load(tiny, split, "label"):
            video_id, timestamp, _ = split_key(key)
            centre = frame_index(timestamp)
            for index in range(centre - 45, centre + 46):
                assert frame_path(tiny, video_id, index).is_file(), (key, index)
            image = cv2.imread(str(frame_path(tiny, video_id, centre)))
            assert image.shape == (96, 128, 3)


def test_the_harness_reader_accepts_every_split_and_the_rephrasings(tiny):
    for split in SPLITS:
        for index in (0, 1):
            read = read_split(tiny, split, strict=True, description_index=index)
            assert read.box_units == "normalized" and len(read.samples) == len(_load(tiny, split, "label"))


# --- References -----------------------------------------------------------------------------------------------
# Words of the AVA action names that are not themselves about an action (articles, prepositions, "person").
NON_ACTION_NAME_WORDS = {"a", "an", "the", "at", "on", "to", "from", "with", "e", "g", "person", "object", "self",
                         "group", "another"}
EXTRA_VERBS = {"walking", "standing", "sitting", "running", "holding", "carrying", "waving", "talking", "listening",
               "watching", "looking", "drinking", "reading", "texting", "throwing", "hugging", "shaking", "giving",
               "taking", "lying", "bending", "jumping", "crouching", "kneeling", "moving", "wearing", "dressed",
               "holds", "walks", "stands", "sits", "runs", "waves", "talks", "looks", "picks", "puts", "gives"}
ACTION_WORDS = {w for name in AVA_ACTIONS.values() for w in re.findall(r"[a-z]+", name.lower())}
ACTION_WORDS = (ACTION_WORDS - NON_ACTION_NAME_WORDS) | EXTRA_VERBS


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def _meta(root: Path, split: str) -> dict:
    return json.loads((root / scenes_name(split)).read_text())


PRIMARY_WORDS = {"centre": {"centre", "middle"}}


def _could_be(person: dict, attribute: str, value: str) -> bool:
    """Independent restatement of the conservative reading: hair under a hat and handled objects are unclear."""
    if attribute == "hair":
        return person["hat"] is not None or (person["hair"] or "none") == value
    if attribute == "carried":
        return value in (person["carried"], person["handles"])
    if attribute == "hat":
        return (person["hat"] or "none") == value
    return person[attribute] == value


def test_every_reference_identifies_exactly_one_person_of_its_clip(tiny):
    checked = 0
    for split in SPLITS:
        descriptions = _load(tiny, split, "description")
        for video_id, scene in _meta(tiny, split).items():
            for pid, person in scene["persons"].items():
                stated = person["stated"]
                assert stated
                matching = [q for q, other in scene["persons"].items()
                            if all(_could_be(other, a, v) for a, v in stated.items())]
                assert matching == [pid], (video_id, pid, stated)
                words = _words(descriptions[f"{video_id}___{scene['timestamp']}___{pid}"][0])
                for attribute in {"horizontal", "top", "bottom"} & set(stated):  # the text says what is stated
                    assert words & PRIMARY_WORDS.get(stated[attribute], {stated[attribute]}), (words, stated)
                checked += 1
    assert checked == sum(len(_load(tiny, s, "label")) for s in SPLITS)


def test_references_never_name_an_action(tiny):
    assert {"walk", "stand", "sit", "hold", "wave", "talk", "watch", "phone"} <= ACTION_WORDS
    for split in SPLITS:
        for texts in _load(tiny, split, "description").values():
            for text in texts:
                assert not _words(text) & ACTION_WORDS, text
                assert not any(w.endswith("ing") for w in _words(text)), text


def test_rephrasings_use_words_no_training_reference_uses(tiny):
    function_words = {"the", "a", "in", "with", "on", "at", "and", "who", "whose", "is", "are", "it", "that", "left",
                      "right"}
    train_words = set().union(*(_words(d[0]) for d in _load(tiny, "train", "description").values()))
    for split in SPLITS:
        for _, rephrasing in _load(tiny, split, "description").values():
            content = _words(rephrasing) - function_words
            assert content and not content & train_words, (rephrasing, content & train_words)


# --- Splits, detections, manifest -----------------------------------------------------------------------------
def test_splits_use_disjoint_styles_and_video_ids(tiny):
    metas = {split: _meta(tiny, split) for split in SPLITS}
    for i, a in enumerate(SPLITS):
        for b in SPLITS[i + 1:]:
            assert not set(metas[a]) & set(metas[b])
            assert not {s["texture"] for s in metas[a].values()} & {s["texture"] for s in metas[b].values()}
            assert not {s["style"] for s in metas[a].values()} & {s["style"] for s in metas[b].values()}


def _iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def test_detections_file_is_valid_and_finds_most_people(tiny):
    from torchvision.models.detection import FasterRCNN_ResNet50_FPN_Weights

    coco = set(FasterRCNN_ResNet50_FPN_Weights.DEFAULT.meta["categories"]) - {"N/A", "__background__"}
    found = total = 0
    for split in SPLITS:
        payload = json.loads((tiny / detections_name(split)).read_text())
        assert payload["format"] == "ravar-bench-detections" and payload["box_units"] == "normalized"
        assert payload["detector"]["params"]["miss"]["person"] == 0.05
        keyframes = _load(tiny, split, "keyframe")
        assert set(payload["detections"]) == set(keyframes)
        for key, det in payload["detections"].items():
            boxes, names, scores = np.array(det["boxes"]).reshape(-1, 4), det["names"], det["scores"]
            assert len(boxes) == len(names) == len(scores)
            assert set(names) <= coco
            assert ((boxes >= 0) & (boxes <= 1)).all() and (boxes[:, :2] <= boxes[:, 2:]).all()
            assert list(scores) == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
            people = [b for b, n in zip(boxes, names, strict=True) if n == "person"]
            found += any(_iou(b, keyframes[key][0]) >= 0.5 for b in people)
            total += 1
    assert found / total >= 0.75


def test_manifest_records_version_seed_size_and_counts(tiny):
    manifest = json.loads((tiny / MANIFEST_NAME).read_text())
    assert manifest["generator_version"] == GENERATOR_VERSION and manifest["seed"] == 0 and manifest["size"] == "tiny"
    assert manifest["counts"] == {s: len(_load(tiny, s, "label")) for s in SPLITS}
    assert manifest["fps"] == FPS


def test_an_interrupted_generation_completes_to_the_same_bytes(tiny, tiny_digest, tmp_path):
    root = generate(tmp_path / "d", seed=0, size="tiny", progress=False, workers=1)
    victim = sorted((root / "frames").iterdir())[1]
    for path in victim.iterdir():
        path.unlink()
    victim.rmdir()
    (root / MANIFEST_NAME).unlink()
    (root / pickle_name("val", "label")).unlink()
    (root / "frames" / ".tmp-synth-train-99999-999999999").mkdir()  # left by a dead process
    generate(root, seed=0, size="tiny", progress=False, workers=1)
    assert _digest(root) == tiny_digest


def test_a_folder_of_another_seed_is_refused(tiny):
    with pytest.raises(ValueError, match=re.escape(str(tiny / MANIFEST_NAME))):
        generate(tiny, seed=5, size="tiny", progress=False)


def test_default_root_reuses_a_complete_cache(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("RAVAR_BENCH_CACHE", str(tmp_path))
    cached = tmp_path / f"refava-synth-v{GENERATOR_VERSION}-seed0-default"
    cached.mkdir()
    manifest = json.loads((tiny / MANIFEST_NAME).read_text()) | {"size": "default"}
    (cached / MANIFEST_NAME).write_text(json.dumps(manifest))
    assert default_root(progress=False) == cached
    assert os.listdir(cached) == [MANIFEST_NAME]  # nothing regenerated


def test_sample_keyframe_is_the_rendered_test_key_frame(tiny):
    frame = sample_keyframe(seed=0)
    assert frame.dtype == np.uint8 and frame.shape == (96, 128, 3)
    assert np.array_equal(frame, sample_keyframe(seed=0))
    on_disk = cv2.cvtColor(cv2.imread(str(frame_path(tiny, "synth-test-00000", frame_index(902)))), cv2.COLOR_BGR2RGB)
    assert np.abs(on_disk.astype(int) - frame.astype(int)).mean() < 3.0


@pytest.mark.slow
def test_default_set_is_byte_identical_across_generations(tmp_path: Path) -> None:
    """The acceptance check at full size: the default set, generated twice with one seed, is the same bytes."""

    def digest(root: Path) -> str:
        files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
        hasher = hashlib.sha256()
        for path in files:
            hasher.update(str(path.relative_to(root)).encode())
            hasher.update(path.read_bytes())
        return hasher.hexdigest()

    first = generate(tmp_path / "a", seed=0, size="default", progress=False)
    second = generate(tmp_path / "b", seed=0, size="default", progress=False)
    assert digest(first) == digest(second)
