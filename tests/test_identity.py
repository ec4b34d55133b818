"""Cache and run identity without a model: code and data identities, portable paths, dirty trees, locks."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from mmengine.config import Config

from ravar_bench.data.manifest import FileHashes, split_identity
from ravar_bench.engine import identity, provenance
from ravar_bench.engine.locking import once


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_source_tree_hash_follows_every_module(tmp_path: Path) -> None:
    write(tmp_path / "pkg" / "__init__.py", "")
    model = write(tmp_path / "pkg" / "models" / "net.py", "WIDTH = 32\n")
    before = identity.source_tree_sha256(tmp_path / "pkg")
    write(tmp_path / "pkg" / "__pycache__" / "net.cpython-311.pyc", "bytecode")
    assert identity.source_tree_sha256(tmp_path / "pkg") == before, "caches are not source"
    model.write_text("WIDTH = 48\n")
    assert identity.source_tree_sha256(tmp_path / "pkg") != before


def test_package_hash_is_this_package() -> None:
    assert identity.package_sha256() == identity.source_tree_sha256(Path(identity.__file__).resolve().parents[1])


def test_config_sources_follow_bases_with_relative_names(tmp_path: Path) -> None:
    base = write(tmp_path / "_base_" / "model.py", "model = dict(width=32)\n")
    config = write(tmp_path / "sub" / "net.py", "_base_ = ['../_base_/model.py']\nscale = 'cpu'\n")
    sources = identity.config_sources(config)
    assert set(sources) == {"net.py", os.path.join("..", "_base_", "model.py")}
    base.write_text("model = dict(width=48)\n")
    assert identity.config_sources(config) != sources


def test_custom_imports_outside_the_package_are_hashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = write(tmp_path / "my_identity_net.py", "WIDTH = 32\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    cfg = Config(dict(custom_imports=dict(imports=["my_identity_net", "ravar_bench.models"])))
    first = identity.custom_import_sources(cfg)
    assert list(first) == ["my_identity_net"], "modules inside ravar_bench are covered by the package hash"
    module.write_text("WIDTH = 48\n")
    assert identity.custom_import_sources(cfg) != first


def test_changed_parts_in_words() -> None:
    old = identity.identity_parts({"code": {"package": "a"}, "data": {"x": 1}, "model": {"w": 1}})
    new = identity.identity_parts({"code": {"package": "b"}, "data": {"x": 1}, "model": {"w": 2}})
    assert identity.changed_parts(old, new) == "code and config"
    assert identity.changed_parts(None, new).startswith("its identity")


def test_data_identity_is_location_free_and_covers_labels_and_frames(tiny_synth: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    from ravar_bench.data.format import split_key, write_split
    from ravar_bench.data.refava import read_records

    a = shutil.copytree(tiny_synth, tmp_path / "a", copy_function=shutil.copy)  # new modification times
    b = shutil.copytree(tiny_synth, tmp_path / "b", copy_function=shutil.copy)
    assert split_identity(a, "test") == split_identity(b, "test")
    assert split_identity(a, "test-rephrased") == split_identity(a, "test")
    before = {split: split_identity(b, split) for split in ("train", "test")}
    records = read_records(b, "test")
    frame = b / "frames" / split_key(records[0].key)[0] / "image_000001.jpg"
    data, stat = bytearray(frame.read_bytes()), frame.stat()
    data[-3] ^= 0xFF  # same name, same size, other content
    frame.write_bytes(bytes(data))
    os.utime(frame, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old modification time
    edited = split_identity(b, "test")
    assert edited["frames"] != before["test"]["frames"] and edited["annotations"] == before["test"]["annotations"]
    assert split_identity(b, "train") == before["train"], "a test frame is no part of the training data"
    labels = (1,) if records[0].labels != (1,) else (2,)
    write_split(b, "test", [replace(records[0], labels=labels), *records[1:]])
    assert split_identity(b, "test")["annotations"] != edited["annotations"]


def test_file_hashes_are_cached_by_stat(tmp_path: Path) -> None:
    file = write(tmp_path / "frames" / "v" / "image_000001.jpg", "abc")
    name = "frames/v/image_000001.jpg"
    hashes = FileHashes(tmp_path)
    size, first = hashes.size_and_sha256(name)
    hashes.save()
    again = FileHashes(tmp_path)
    assert again.entries and again.size_and_sha256(name) == (size, first) and not again.changed
    file.write_text("abd")
    assert again.size_and_sha256(name)[1] != first and again.changed


def test_portable_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_cache: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert provenance.portable_path(tmp_path / "results" / "x") == os.path.join("results", "x")
    assert provenance.portable_path(isolated_cache / "checkpoints" / "h" / "model.pth") == \
        os.path.join("$RAVAR_BENCH_CACHE", "checkpoints", "h", "model.pth")
    assert provenance.portable_path("/no/such/machine/refava") == ".../refava"
    assert provenance.portable_command(["/usr/bin/ravar-bench", "run", "--data-root", "/srv/data/refava"]) == \
        ["ravar-bench", "run", "--data-root", ".../refava"]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
                            GIT_COMMITTER_EMAIL="t@t"))


def test_untracked_code_makes_the_tree_dirty(tmp_path: Path) -> None:
    write(tmp_path / "ravar_bench" / "__init__.py", "")
    write(tmp_path / "submissions" / "a.py", "")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "init")
    assert provenance.git_state(tmp_path)["dirty"] is False
    write(tmp_path / "notes.txt", "untracked outside the code folders")
    assert provenance.git_state(tmp_path)["dirty"] is False
    new = write(tmp_path / "submissions" / "new" / "mynet.py", "")
    assert provenance.git_state(tmp_path)["dirty"] is True
    new.unlink()
    write(tmp_path / "ravar_bench" / "models" / "contrib" / "mynet.py", "")
    assert provenance.git_state(tmp_path)["dirty"] is True


def test_second_worker_waits_then_reuses_the_first_result(tmp_path: Path) -> None:
    """A thread holds the lock while it "works"; ``once`` says it waits, then finds the result."""
    lock, result = tmp_path / ".run.lock", tmp_path / "result"
    started, said, worked = threading.Event(), [], []

    def first() -> None:
        def work() -> Path:
            started.set()
            while not said:  # keep the lock until the second one has said that it waits
                threading.Event().wait(0.01)
            result.write_text("done")
            return result
        once(lock, "run X", lambda: None, work)

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(10)

    def second_work() -> Path:
        worked.append(True)
        return result

    found = once(lock, "run X", lambda: result if result.is_file() else None, second_work, say=said.append)
    thread.join(10)
    assert found == result and not worked
    assert said[0].startswith("waiting: run X is being done by another process") and str(lock) in said[0]
    assert "done by another process meanwhile" in said[1]
