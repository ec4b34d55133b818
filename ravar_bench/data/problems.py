"""Validation problems: what a reader found wrong, where, and what it expected.

Readers report every problem to a :class:`ProblemLog`. By default the log collects them all and the
reader raises one :class:`RefAVAFormatError` with a summary (count per kind, first examples); in strict
mode the first problem raises at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

# Kinds of problem, in the order a summary lists them.
PROBLEM_KINDS = (
    "file", "missing_key", "malformed_key", "label_range", "empty_labels", "box_format", "box_order",
    "box_outside", "description", "missing_frames", "frame_decode", "detections",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data: ``kind``, where (``file``, ``key``, ``field``) and the mismatch."""

    kind: str
    file: str
    key: str | None
    field: str
    expected: str
    found: str

    def __str__(self) -> str:
        where = self.file if self.key is None else f"{self.file} key {self.key!r}"
        return f"{where} field {self.field}: expected {self.expected}, found {self.found}"


def summarize(problems: list[Problem], context: str, examples: int = 3) -> str:
    """A readable summary: the count per kind and the first ``examples`` problems of each kind."""
    counts = Counter(problem.kind for problem in problems)
    lines = [f"{context}: {len(problems)} problem(s)"]
    for kind in sorted(counts, key=lambda k: PROBLEM_KINDS.index(k) if k in PROBLEM_KINDS else len(PROBLEM_KINDS)):
        lines.append(f"  {kind}: {counts[kind]}")
        lines.extend(f"    - {problem}" for problem in [p for p in problems if p.kind == kind][:examples])
    return "\n".join(lines)


class DataError(ValueError):
    """A user's data is wrong (format, frames): the CLI prints :meth:`one_line` without a traceback."""

    def one_line(self) -> str:
        """The error as one line of text."""
        return str(self)


class RefAVAFormatError(DataError):
    """Data that does not follow the RefAVA format; ``problems`` lists everything found."""

    def __init__(self, problems: list[Problem], context: str) -> None:
        self.problems = list(problems)
        self.context = context
        super().__init__(summarize(self.problems, context))

    def one_line(self) -> str:
        """Counts per kind and the first problem; ``ravar-bench data check`` lists every one."""
        counts = ", ".join(f"{kind}: {n}" for kind, n in Counter(p.kind for p in self.problems).items())
        first = f"; first: {self.problems[0]}" if self.problems else ""
        return f"{self.context}: {len(self.problems)} problem(s) ({counts}){first} (`ravar-bench data check` lists all)"


class ProblemLog:
    """Collects problems (or raises on the first one when ``strict``)."""

    def __init__(self, context: str, strict: bool = False) -> None:
        self.context = context
        self.strict = strict
        self.problems: list[Problem] = []

    def add(self, kind: str, file: str, key: str | None, field: str, expected: str, found: str) -> None:
        """Record one problem (``found`` describes what is there); in strict mode raise it at once."""
        problem = Problem(kind, str(file), key, field, expected, _short(found))
        self.problems.append(problem)
        if self.strict:
            raise RefAVAFormatError([problem], self.context)

    def raise_if_any(self) -> None:
        """Raise one error listing every collected problem, if there is any."""
        if self.problems:
            raise RefAVAFormatError(self.problems, self.context)


def _short(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters for messages."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
