"""The splits a run can name, and what each reads: its pickles and which description is the reference."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Split:
    """A named split: the pickles it reads (``file_split``) and the description used as the reference."""

    name: str
    file_split: str
    description_index: int = 0

    @classmethod
    def named(cls, name: str) -> Split:
        """The known split of this name; any other name reads the pickles of that name, description 0."""
        return SPLITS.get(name) or cls(name, name)


# test-rephrased: the test pickles with description 1, the held-out rephrasing of each reference.
SPLITS = {split.name: split for split in (Split("train", "train"), Split("val", "val"), Split("test", "test"),
                                          Split("test-rephrased", "test", 1))}
EVALUATION_SPLITS = ("val", "test", "test-rephrased")  # what `run` and `sweep` test on
TABLE_SPLITS = ("val", "test")  # the Val and Test columns of the paper's tables
