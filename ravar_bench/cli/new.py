"""``ravar-bench new NAME``: scaffold a submission, its trainable model and its contract test."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from ravar_bench.cli._common import add_parser
from ravar_bench.errors import UserError
from ravar_bench.paths import project_root


def register(subparsers) -> None:
    parser = add_parser(subparsers, "new", "Scaffold submissions/NAME.py, its model module and its test.", handle)
    parser.add_argument("name", help="lower-case identifier, e.g. mymodel")
    parser.add_argument("--display-name", help="name on the leaderboards (default: from NAME)")
    parser.add_argument("--group", default="Other", help="Table 2 group: AAL, VQA, VTR, SF, VOS, Ours or your own")
    parser.add_argument("--root", help="project checkout to write into (default: this one)")


def scaffold(name: str, root: Path, display_name: str | None, group: str) -> list[Path]:
    """Write the scaffold under ``root``; refuse (writing nothing) if any of its files exists."""
    from ravar_bench.data.format import atomic_write_bytes
    from ravar_bench.registry import MODELS
    from ravar_bench.templates import CONTRIB_INIT, class_name, scaffold_files

    try:
        files = {root / rel: text for rel, text in scaffold_files(name, display_name, group).items()}
    except ValueError as err:
        raise UserError(str(err)) from err
    existing = [str(path) for path in files if path.exists()]
    if existing:
        raise UserError(f"not overwriting existing files: {', '.join(existing)}")
    MODELS.import_from_location()
    if class_name(name) in MODELS.module_dict:
        raise UserError(f"a model named {class_name(name)!r} is already registered; choose another NAME")
    contrib_init = root / "ravar_bench" / "models" / "contrib" / "__init__.py"
    if not contrib_init.exists():
        files[contrib_init] = CONTRIB_INIT
    for path, text in files.items():
        atomic_write_bytes(path, text.encode())
    return list(files)


def installed_elsewhere(root: Path) -> Path | None:
    """The checkout ``ravar_bench`` is imported from, when it is not ``root`` (the new model would not be found)."""
    import ravar_bench

    package_root = Path(ravar_bench.__file__).resolve().parents[1]
    return None if package_root == root.resolve() else package_root


def handle(args: argparse.Namespace) -> int:
    root = Path(args.root) if args.root else project_root()
    written = scaffold(args.name, root, args.display_name, args.group)
    console = Console()
    elsewhere = installed_elsewhere(root)
    if elsewhere is not None and not args.root:
        console.print(f"[yellow]warning:[/] ravar_bench is imported from {elsewhere}, not from {root}: your model "
                      f"module will not be found; run `python -m pip install -e .` in {root}")
    for path in written:
        console.print(f"wrote {path}")
    console.print(f"next: ravar-bench check submissions/{args.name}.py   (see docs/SUBMITTING.md)")
    return 0
