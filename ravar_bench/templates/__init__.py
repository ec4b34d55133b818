"""Scaffold templates of ``ravar-bench new``: a submission config, its model module and its test."""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from string import Template

TEMPLATES = Path(__file__).parent
NAME = re.compile(r"[a-z][a-z0-9_]*")
CONTRIB_INIT = '"""Models contributed with submissions; each config imports its module via custom_imports."""\n'


def class_name(name: str) -> str:
    """``my_model`` -> ``MyModel``."""
    return "".join(part.capitalize() for part in name.split("_") if part)


def check_name(name: str) -> None:
    """A submission name must be a lower-case Python identifier (it names a module and a test)."""
    if not NAME.fullmatch(name) or keyword.iskeyword(name):
        raise ValueError(f"submission name {name!r}: use lower-case letters, digits and '_', starting with a letter")


def scaffold_files(name: str, display_name: str | None = None, group: str = "Other") -> dict[str, str]:
    """Relative path -> text of every file ``ravar-bench new NAME`` writes."""
    check_name(name)
    values = dict(name=name, class_name=class_name(name), display_name=display_name or class_name(name),
                  group=group)
    render = {kind: Template((TEMPLATES / f"{kind}.py.tmpl").read_text()).substitute(values)
              for kind in ("submission", "model", "test")}
    return {f"submissions/{name}.py": render["submission"],
            f"ravar_bench/models/contrib/{name}.py": render["model"],
            f"tests/test_{name}.py": render["test"]}
