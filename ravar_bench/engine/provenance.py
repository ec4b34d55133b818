"""What a result records about where it came from: code, packages, machine."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path

import torch

PACKAGES = ("ravar-bench", "torch", "torchvision", "mmengine", "mmcv-lite", "mmdet", "mmaction2", "transformers",
            "timm", "numpy", "scikit-learn", "imaug", "opencv-python")


def package_versions() -> dict[str, str | None]:
    """Installed versions of the stack (None where a package is absent)."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


# Folders whose untracked files are code a run may use (a new submission, a contributed model).
CODE_FOLDERS = ("submissions", "ravar_bench")


def git_state(source: Path | None = None) -> dict[str, str | bool | None]:
    """Commit of the ravar-bench checkout (``source``, default this one) and whether it is dirty: a
    tracked file changed, or an untracked file under submissions/ or ravar_bench/ (None outside git)."""
    source = source or Path(__file__).resolve().parents[2]

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(source), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return {"commit": None, "dirty": None}
    tracked = git("status", "--porcelain", "--untracked-files=no")
    untracked = git("status", "--porcelain", "--untracked-files=all", "--", *CODE_FOLDERS)
    dirty = None if tracked is None or untracked is None else bool(tracked or untracked)
    return {"commit": commit, "dirty": dirty}


def portable_path(path: str | os.PathLike) -> str:
    """A path as a result may record it: relative to the working directory, ``$RAVAR_BENCH_CACHE/...``
    or ``~/...`` when under one of them, else only its last part (``.../name``): never a machine path."""
    from ravar_bench.cache import cache_root

    path = Path(path)
    if not path.is_absolute():
        return str(path)
    path = path.resolve()
    for base, label in ((cache_root(), "$RAVAR_BENCH_CACHE"), (Path.cwd(), None), (Path.home(), "~")):
        base = base.expanduser().resolve()
        if path == base or base in path.parents:
            relative = path.relative_to(base)
            return str(relative) if label is None else str(Path(label) / relative)
    return f".../{path.name}"


def portable_command(argv: list[str]) -> list[str]:
    """The command line with its program reduced to its name and absolute paths made portable."""
    return [Path(argv[0]).name, *(portable_path(a) if os.path.isabs(a) else a for a in argv[1:])]


def device_info(device: torch.device) -> dict[str, str | int]:
    """The device that ran the model (not merely one that is visible), and the host."""
    info: dict[str, str | int] = {"python": platform.python_version(), "platform": platform.platform(),
                                  "processor": platform.processor() or platform.machine(),
                                  "torch_threads": torch.get_num_threads(), "device": device.type}
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    return info
