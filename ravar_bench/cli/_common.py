"""Small pieces shared by the subcommand modules."""

from __future__ import annotations

import argparse


def add_parser(subparsers, name: str, help_text: str, handler) -> argparse.ArgumentParser:
    """Add one subcommand whose ``handler(args)`` returns the exit status."""
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(handler=handler)
    return parser
