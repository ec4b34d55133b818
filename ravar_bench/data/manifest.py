"""A readable JSONL manifest of one split: one JSON object per line with ``key``, ``box``, ``labels``
and ``descriptions``, the same content as the authors' three pickles (``box`` as stored)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ravar_bench.data.format import PICKLE_KINDS, RefAVARecord, atomic_write_bytes
from ravar_bench.data.problems import ProblemLog
from ravar_bench.data.refava import join_records

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
