"""A readable JSONL manifest of one split: one JSON object per line with ``key``, ``box``, ``labels``
and ``descriptions``, the same content as the authors' three pickles (``box`` as stored)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ravar_bench.data.format import PICKLE_KINDS, RefAVARecord, atomic_write_bytes
from ravar_bench.data.problems import ProblemLog
from ravar_bench.data.refava import join_records
from ravar_bench.data.splits import Split

FIELDS = ("key", "box", "labels", "descriptions")


def write_manifest(path: str | os.PathLike, records: list[RefAVARecord]) -> None:
    """Write ``records`` as JSONL, one sample per line, in the given order."""
    lines = [json.dumps({"key": r.key, "box": list(r.box), "labels": list(r.labels),
                         "descriptions": list(r.descriptions)}, ensure_ascii=False) for r in records]
    atomic_write_bytes(path, ("\n".join(lines) + "\n").encode())


def read_manifest(path: str | os.PathLike, strict: bool = False) -> list[RefAVARecord]:
    """Read a JSONL manifest and validate it exactly like the pickles (one error listing all problems)."""
    path = Path(path)
    log = ProblemLog(f"manifest {path}", strict)
    tables: dict[str, dict] = {kind: {} for kind in PICKLE_KINDS}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as error:
            log.add("file", path, None, f"line {number}", "one JSON object", f"{type(error).__name__}: {error}")
            continue
        missing = [name for name in FIELDS if not isinstance(row, dict) or name not in row]
        key = row.get("key") if isinstance(row, dict) else None
        if missing or not isinstance(key, str) or key in tables["keyframe"]:
            found = f"missing {missing}" if missing else f"key {key!r} (not a new string key)"
            log.add("file", path, None, f"line {number}", f"an object with {FIELDS} and a unique string key", found)
            continue
        tables["keyframe"][key] = [row["box"]]
        tables["label"][key] = row["labels"]
        tables["description"][key] = row["descriptions"]
    files = {kind: path for kind in PICKLE_KINDS}
    records = join_records(tables, files, log)
    log.raise_if_any()
    return records


# --- data identity: what a split's results depend on (annotations and frames), without its location ---

HASH_CACHE_VERSION = 1


def _file_key(stat: os.stat_result) -> list[int]:
    """What must not change for a cached content hash to stay valid: size, mtime, ctime and inode
    (ctime cannot be set back by a user, so an in-place edit that restores the mtime is still seen)."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


class FileHashes:
    """Content hashes of one data folder's files, computed once and cached in the user cache keyed by
    (relative path, size, mtime, ctime, inode); :meth:`save` writes the cache atomically."""

    def __init__(self, root: Path) -> None:
        from ravar_bench.cache import cache_root

        self.root = Path(root).resolve()
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:16]
        self.path = cache_root() / "file-hashes" / f"{digest}.json"
        self.entries: dict[str, list] = {}
        self.changed = False
        if self.path.is_file():
            try:
                stored = json.loads(self.path.read_text())
            except ValueError:  # a damaged cache is only a miss
                stored = {}
            if stored.get("version") == HASH_CACHE_VERSION and stored.get("root") == str(self.root):
                self.entries = stored["files"]

    def size_and_sha256(self, name: str) -> tuple[int, str]:
        """Size and SHA-256 of the file ``name`` (relative to the root), the hash from the cache when the
        stat key is unchanged. Plain strings, not Path objects: this runs once per frame."""
        path = os.path.join(self.root, name)
        key = _file_key(os.stat(path))
        cached = self.entries.get(name)
        if cached is None or cached[:-1] != key:
            with open(path, "rb") as handle:
                cached = [*key, hashlib.file_digest(handle, "sha256").hexdigest()]
            self.entries[name] = cached
            self.changed = True
        return key[0], cached[-1]

    def save(self) -> None:
        if self.changed:
            payload = {"version": HASH_CACHE_VERSION, "root": str(self.root), "files": self.entries}
            atomic_write_bytes(self.path, json.dumps(payload, separators=(",", ":")).encode())
            self.changed = False


def video_files(root: Path, video_id: str) -> list[str]:
    """Every file a video's frames are read from, relative to ``root``: its frame folder's files, else
    its video file(s)."""
    folder = root / "frames" / video_id
    if folder.is_dir():
        return sorted(f"frames/{video_id}/{entry.name}" for entry in os.scandir(folder) if entry.is_file())
    videos = root / "videos"
    return sorted(f"videos/{path.name}" for path in videos.glob(f"{video_id}.*")) if videos.is_dir() else []


def frames_sha256(root: Path, video_ids: list[str], hashes: FileHashes) -> str:
    """SHA-256 of the frame manifest of ``video_ids``: each file's relative name, size and content hash."""
    manifest = []
    for video_id in sorted(set(video_ids)):
        for name in video_files(root, video_id):
            size, sha = hashes.size_and_sha256(name)
            manifest.append(f"{name}\0{size}\0{sha}\n")
    return hashlib.sha256("".join(manifest).encode()).hexdigest()


def split_identity(root: str | os.PathLike, split: str, hashes: FileHashes | None = None) -> dict[str, str]:
    """A split's data identity: ``annotations`` (its pickles and detections file, names and bytes) and
    ``frames`` (the frame manifest of the videos its keys name). Location-free: the same data in two
    folders has the same identity; an edited label or frame gives another (the files read are the
    split's ``Split.file_split``)."""
    from ravar_bench.data.format import detections_name, split_key
    from ravar_bench.data.refava import load_tables, manifest_sha256, split_files

    root = Path(root).resolve()
    file_split = Split.named(split).file_split
    files = split_files(root, file_split)
    log = ProblemLog(f"RefAVA split {split!r} in {root}", strict=False)
    tables = load_tables(files, log)
    log.raise_if_any()
    detections = root / detections_name(file_split)
    annotations = manifest_sha256([*files.values(), *([detections] if detections.is_file() else [])])
    video_ids = []
    for key in tables["keyframe"]:
        try:
            video_ids.append(split_key(key)[0])
        except (ValueError, TypeError, AttributeError):  # a malformed key: the dataset reports it
            continue
    own = hashes or FileHashes(root)
    frames = frames_sha256(root, video_ids, own)
    if hashes is None:
        own.save()
    return {"annotations": annotations, "frames": frames}
