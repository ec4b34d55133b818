"""Small pieces shared by the subcommand modules."""

from __future__ import annotations

import argparse
from pathlib import Path


class CLIError(Exception):
    """A user-facing error: printed without a traceback, exit status 2."""


def not_built(capability: str, issue: int) -> CLIError:
    """The error a subcommand raises while its capability is still an open issue."""
    return CLIError(f"{capability} is not built yet (tracked in issue #{issue}).")


def project_root() -> Path:
    """The folder holding ``submissions/`` and ``perturbations/``: the working directory if it has
    them, else the source checkout this package was installed from."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (candidate / "submissions").is_dir():
            return candidate
    raise CLIError("no submissions/ folder found in the working directory or the ravar-bench checkout")


def add_parser(subparsers, name: str, help_text: str, handler) -> argparse.ArgumentParser:
    """Add one subcommand whose ``handler(args)`` returns the exit status."""
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(handler=handler)
    return parser
