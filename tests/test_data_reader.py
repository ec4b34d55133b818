"""RefAVA reader: key alignment, every validation problem, strict mode, box units, provenance hash."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from ravar_bench.data.format import pickle_name
from ravar_bench.data.problems import RefAVAFormatError
from ravar_bench.data.refava import read_split, validate_split
from ravar_bench.testing.refava import HEIGHT, WIDTH, tiny_records, write_tiny_refava

KEY = "vid_a___902___1"


@pytest.fixture(scope="module")
def tiny_root(tmp_path_factory) -> Path:
    """A valid tiny RefAVA (train split), written once per module."""
    return write_tiny_refava(tmp_path_factory.mktemp("refava"), splits=("train",))


@pytest.fixture
def root(tiny_root, tmp_path) -> Path:
    """A private copy of the tiny RefAVA that a test may corrupt."""
    return Path(shutil.copytree(tiny_root, tmp_path / "copy"))


def _edit(root: Path, kind: str, edit) -> None:
    """Apply ``edit(table)`` to one pickle of the train split."""
    path = root / pickle_name("train", kind)
    table = pickle.loads(path.read_bytes())
    edit(table)
    path.write_bytes(pickle.dumps(table))


def _set(kind: str, value, key: str = KEY):
    """An edit setting ``table[key] = value`` in pickle ``kind``."""
    return kind, lambda table: table.__setitem__(key, value)


def _rename(kind: str, new: str, key: str = KEY):
    """An edit moving ``key`` to ``new`` in pickle ``kind`` only."""
    return kind, lambda table: table.__setitem__(new, table.pop(key))


CASES = {
    "key only in one pickle": ([_set("label", [3], "vid_a___902___9")], "missing_key", "keyframe_crr", "key"),
    "key missing from one pickle": ([("description", lambda t: t.pop(KEY))], "missing_key", "description", "key"),
    "malformed key": ([_rename(kind, "vid_a__902__1") for kind in ("keyframe", "label", "description")],
                      "malformed_key", "keyframe", "key"),
    "label above 80": ([_set("label", [12, 81])], "label_range", "label", "labels[1]"),
    "label zero": ([_set("label", [0])], "label_range", "label", "labels[0]"),
    "label not an integer": ([_set("label", ["12"])], "label_range", "label", "labels[0]"),
    "empty labels": ([_set("label", [])], "empty_labels", "label", "labels"),
    "box with 3 numbers": ([_set("keyframe", [[0.1, 0.2, 0.3]])], "box_format", "keyframe", "box"),
    "box with nan": ([_set("keyframe", [[0.1, float("nan"), 0.3, 0.4]])], "box_format", "keyframe", "box"),
    "box of strings": ([_set("keyframe", [["a", "b", "c", "d"]])], "box_format", "keyframe", "box"),
    "box x2 <= x1": ([_set("keyframe", [[0.5, 0.1, 0.5, 0.4]])], "box_order", "keyframe", "box"),
    "box y2 <= y1": ([_set("keyframe", [[0.1, 0.6, 0.3, 0.4]])], "box_order", "keyframe", "box"),
    "box outside the frame": ([_set("keyframe", [[-0.2, 0.1, 0.3, 0.4]])], "box_outside", "keyframe", "box"),
    "empty description list": ([_set("description", [])], "description", "description", "descriptions"),
    "empty description": ([_set("description", ["  "])], "description", "description", "descriptions[0]"),
    "non-string description": ([_set("description", [42])], "description", "description", "descriptions[0]"),
    "missing video": ([_rename(kind, "vid_z___902___1") for kind in ("keyframe", "label", "description")],
                      "missing_frames", "vid_z", "frames"),
    "key frame past the frames": ([_rename(kind, "vid_a___990___1") for kind in ("keyframe", "label", "description")],
                                  "missing_frames", "vid_a", "key frame"),
}


@pytest.mark.parametrize("edits, kind, file, field", CASES.values(), ids=CASES.keys())
def test_every_problem_is_reported_with_file_key_and_field(root, edits, kind, file, field):
    for pickle_kind, edit in edits:
        _edit(root, pickle_kind, edit)
    with pytest.raises(RefAVAFormatError) as caught:
        read_split(root, "train")
    problems = caught.value.problems
    assert [p.kind for p in problems] == [kind]
    assert file in problems[0].file and problems[0].field == field and problems[0].expected
    assert f"{kind}: 1" in str(caught.value)
    # When problems are only collected, every sample without one is still read.
    kept = {sample.key for sample in validate_split(root, "train").samples}
    assert problems[0].key not in kept and len(kept) >= len(tiny_records()) - 1


def test_missing_pickle_is_a_file_problem(root):
    (root / pickle_name("train", "label")).unlink()
    with pytest.raises(RefAVAFormatError, match=r"train_set_label_crr_final\.pkl.*no such file"):
        read_split(root, "train")


def test_default_collects_all_problems_and_strict_stops_at_the_first(root):
    _edit(root, "label", lambda t: t.update({KEY: [99], "vid_b___902___0": []}))
    _edit(root, "keyframe", lambda t: t.update({"vid_a___903___1": [[0.9, 0.1, 0.2, 0.5]]}))
    with pytest.raises(RefAVAFormatError) as caught:
        read_split(root, "train")
    assert sorted(p.kind for p in caught.value.problems) == ["box_order", "empty_labels", "label_range"]
    assert "3 problem(s)" in str(caught.value)
    with pytest.raises(RefAVAFormatError) as caught:
        read_split(root, "train", strict=True)
    assert len(caught.value.problems) == 1


def test_pickles_join_by_key_not_by_insertion_order(root):
    """Reverse the insertion order of one pickle: every sample still gets its own labels and text."""
    _edit(root, "label", lambda t: [t.__setitem__(k, t.pop(k)) for k in reversed(list(t))])
    _edit(root, "description", lambda t: [t.__setitem__(k, t.pop(k)) for k in list(t)[1:]])
    samples = {s.key: s for s in read_split(root, "train").samples}
    for record in tiny_records():
        assert samples[record.key].labels == record.labels
        assert samples[record.key].descriptions == record.descriptions
        np.testing.assert_allclose(samples[record.key].box, record.box)


def test_normalised_boxes_are_detected_and_kept(tiny_root):
    split = read_split(tiny_root, "train")
    assert split.box_units == "normalized"
    assert {s.key: s.box for s in split.samples}[KEY] == (0.1, 0.2, 0.4, 0.9)


def test_pixel_boxes_are_detected_and_normalised_by_the_key_frame_size(tmp_path):
    root = write_tiny_refava(tmp_path, splits=("train",), pixels=True)
    split = read_split(root, "train")
    assert split.box_units == "pixels"
    stored = {record.key: record.box for record in tiny_records(pixels=True)}
    normalised = {record.key: record.box for record in tiny_records()}
    for sample in split.samples:
        np.testing.assert_allclose(sample.box, np.array(stored[sample.key]) / [WIDTH, HEIGHT, WIDTH, HEIGHT])
        np.testing.assert_allclose(sample.box, normalised[sample.key], atol=1e-12)


def test_pixel_box_outside_the_frame_is_reported(tmp_path):
    root = write_tiny_refava(tmp_path, splits=("train",), pixels=True)
    _edit(root, "keyframe", lambda t: t.update({KEY: [[10, 10, WIDTH + 5, 40]]}))
    with pytest.raises(RefAVAFormatError) as caught:
        read_split(root, "train")
    assert [p.kind for p in caught.value.problems] == ["box_outside"]
    assert "64x48" in caught.value.problems[0].expected


def test_release_style_keyframe_value_uses_first_four_numbers_of_first_element(root):
    _edit(root, "keyframe", lambda t: t.update({KEY: [[0.1, 0.2, 0.4, 0.9, 0.77], [0.0, 0.0, 1.0, 1.0]]}))
    assert {s.key: s.box for s in read_split(root, "train").samples}[KEY] == (0.1, 0.2, 0.4, 0.9)


def test_rephrased_split_needs_a_second_description(root):
    first = read_split(root, "train", description_index=1).samples[0]
    assert first.descriptions[1] == f"rephrased: {first.descriptions[0]}"
    _edit(root, "description", lambda t: t.update({KEY: ["only the original"]}))
    with pytest.raises(RefAVAFormatError, match=r"descriptions\[1\].*held-out rephrasing"):
        read_split(root, "train", description_index=1)
