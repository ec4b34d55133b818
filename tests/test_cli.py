"""The command line: every subcommand has help, `ls` lists, and README's commands parse."""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from ravar_bench.cli.main import SUBCOMMANDS, build_parser, main
from ravar_bench.paths import list_configs

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


def expected_listing(what: str) -> list[str]:
    """What ``ls WHAT`` must print: the listing functions' entries, never empty."""
    from ravar_bench.cli.ls import list_registered

    names = list_configs(what) if what in ("submissions", "perturbations") else list_registered(what.upper())
    assert names, f"nothing to list for {what}"
    return names


@pytest.mark.parametrize("what", ["submissions", "perturbations", "metrics", "models"])
def test_ls(what: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ls", what]) == 0
    out = capsys.readouterr().out
    assert f"no {what} yet" not in out
    assert [name for name in expected_listing(what) if name not in out] == []


def test_ls_models_lists_external_builders(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ls", "models"]) == 0
    out = capsys.readouterr().out
    assert "TransformersModel" in out and "TimmModel" in out


def third_party(module: str) -> bool:
    """Whether an imported module belongs to neither ravar_bench nor the standard library."""
    top = module.split(".")[0]
    return top != "ravar_bench" and top not in sys.stdlib_module_names


def third_party_patches(source: str) -> list[str]:
    """Assignments into a third-party module in ``source``: ``sys.modules[...] = ``, ``torch.x = ``,
    ``module.attr.x = `` or ``setattr(module, ...)`` on a name bound by importing a third-party module."""
    tree = ast.parse(source)
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {(a.asname or a.name).split(".")[0] for a in node.names if third_party(a.name)}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and third_party(node.module):
            modules |= {a.asname or a.name for a in node.names}

    def root_name(target: ast.expr) -> str | None:
        while isinstance(target, ast.Attribute | ast.Subscript):
            target = target.value
        return target.id if isinstance(target, ast.Name) else None

    found = []
    for node in ast.walk(tree):
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else [])
        found += [ast.unparse(t) for t in targets if isinstance(t, ast.Attribute | ast.Subscript)
                  and (root_name(t) in modules or ast.unparse(t).startswith("sys.modules["))]
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr"
                and node.args and root_name(node.args[0]) in modules):
            found.append(ast.unparse(node))
    return found


def test_patch_finder_catches_module_and_attribute_assignments() -> None:
    source = ("import sys\nimport torch\nfrom mmaction.utils import dependency\n"
              "def f():\n    torch.linspace = None\n    sys.modules['x'] = 1\n    dependency.FLAG = False\n"
              "    setattr(torch.nn, 'y', 2)\n    local = {}\n    local['k'] = 1\n")
    assert third_party_patches(source) == ["torch.linspace", "sys.modules['x']", "dependency.FLAG",
                                           "setattr(torch.nn, 'y', 2)"]


def test_compat_module_is_the_only_patcher() -> None:
    """Acceptance rule: only ravar_bench/_compat.py assigns into sys.modules or third-party modules."""
    package = Path(__file__).resolve().parents[1] / "ravar_bench"
    offenders = {str(path): third_party_patches(path.read_text()) for path in package.rglob("*.py")
                 if path.name != "_compat.py"}
    assert {path: found for path, found in offenders.items() if found} == {}


def test_import_applies_compat() -> None:
    code = "import ravar_bench.registry, mmdet.models, mmaction.models; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]
