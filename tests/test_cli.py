"""The command line: every subcommand has help, `ls` lists, and README's commands parse."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from ravar_bench.cli.main import SUBCOMMANDS, build_parser, main

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[str]:
    """Every ``ravar-bench ...`` line inside README's code blocks."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), flags=re.S)
    return [line.split("#")[0].strip() for block in blocks for line in block.splitlines()
            if line.startswith("ravar-bench")]


def test_console_script_help() -> None:
    result = subprocess.run(["ravar-bench", "--help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    for name in SUBCOMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_subcommand_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: ravar-bench {name}" in capsys.readouterr().out


def test_readme_commands_parse() -> None:
    commands = readme_commands()
    assert any(command.startswith("ravar-bench run submissions/refatomnet.py") for command in commands)
    for command in commands:
        args = build_parser().parse_args(shlex.split(command)[1:])
        assert callable(args.handler)


@pytest.mark.parametrize("what", ["submissions", "perturbations", "metrics", "models"])
def test_ls(what: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ls", what]) == 0
    assert capsys.readouterr().out.strip()


def test_ls_models_lists_external_builders(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ls", "models"]) == 0
    out = capsys.readouterr().out
    assert "TransformersModel" in out and "TimmModel" in out


def test_compat_module_is_the_only_patcher() -> None:
    """Acceptance rule: only ravar_bench/_compat.py assigns into sys.modules or third-party modules."""
    package = Path(__file__).resolve().parents[1] / "ravar_bench"
    offenders = [str(path) for path in package.rglob("*.py")
                 if path.name != "_compat.py" and re.search(r"sys\.modules\[[^\]]+\]\s*=", path.read_text())]
    assert offenders == []


def test_import_applies_compat() -> None:
    code = "import ravar_bench, mmdet.models, mmaction.models; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]
