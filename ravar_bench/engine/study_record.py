"""What a study (studies/*.py) writes to its JSON record: the results and arguments, the data sets identified
by name and content the way results.json identifies them (never by the folder they were read from), and the
code, packages and device; so a committed record is the same on every machine and says which data it used."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import torch

from ravar_bench.data.format import atomic_write_bytes
from ravar_bench.engine import provenance
from ravar_bench.engine.runs import data_identity, resolve_data, synth_manifest


def data_record(data_root: str, splits: Sequence[str]) -> dict:
    """A data set without its location: the results name (``refava-synth``, ``refava``, ...), the RefAVA-Synth
    generator version, seed and size preset (None for real RefAVA) and each read split's content identity
    (annotations and frames, ``runs.data_identity``), as a run's results.json records its data set."""
    data = resolve_data(data_root)
    synth = synth_manifest(data.root) or {}
    return {"name": data.name, "generator_version": data.generator_version, "seed": synth.get("seed"),
            "size": synth.get("size"), "identity": data_identity(data.root, list(splits))}


def study_record(study: str, arguments: Mapping, data_splits: Mapping[str, Sequence[str]], results: Mapping,
                 device: torch.device) -> dict:
    """The record of one study run. ``data_splits`` names the arguments that hold data folders (one folder or a
    list) and the splits the study reads from them; those arguments are recorded as ``data_record``s, and the
    output path in portable form."""
    arguments = dict(arguments)
    for name, splits in data_splits.items():
        roots = arguments[name]
        arguments[name] = ([data_record(root, splits) for root in roots] if isinstance(roots, list)
                           else data_record(roots, splits))
    if arguments.get("out"):
        arguments["out"] = provenance.portable_path(arguments["out"])
    return {"study": study, "arguments": arguments, **results, "git": provenance.git_state(),
            "packages": provenance.package_versions(), "device": provenance.device_info(device)}


def write_study_record(path: str | Path, record: Mapping) -> None:
    """Write ``record`` as indented JSON, atomically."""
    atomic_write_bytes(path, json.dumps(record, indent=1).encode())
