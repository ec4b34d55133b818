"""The error every layer raises for a user mistake; the CLI prints it in one line, without a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A user-facing error (bad input, missing file, unknown name): printed without a traceback, exit status 2."""

    def one_line(self) -> str:
        """The message the CLI prints; subclasses that collect many problems summarise them here."""
        return str(self)
