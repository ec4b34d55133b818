"""Reader for RefAVA in the authors' on-disk format: a split's three pickles joined by key, validated.

The authors' release aligns the three dicts by insertion order; this reader joins them by key and
reports every key that is not in all three. Boxes come out normalised x1, y1, x2, y2 in [0, 1] on the
key frame, whatever units the split stores (detected per split and recorded).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path

import numpy as np

from ravar_bench.data.format import (
    FIRST_SECOND,
    NUM_CLASSES,
    PICKLE_KINDS,
    RefAVARecord,
    detect_naming,
    frame_index,
    frame_path,
    named_splits,
    pickle_name,
    split_key,
)
from ravar_bench.data.frames import FrameError, find_frame_source
from ravar_bench.data.problems import ProblemLog, RefAVAFormatError
from ravar_bench.data.safe_pickle import RefusedPickleError, load_plain_pickle

BOX_TOLERANCE = 0.01  # boxes may overshoot the frame by 1% of its size (then clipped); more is an error


@dataclass(frozen=True)
class RefAVASample:
    """One validated sample: key parts, normalised box, labels, descriptions and its frame source."""

    key: str
    video_id: str
    timestamp: int
    person_id: str
    box: tuple[float, float, float, float]
    labels: tuple[int, ...]
    descriptions: tuple[str, ...]
    frame_source: dict | None


@dataclass
class RefAVASplit:
    """A split read from disk: its valid samples, the box units found and the files read."""

    root: Path
    split: str
    samples: list[RefAVASample]
    box_units: str  # "normalized" or "pixels"
    files: dict[str, Path]
    problems: list = field(default_factory=list)
    keys: set | None = None  # every key any of the three pickles holds, valid or not; None: pickles unreadable


def split_files(root: str | os.PathLike, split: str) -> dict[str, Path]:
    """The three pickle paths of ``split``, by kind, in the naming ``root`` holds (RefAVA or RefAVA++)."""
    naming = detect_naming(root)
    return {kind: Path(root) / pickle_name(split, kind, naming) for kind in PICKLE_KINDS}


def available_splits(root: str | os.PathLike) -> list[str]:
    """Splits with a keyframe pickle under ``root`` (either naming), sorted."""
    return named_splits(root, detect_naming(root))


def manifest_sha256(paths: Sequence[Path]) -> str:
    """sha256 over the names and bytes of ``paths``: the provenance hash of a split's files."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        with open(path, "rb") as handle:
            for chunk in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def load_tables(files: dict[str, Path], log: ProblemLog) -> dict[str, dict] | None:
    """Unpickle the three dicts; ``None`` (after logging) when any file is missing or not a dict."""
    tables = {}
    for kind, path in files.items():
        if not path.is_file():
            log.add("file", path, None, "file", "the authors' pickle file", "no such file")
            continue
        try:
            table = load_plain_pickle(path)  # never runs code a user's pickle carries
        except RefusedPickleError as error:
            log.add("file", path, None, "file", "plain data and numpy arrays only (other globals can run code)",
                    str(error))
            continue
        except Exception as error:
            log.add("file", path, None, "file", "a readable pickle", f"{type(error).__name__}: {error}")
            continue
        if not isinstance(table, dict):
            log.add("file", path, None, "file", "a pickled dict keyed by sample key", type(table).__name__)
            continue
        tables[kind] = table
    return tables if len(tables) == len(files) else None


def join_records(tables: dict[str, dict], files: dict[str, Path], log: ProblemLog,
                 description_index: int = 0) -> list[RefAVARecord]:
    """Join the three dicts by key and validate each value; only fully valid records are returned."""
    key_sets = {kind: set(table) for kind, table in tables.items()}
    every = set().union(*key_sets.values())
    for key in sorted(every, key=str):
        lacking = [kind for kind in PICKLE_KINDS if key not in key_sets[kind]]
        if lacking:
            found = f"only in the {', '.join(k for k in PICKLE_KINDS if k not in lacking)} pickle(s)"
            log.add("missing_key", ", ".join(files[k].name for k in lacking), str(key), "key",
                    "the key in all three pickles", found)
    shared = sorted(set.intersection(*key_sets.values()), key=str)
    records = []
    for key in shared:
        record = _check_record(key, tables, files, log, description_index)
        if record is not None:
            records.append(record)
    return records


def _check_record(key: object, tables: dict[str, dict], files: dict[str, Path], log: ProblemLog,
                  description_index: int) -> RefAVARecord | None:
    """Validate one key's three values; log every problem, return the record only if all are fine."""
    before = len(log.problems)
    name = key if isinstance(key, str) else repr(key)
    if not _is_valid_key(key):
        log.add("malformed_key", files["keyframe"].name, name, "key",
                "'<video_id>___<integer timestamp>___<person_id>'", repr(key))
    box = _check_box(name, tables["keyframe"][key], files["keyframe"].name, log)
    labels = _check_labels(name, tables["label"][key], files["label"].name, log)
    descriptions = _check_descriptions(name, tables["description"][key], files["description"].name, log,
                                       description_index)
    if len(log.problems) > before:
        return None
    return RefAVARecord(key=key, box=box, labels=labels, descriptions=descriptions)


def _is_valid_key(key: object) -> bool:
    """Whether ``key`` is a string ``<video_id>___<integer timestamp>___<person_id>``."""
    try:
        return isinstance(key, str) and bool(split_key(key)[0])
    except ValueError:
        return False


def _check_box(key: str, value: object, file: str, log: ProblemLog) -> tuple[float, ...] | None:
    """The first 4 numbers of the value's first element (the release's reading), validated."""
    first = value[0] if isinstance(value, list | tuple | np.ndarray) and len(value) and \
        isinstance(value[0], list | tuple | np.ndarray) else value
    try:
        numbers = np.asarray(first, dtype=np.float64)
    except (TypeError, ValueError):
        numbers = None
    if numbers is None or numbers.ndim != 1 or numbers.size < 4 or not np.isfinite(numbers[:4]).all():
        log.add("box_format", file, key, "box", "[[x1, y1, x2, y2], ...]: 4 finite numbers first", repr(value))
        return None
    x1, y1, x2, y2 = (float(v) for v in numbers[:4])
    if x2 <= x1 or y2 <= y1:
        log.add("box_order", file, key, "box", "x2 > x1 and y2 > y1", repr((x1, y1, x2, y2)))
        return None
    return x1, y1, x2, y2


def _check_labels(key: str, value: object, file: str, log: ProblemLog) -> tuple[int, ...] | None:
    """AVA action ids, a non-empty list of integers in 1..NUM_CLASSES."""
    if not isinstance(value, list | tuple | np.ndarray):
        log.add("label_range", file, key, "labels", f"a list of AVA action ids 1..{NUM_CLASSES}", repr(value))
        return None
    if len(value) == 0:
        log.add("empty_labels", file, key, "labels", "at least one AVA action id", "[]")
        return None
    labels = []
    for position, label in enumerate(value):
        if not isinstance(label, Integral) or isinstance(label, bool) or not 1 <= label <= NUM_CLASSES:
            log.add("label_range", file, key, f"labels[{position}]", f"an integer AVA action id in 1..{NUM_CLASSES}",
                    repr(label))
        else:
            labels.append(int(label))
    return tuple(labels) if len(labels) == len(value) else None


def _check_descriptions(key: str, value: object, file: str, log: ProblemLog,
                        description_index: int) -> tuple[str, ...] | None:
    """A list of non-empty strings, long enough to hold the description at ``description_index``."""
    if not isinstance(value, list | tuple) or len(value) == 0:
        log.add("description", file, key, "descriptions", "a non-empty list of strings", repr(value))
        return None
    bad = [i for i, text in enumerate(value) if not isinstance(text, str) or not text.strip()]
    for position in bad:
        log.add("description", file, key, f"descriptions[{position}]", "a non-empty string", repr(value[position]))
    if len(value) <= description_index:
        log.add("description", file, key, f"descriptions[{description_index}]",
                f"a description at index {description_index} (a held-out rephrasing)", f"{len(value)} description(s)")
        return None
    return None if bad else tuple(value)


def detect_box_units(boxes: Sequence[Sequence[float]]) -> str:
    """``"normalized"`` when every coordinate of the split is <= 1, else ``"pixels"``."""
    return "normalized" if all(coordinate <= 1.0 for box in boxes for coordinate in box) else "pixels"


def validate_split(root: str | os.PathLike, split: str, *, strict: bool = False, description_index: int = 0,
                   file_split: str | None = None) -> RefAVASplit:
    """Read and validate one split; problems are collected on the result (strict: raised at once).

    ``file_split`` names the pickles to read when it differs from ``split`` (``test-rephrased`` reads
    ``test``). Samples with any problem are left out of ``samples``.
    """
    root = Path(root)
    files = split_files(root, file_split or split)
    log = ProblemLog(f"RefAVA split {split!r} in {root}", strict)
    result = RefAVASplit(root, split, [], "normalized", files, log.problems)
    tables = load_tables(files, log)
    if tables is None:
        return result
    result.keys = set().union(*tables.values())
    records = join_records(tables, files, log, description_index)
    result.box_units = detect_box_units([record.box for record in records])
    sources: dict[str, dict | FrameError | None] = {}
    for record in records:
        sample = _attach_frames(record, root, sources, result.box_units, files["keyframe"].name, log)
        if sample is not None:
            result.samples.append(sample)
    return result


def read_split(root: str | os.PathLike, split: str, *, strict: bool = False, description_index: int = 0,
               file_split: str | None = None) -> RefAVASplit:
    """:func:`validate_split`, raising one error that lists every problem when there is any."""
    result = validate_split(root, split, strict=strict, description_index=description_index, file_split=file_split)
    if result.problems:
        raise RefAVAFormatError(result.problems, f"RefAVA split {split!r} in {root}")
    return result


def read_records(root: str | os.PathLike, split: str, *, strict: bool = False) -> list[RefAVARecord]:
    """The split's records with their boxes as stored (no frames needed): for format conversion."""
    files = split_files(root, split)
    log = ProblemLog(f"RefAVA split {split!r} in {root}", strict)
    tables = load_tables(files, log)
    records = [] if tables is None else join_records(tables, files, log)
    log.raise_if_any()
    return records


def _attach_frames(record: RefAVARecord, root: Path, sources: dict[str, dict | FrameError | None], units: str,
                   file: str, log: ProblemLog) -> RefAVASample | None:
    """Resolve the record's frame source, check its key frame exists and normalise its box."""
    video_id, timestamp, person_id = split_key(record.key)
    if video_id not in sources:
        try:
            sources[video_id] = find_frame_source(root, video_id)
        except FrameError as error:  # the first frame's header, read for the frame size
            sources[video_id] = error
    source = sources[video_id]
    if isinstance(source, FrameError):
        log.add("frame_decode", frame_path(root, video_id, 1), record.key, "frame", "a JPEG with a readable header",
                "no image header")
        return None
    if source is None:
        log.add("missing_frames", root / "frames" / video_id, record.key, "frames",
                f"frames/{video_id}/image_000001.jpg... or videos/{video_id}.mp4", "neither exists")
        return None
    if source["type"] == "frames" and not 1 <= frame_index(timestamp) <= source["num_frames"]:
        log.add("missing_frames", source["path"], record.key, "key frame",
                f"image_{frame_index(timestamp):06d}.jpg (second {timestamp})", f"{source['num_frames']} frames")
        return None
    if source["type"] == "video" and not 0 <= (timestamp - FIRST_SECOND) * source["fps"] < source["num_frames"]:
        log.add("missing_frames", source["path"], record.key, "key frame", f"a frame at movie second {timestamp}",
                f"{source['num_frames'] / source['fps']:.1f} s of video from second 900")
        return None
    box = np.asarray(record.box, dtype=np.float64)
    if units == "pixels":
        box = box / np.array([source["width"], source["height"], source["width"], source["height"]])
    if box.min() < -BOX_TOLERANCE or box.max() > 1 + BOX_TOLERANCE:
        log.add("box_outside", file, record.key, "box", f"inside the {source['width']}x{source['height']} key frame",
                f"{record.box} ({units})")
        return None
    return RefAVASample(record.key, video_id, timestamp, person_id, tuple(float(v) for v in np.clip(box, 0.0, 1.0)),
                        record.labels, record.descriptions, source)
