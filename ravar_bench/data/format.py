"""The authors' RefAVA on-disk format: names, keys and the writer every producer uses.

Per split, three pickled dicts share the keys ``"<video_id>___<timestamp>___<person_id>"``:
``{split}_set_keyframe_crr_final.pkl`` (value: a list whose first element is the box x1,y1,x2,y2),
``{split}_set_label_crr_final.pkl`` (value: list of AVA action ids 1..80) and
``{split}_set_description_crr_final.pkl`` (value: list of strings; the first is the reference).
Frames live at ``frames/<video_id>/image_<6-digit index>.jpg``, 30 fps, index 1 at second 900.
RefAVA++ (the follow-up release, KPeng9510/refAVA2) has the same keys, values and frames with the pickles
named ``{split}_keyframe.pkl``, ``{split}_label.pkl`` and ``{split}_description.pkl``.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

KEY_SEPARATOR = "___"
FPS = 30
FIRST_SECOND = 900  # AVA clips span seconds 900..1800 of each movie; frame index 1 is second 900.
NUM_CLASSES = 80
PICKLE_KINDS = ("keyframe", "label", "description")


# Pickle names by data set: RefAVA (ECCV 2024) and RefAVA++ (its follow-up release); the key is the data
# set's name in results paths and leaderboards.
NAMINGS = {"refava": "{split}_set_{kind}_crr_final.pkl", "refava++": "{split}_{kind}.pkl"}


def pickle_name(split: str, kind: str, naming: str = "refava") -> str:
    """File name of one of the three per-split pickles, e.g. ``train_set_label_crr_final.pkl`` (RefAVA) or
    ``train_label.pkl`` (RefAVA++)."""
    if kind not in PICKLE_KINDS:
        raise ValueError(f"pickle kind must be one of {PICKLE_KINDS}, got {kind!r}")
    if naming not in NAMINGS:
        raise ValueError(f"pickle naming must be one of {sorted(NAMINGS)}, got {naming!r}")
    return NAMINGS[naming].format(split=split, kind=kind)


def named_splits(root: str | os.PathLike, naming: str) -> list[str]:
    """Splits with a keyframe pickle named the ``naming`` way under ``root``, sorted."""
    suffix = pickle_name("", "keyframe", naming)  # the split name leads every pattern
    return sorted(path.name[: -len(suffix)] for path in Path(root).glob(f"?*{suffix}"))


def detect_naming(root: str | os.PathLike) -> str:
    """Which data set's pickle names ``root`` holds: "refava" or "refava++" ("refava" when it holds none yet).

    A folder with both namings is ambiguous and raises, naming the folder."""
    found = [naming for naming in NAMINGS if named_splits(root, naming)]
    if len(found) > 1:
        raise ValueError(f"{root} holds both RefAVA pickles (*_set_keyframe_crr_final.pkl) and RefAVA++ pickles "
                         "(*_keyframe.pkl); keep one data set per folder")
    return found[0] if found else "refava"


def make_key(video_id: str, timestamp: int, person_id: int | str) -> str:
    """The sample key shared by the three pickles."""
    return KEY_SEPARATOR.join((video_id, str(int(timestamp)), str(person_id)))


def split_key(key: str) -> tuple[str, int, str]:
    """Inverse of :func:`make_key`: ``(video_id, timestamp, person_id)``."""
    parts = key.split(KEY_SEPARATOR)
    if len(parts) != 3 or not parts[1].lstrip("-").isdigit():
        raise ValueError(f"sample key {key!r} is not '<video_id>___<timestamp>___<person_id>'")
    return parts[0], int(parts[1]), parts[2]


def frame_index(second: float) -> int:
    """Index of the frame file showing ``second`` of the movie (AVA frame-folder convention)."""
    return round((second - FIRST_SECOND) * FPS) + 1


def frame_path(root: str | os.PathLike, video_id: str, index: int) -> Path:
    """Path of one extracted frame, ``frames/<video_id>/image_%06d.jpg``."""
    return Path(root) / "frames" / video_id / f"image_{index:06d}.jpg"


@dataclass(frozen=True)
class RefAVARecord:
    """One annotated person: the row that the three pickles hold between them."""

    key: str
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 on the key frame
    labels: tuple[int, ...]  # AVA action ids, 1..80
    descriptions: tuple[str, ...]  # the first is the reference; more are optional rephrasings
    extra: dict = field(default_factory=dict, compare=False)


def current_umask() -> int:
    """The process umask, read from /proc on Linux (setting it to read it back races with other threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees either the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp creates 0600; a new file gets the umask's mode
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_split(root: str | os.PathLike, split: str, records: Iterable[RefAVARecord], naming: str = "refava") -> None:
    """Write one split's three pickles exactly as the authors distribute them (``naming``: RefAVA or RefAVA++)."""
    keyframes, labels, descriptions = {}, {}, {}
    for record in records:
        keyframes[record.key] = [list(record.box)]
        labels[record.key] = list(record.labels)
        descriptions[record.key] = list(record.descriptions)
    for kind, table in zip(PICKLE_KINDS, (keyframes, labels, descriptions), strict=True):
        # Protocol 4 keeps the files byte-identical across Python 3.8+ for the same content.
        atomic_write_bytes(Path(root) / pickle_name(split, kind, naming), pickle.dumps(table, protocol=4))


# --- Detections file (ravar-bench's own format; the authors' release has none) -----------------
DETECTIONS_FORMAT = "ravar-bench-detections"
DETECTIONS_VERSION = 1


def detections_name(split: str) -> str:
    """File name of a split's detections file, stored beside the pickles."""
    return f"{split}_detections.json"


def write_detections(root: str | os.PathLike, split: str, detections: dict[str, dict],
                     detector: dict) -> None:
    """Write ``{key: {"boxes": [[x1,y1,x2,y2], ...], "names": [...], "scores": [...]}}``.

    Boxes are normalised to [0, 1] on the key frame. ``detector`` records where the detections
    came from (config and checkpoint, or the synthetic noise model and its parameters).
    """
    import json

    payload = {"format": DETECTIONS_FORMAT, "version": DETECTIONS_VERSION, "box_units": "normalized",
               "detector": detector, "detections": detections}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    atomic_write_bytes(Path(root) / detections_name(split), text.encode())
