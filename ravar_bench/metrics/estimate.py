"""A metric value with its 95% bootstrap interval, and the one way every table prints it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    """A point value with its bootstrap interval, as fractions (None where undefined)."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    legacy: bool = False  # the interval is schema 1's per-sample percentile bootstrap (docs/RESULTS.md)
    spread: float | None = None  # standard deviation over training seeds, when several
    n_seeds: int = 1

    @property
    def has_interval(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None


def percent(x: float | None) -> str:
    """A fraction as a percentage with two decimals; ``n/a`` for undefined."""
    return "n/a" if x is None else f"{100 * x:.2f}"


def interval(est: Estimate) -> str:
    """The 95% interval in percent, ``52.10-58.30``; empty when there is none."""
    return f"{percent(est.ci_low)}-{percent(est.ci_high)}" if est.has_interval else ""


def with_interval(est: Estimate) -> str:
    """``55.98 (52.10-58.30)``: the value and its interval in percent (the value alone without one)."""
    return f"{percent(est.value)} ({interval(est)})" if est.has_interval else percent(est.value)
