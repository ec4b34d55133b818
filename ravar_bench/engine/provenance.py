"""What a result records about where it came from: code, packages, machine."""

from __future__ import annotations

import importlib.metadata
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


def git_state() -> dict[str, str | bool | None]:
    """Commit of the ravar-bench checkout and whether it has uncommitted changes (None outside git)."""
    source = Path(__file__).resolve().parents[2]

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(source), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def device_info(device: torch.device) -> dict[str, str | int]:
    """The device that ran the model (not merely one that is visible), and the host."""
    info: dict[str, str | int] = {"python": platform.python_version(), "platform": platform.platform(),
                                  "processor": platform.processor() or platform.machine(),
                                  "torch_threads": torch.get_num_threads(), "device": device.type}
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    return info
