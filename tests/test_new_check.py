"""``ravar-bench new`` scaffolds a submission whose real, small model passes ``ravar-bench check`` and
learns; existing files are never overwritten; ``check`` fails loudly on a broken submission."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from ravar_bench.cli.main import main
from ravar_bench.engine.submission_check import (
    build_model,
    check_submission,
    contract_batch,
    failures,
    write_contract_data,
)
from ravar_bench.registry import MODELS

PROJECT = Path(__file__).resolve().parents[1]
NAME = "scaffold_probe"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A project tree with the real _base_ configs and one scaffold; the scaffolded model module is made
    importable under the name its config imports (it lives in tmp, not in the installed package)."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(PROJECT / "submissions" / "_base_", root / "submissions" / "_base_")
    assert main(["new", NAME, "--root", str(root), "--display-name", "Scaffold probe"]) == 0
    module_name = f"ravar_bench.models.contrib.{NAME}"
    spec = importlib.util.spec_from_file_location(module_name, root / "ravar_bench/models/contrib" / f"{NAME}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, module_name, module)
        yield root
    MODELS.module_dict.pop(module.ScaffoldProbe.__name__, None)


def test_new_writes_config_model_and_test(project: Path) -> None:
    for rel in (f"submissions/{NAME}.py", f"ravar_bench/models/contrib/{NAME}.py", f"tests/test_{NAME}.py",
                "ravar_bench/models/contrib/__init__.py"):
        assert (project / rel).is_file(), rel
    config = (project / "submissions" / f"{NAME}.py").read_text()
    assert f'"ravar_bench.models.contrib.{NAME}"' in config and 'display_name="Scaffold probe"' in config


def test_scaffold_passes_the_contract_checks(project: Path) -> None:
    results = check_submission(project / "submissions" / f"{NAME}.py")
    assert all(r.passed for r in results), failures(results)
    assert [r.name for r in results] == ["loads", "meta", "round-trip", "builds", "batch", "loss", "predict",
                                         "tensor"]


def test_scaffolded_model_learns_a_batch(project: Path, tmp_path: Path) -> None:
    """Twenty AdamW steps on the contract batch lower its loss: the scaffold is a real trainable model."""
    from ravar_bench.engine.submission import load_submission

    cfg = load_submission(str(project / "submissions" / f"{NAME}.py")).cfg
    model = build_model(cfg)
    batch = model.data_preprocessor(contract_batch(cfg, write_contract_data(tmp_path / "data")), training=True)
    model.head.dropout = 0.0
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.eval()  # no dropout: the same function is evaluated before and after
    losses = []
    for _ in range(20):
        loss = sum(model(**batch, mode="loss").values())
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert losses[-1] < 0.5 * losses[0]


def test_new_refuses_to_overwrite_and_rejects_bad_names(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = project / "submissions" / f"{NAME}.py"
    before = config.read_bytes()
    config.write_bytes(before + b"# edited by hand\n")
    assert main(["new", NAME, "--root", str(project)]) == 2
    assert config.read_bytes().endswith(b"# edited by hand\n")
    config.write_bytes(before)
    assert "not overwriting existing files" in " ".join(capsys.readouterr().err.split())
    assert main(["new", "My-Model", "--root", str(project)]) == 2
    assert main(["new", "ref_atom_net", "--root", str(project)]) == 2  # class RefAtomNet is taken
    assert not (project / "submissions" / "ref_atom_net.py").exists()


def test_check_fails_on_a_broken_submission(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text(f'_base_ = ["{PROJECT / "submissions" / "refatomnet.py"}"]\n'
                      'meta = dict(_delete_=True, display_name="", group="Ours")\n')
    assert main(["check", str(broken)]) == 1
    assert "FAIL" in capsys.readouterr().out
    meta = next(r for r in check_submission(broken) if r.name == "meta")
    assert not meta.passed and "meta.display_name must be a non-empty string" in meta.detail
