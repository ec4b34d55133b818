"""The one place where ravar-bench patches third-party packages.

Each patch names the upstream problem it works around and has a test in ``tests/test_compat.py``
that fails without it. :func:`apply` is idempotent and runs on ``import ravar_bench.registry`` (which every
build goes through; ``import ravar_bench`` alone stays light for the CLI), before any
``mmdet.models`` / ``mmaction.models`` import.

1. ``mmcv._ext``: mmcv-lite (the only mmcv 2.x on PyPI with a wheel) ships no compiled ops, yet
   ``mmcv.ops`` (imported by ``mmdet.models`` and ``mmaction.models``) loads ``mmcv._ext`` at import
   time. We install a stand-in that computes NMS and RoIAlign with torchvision's kernels (same
   semantics) and raises a clear error for every other op.
2. ``mmaction.models.localizers.drn``: the mmaction2 1.2.0 wheel omits this package although
   ``mmaction/models/localizers/__init__.py`` imports it. We register an empty stand-in whose ``DRN``
   raises when built.
3. ``mmaction.utils.dependency.WITH_MULTIMODAL``: when transformers is installed, mmaction2 imports its
   VindLU code, which imports names that transformers 5 removed. We switch the multimodal models off.
4. MMEngine's local checkpoint loader calls ``torch.load`` without ``weights_only``; torch >= 2.6 then
   loads weights-only and refuses the non-tensor objects MMEngine itself stores (``HistoryBuffer``
   logs, NumPy arrays and scalars in the message hub), so ``resume`` fails. We register (through
   MMEngine's own ``CheckpointLoader.register_scheme``) a local loader that stays weights-only and
   allows exactly those types.
5. ``torch.linspace`` on the meta device: MMAction2's ViTs read their drop-path schedule with
   ``torch.linspace(...)[i].item()``, which a meta tensor cannot answer, so a paper-scale baseline
   cannot be counted without allocating it. :func:`host_linspace` (a context manager, used only while
   counting parameters) builds that schedule on the host; it holds no parameters, so no count changes.
6. MMEngine's own hooks (``CheckpointHook``, ``LoggerHook``) still build a ``FileClient`` on every
   training, which logs that ``FileClient`` and its ``HardDiskBackend`` "will be deprecated" to every
   user on every run: a notice about MMEngine's internals that the user cannot act on. We drop exactly
   those two notices from ``mmengine.fileio.file_client``'s log calls; every other message passes.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Iterator
from typing import NoReturn

import torch


class _MissingCompiledOps(types.ModuleType):
    """Stand-in for ``mmcv._ext``: torchvision kernels for NMS and RoIAlign, errors for the rest."""

    def __init__(self) -> None:
        super().__init__("mmcv._ext", __doc__)
        # importlib.util.find_spec() (used by MMEngine's lazy imports) needs a spec on modules.
        self.__spec__ = importlib.machinery.ModuleSpec("mmcv._ext", loader=None)
        self.nms = _nms
        self.roi_align_forward = _roi_align_forward
        self.roi_align_backward = _roi_align_backward

    def __getattr__(self, name: str):
        if name.startswith("__"):  # keep introspection (copy, pickle, inspect) working
            raise AttributeError(name)
        # mmcv's loader checks hasattr() for every op at import; fail only when the op is used.
        return _unavailable(name)


def _unavailable(op: str):
    def raise_unavailable(*args, **kwargs) -> NoReturn:
        raise RuntimeError(
            f"mmcv op '{op}' needs the compiled mmcv package; ravar-bench installs mmcv-lite, which "
            "has only NMS and RoIAlign (through torchvision). See docs/ARCHITECTURE.md, 'Stack', for "
            "building full mmcv."
        )

    return raise_unavailable


def _nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float, offset: int = 0) -> torch.Tensor:
    """mmcv's ``ext_module.nms``: kept indices, by descending score. ``offset=1`` is the legacy
    '+1 pixel' box size, which widening the boxes by one reproduces."""
    if offset not in (0, 1):
        raise ValueError(f"mmcv nms offset must be 0 or 1, got {offset}")
    if offset:
        boxes = torch.cat([boxes[:, :2], boxes[:, 2:4] + 1], dim=1)
    from torchvision.ops import nms

    return nms(boxes[:, :4].float(), scores.float(), float(iou_threshold))


def _check_avg_pool(op: str, pool_mode: int) -> None:
    if pool_mode != 1:
        raise RuntimeError(f"mmcv op '{op}' with pool_mode='max' needs the compiled mmcv package")


def _roi_align_forward(input, rois, output, argmax_y, argmax_x, *, aligned_height, aligned_width,
                       spatial_scale, sampling_ratio, pool_mode, aligned) -> None:
    """mmcv's in-place RoIAlign forward (average mode) via ``torchvision.ops.roi_align``."""
    from torchvision.ops import roi_align

    _check_avg_pool("roi_align_forward", pool_mode)
    output.copy_(roi_align(input, rois, (aligned_height, aligned_width), spatial_scale,
                                           sampling_ratio, aligned))


def _roi_align_backward(grad_output, rois, argmax_y, argmax_x, grad_input, *, aligned_height, aligned_width,
                        spatial_scale, sampling_ratio, pool_mode, aligned) -> None:
    """mmcv's in-place RoIAlign backward. Average RoIAlign is linear in its input, so the gradient of
    torchvision's forward at any input (zeros) is the exact backward."""
    from torchvision.ops import roi_align

    _check_avg_pool("roi_align_backward", pool_mode)
    with torch.enable_grad():
        probe = torch.zeros_like(grad_input, requires_grad=True)
        pooled = roi_align(probe, rois, (aligned_height, aligned_width), spatial_scale,
                                           sampling_ratio, aligned)
        (grad,) = torch.autograd.grad(pooled, probe, grad_output)
    grad_input.copy_(grad)


def _install_mmcv_ext() -> None:
    try:
        import mmcv._ext  # noqa: F401  (full mmcv is installed: nothing to do)
    except ImportError:
        sys.modules["mmcv._ext"] = _MissingCompiledOps()


class _MissingDRN:
    """Stand-in for mmaction2's DRN localizer, whose code the 1.2.0 wheel does not contain."""

    def __init__(self, *args, **kwargs) -> NoReturn:
        raise RuntimeError("mmaction2 1.2.0's wheel lacks mmaction.models.localizers.drn; DRN is unavailable")


def _install_drn_stub() -> None:
    package = "mmaction.models.localizers.drn"
    if package in sys.modules:
        return
    if importlib.util.find_spec("mmaction") is None:
        return
    drn = types.ModuleType(package, "ravar-bench stand-in: the mmaction2 1.2.0 wheel lacks this package.")
    drn.__path__ = []  # a package, so that 'drn.drn' can be imported from it
    drn_module = types.ModuleType(f"{package}.drn", drn.__doc__)
    drn.__spec__ = importlib.machinery.ModuleSpec(package, loader=None, is_package=True)
    drn_module.DRN = _MissingDRN
    drn.drn = drn_module
    sys.modules[package] = drn
    sys.modules[f"{package}.drn"] = drn_module


def _disable_mmaction_multimodal() -> None:
    if importlib.util.find_spec("mmaction") is None:
        return
    from mmaction.utils import dependency

    dependency.WITH_MULTIMODAL = False


def _mmengine_checkpoint_globals() -> list:
    """The non-tensor types an MMEngine training checkpoint holds, and nothing more."""
    import codecs

    import numpy as np
    from mmengine.logging import HistoryBuffer

    numpy_scalar_types = {type(np.dtype(code)) for code in "?bhilqefdgBHILQ"}
    return [
        HistoryBuffer,
        # HistoryBuffer pickles its statistics methods as getattr(HistoryBuffer, name). The
        # weights-only unpickler still refuses to *call* anything not on this list.
        getattr,
        np.ndarray, np.dtype, np._core.multiarray._reconstruct, np._core.multiarray.scalar,
        codecs.encode, *numpy_scalar_types,
    ]


def _load_local_checkpoint(filename: str, map_location=None):
    """MMEngine's local checkpoint loader, but with torch's weights-only unpickler."""
    import os

    path = os.path.expanduser(filename)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"checkpoint file {path} does not exist")
    with torch.serialization.safe_globals(_mmengine_checkpoint_globals()):
        return torch.load(path, map_location=map_location, weights_only=True)


def _install_checkpoint_loader() -> None:
    from mmengine.runner.checkpoint import CheckpointLoader

    CheckpointLoader.register_scheme(prefixes="", loader=_load_local_checkpoint, force=True)


@contextlib.contextmanager
def host_linspace() -> Iterator[None]:
    """Make ``torch.linspace`` build on the CPU while the block runs (see patch 5 above)."""
    original = torch.linspace
    torch.linspace = functools.partial(original, device="cpu")
    try:
        yield
    finally:
        torch.linspace = original


FILE_CLIENT_NOTICES = ('"FileClient" will be deprecated', '"HardDiskBackend" is the alias of "LocalBackend"')


def _quiet_file_client_notices() -> None:
    """Drop MMEngine's FileClient deprecation notices (patch 6); other log calls of the module pass through."""
    from mmengine.fileio import file_client

    original = file_client.print_log
    if getattr(original, "quiets_file_client_notices", False):
        return

    @functools.wraps(original)
    def print_log(msg, *args, **kwargs):
        if not str(msg).startswith(FILE_CLIENT_NOTICES):
            return original(msg, *args, **kwargs)
        return None

    print_log.quiets_file_client_notices = True
    file_client.print_log = print_log


PATCHES = (_install_mmcv_ext, _install_drn_stub, _disable_mmaction_multimodal, _install_checkpoint_loader,
           _quiet_file_client_notices)
_applied = False


def apply() -> None:
    """Apply every patch once."""
    global _applied
    if not _applied:
        for patch in PATCHES:
            patch()
        _applied = True
