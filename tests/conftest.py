"""Shared fixtures: an isolated cache, and one tiny RefAVA-Synth set for the run-path tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every test writes its caches (synth sets, checkpoints) under a temporary folder, never ~/.cache."""
    root = tmp_path_factory.mktemp("ravar_cache")
    patcher = pytest.MonkeyPatch()
    patcher.setenv("RAVAR_BENCH_CACHE", str(root))
    yield root
    patcher.undo()


@pytest.fixture(scope="session")
def tiny_synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 'tiny' RefAVA-Synth preset, generated once per test session."""
    from ravar_bench.data.synth import generate

    return generate(tmp_path_factory.mktemp("tiny_synth"), seed=0, size="tiny", progress=False)


@pytest.fixture(scope="module")
def tiny_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny RefAVA in the authors' format (train and val; ravar_bench.data.testing), once per module."""
    from ravar_bench.data.testing import write_tiny_refava

    return write_tiny_refava(tmp_path_factory.mktemp("refava"), splits=("train", "val"))


@pytest.fixture
def root(tiny_root: Path, tmp_path: Path) -> Path:
    """A private copy of ``tiny_root``, free to be broken."""
    import shutil

    return Path(shutil.copytree(tiny_root, tmp_path / "copy"))


@pytest.fixture(autouse=True)
def ravar_bench_scope():
    """Run each test in scope ravar_bench, as every config (``default_scope``) and the CLI do.

    MMEngine resolves registry lookups through a process-wide current ``DefaultScope``; a Runner built
    by an earlier test would otherwise leave its own scope behind."""
    from mmengine.registry import DefaultScope

    with DefaultScope.overwrite_default_scope("ravar_bench"):
        yield
