"""What a cached checkpoint or a finished run is the result of: the code, the data and the config.

The *code identity* hashes every source the model and the harness can run: the whole ``ravar_bench``
package (models contributed with ``ravar-bench new`` live in it), the submission's config file and
every file it inherits through ``_base_``, any module outside the package that the config imports
through ``custom_imports``, and the versions of the pinned third-party stack. Names inside it are
relative, never machine paths, so the same checkout gives the same identity anywhere.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path

from mmengine.config import Config

from ravar_bench.engine.hashing import file_sha256, stable_hash

PACKAGE_DIR = Path(__file__).resolve().parents[1]
# Human words for the parts of an identity, used to say why a cache entry or a run was not reused.
PART_NAMES = {"code": "code", "data": "data", "manifests": "data", "checkpoint": "weights", "randomness": "seed",
              "world_size": "number of training processes"}


def source_tree_sha256(folder: Path) -> str:
    """SHA-256 over the relative names and bytes of every ``.py`` file under ``folder`` (caches skipped)."""
    files = sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
    return stable_hash({str(p.relative_to(folder)): file_sha256(p) for p in files}, length=64)


@functools.lru_cache(maxsize=1)
def package_sha256() -> str:
    """The ``ravar_bench`` package source hash, computed once per process."""
    return source_tree_sha256(PACKAGE_DIR)


def config_sources(path: Path) -> dict[str, str]:
    """SHA-256 of a config file and of every file it inherits through ``_base_``, named relative to the
    config's folder; a base from another package (``mmdet::...``) is named as written (its package
    version is part of the stack)."""
    path = Path(path).resolve()
    found: dict[str, str] = {}

    def visit(file: Path) -> None:
        name = os.path.relpath(file, path.parent)
        if name in found:
            return
        found[name] = file_sha256(file)
        for base in Config._get_base_files(str(file)):
            if "::" in base:
                found[base] = "external"
            else:
                visit((file.parent / base).resolve())

    visit(path)
    return found


def custom_import_sources(cfg: Config) -> dict[str, str]:
    """Source hashes of the modules a config imports through ``custom_imports`` that live outside the
    ``ravar_bench`` package (those inside are covered by the package hash)."""
    imports = (cfg.get("custom_imports") or {}).get("imports", [])
    sources = {}
    for name in [imports] if isinstance(imports, str) else imports:
        if name == "ravar_bench" or name.startswith("ravar_bench."):
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            sources[name] = "not found"
        elif spec.submodule_search_locations:  # a package: all of its modules
            sources[name] = source_tree_sha256(Path(spec.origin).parent)
        else:
            sources[name] = file_sha256(spec.origin)
    return sources


def code_identity(config_path: Path, cfg: Config) -> dict:
    """The code a submission's results depend on (see the module docstring)."""
    from ravar_bench.engine.provenance import package_versions

    stack = {name: version for name, version in package_versions().items() if name != "ravar-bench"}
    return {"package": package_sha256(), "configs": config_sources(config_path),
            "custom_imports": custom_import_sources(cfg), "stack": stack}


def identity_parts(identity: dict) -> dict[str, str]:
    """One hash per top-level part of an identity, stored beside a result to explain later misses."""
    return {key: stable_hash(value) for key, value in identity.items()}


def changed_parts(old: dict[str, str] | None, new: dict[str, str]) -> str:
    """The parts that differ between two :func:`identity_parts`, in words (``code and data``)."""
    if not old:
        return "its identity (recorded before identity records existed)"
    keys = sorted(set(old) | set(new))
    words = []
    for key in keys:
        if old.get(key) != new.get(key):
            word = PART_NAMES.get(key, "config")
            if word not in words:
                words.append(word)
    return " and ".join(words) if words else "nothing recorded"
