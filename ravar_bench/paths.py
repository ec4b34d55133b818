"""Where the project's files are: the folder holding ``submissions/`` and ``perturbations/``."""

from __future__ import annotations

from pathlib import Path

from ravar_bench.errors import UserError


def project_root() -> Path:
    """The working directory if it has ``submissions/``, else the source checkout this package was installed from."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[1]):
        if (candidate / "submissions").is_dir():
            return candidate
    raise UserError("no submissions/ folder found in the working directory or the ravar-bench checkout")


def list_configs(folder: str, root: Path | None = None) -> list[str]:
    """The config files under ``root/folder`` (default: the project root), as sorted paths relative to the
    root (``submissions/refatomnet.py``); ``_base_`` folders and ``_``-prefixed files excluded."""
    root = project_root() if root is None else Path(root)
    return sorted(str(path.relative_to(root)) for path in (root / folder).rglob("*.py")
                  if "_base_" not in path.parts and not path.name.startswith("_"))
