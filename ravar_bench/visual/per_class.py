"""Per-class AP of one run, or two side by side, as a horizontal bar chart (PNG, matplotlib Agg)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

from ravar_bench.data.ava import action_name
from ravar_bench.data.format import NUM_CLASSES

COLOURS = ("tab:blue", "tab:orange")


def per_class_ap(results: dict) -> np.ndarray:
    """The run's AP per AVA class id 1..80 in percent (NaN where undefined: no positive in the split)."""
    stored = results["metrics"].get("per_class_ap") or {}
    return np.asarray([np.nan if stored.get(str(c)) is None else 100 * stored[str(c)]
                       for c in range(1, NUM_CLASSES + 1)])


def ap_chart(runs: Sequence[tuple[str, np.ndarray]], title: str) -> bytes:
    """Bars of each class defined in any run, sorted by the first run's AP (highest on top); one colour per run."""
    defined = [c for c in range(NUM_CLASSES) if any(not np.isnan(ap[c]) for _, ap in runs)]
    if not defined:
        raise ValueError("no class has an AP in these runs (per_class_ap missing or empty)")
    first = runs[0][1]
    order = sorted(defined, key=lambda c: (-np.nan_to_num(first[c], nan=-1.0), c))
    from matplotlib.figure import Figure

    height = 0.28 * len(order) + 1.8
    figure = Figure(figsize=(10, height), dpi=100)
    axis = figure.add_subplot()
    figure.subplots_adjust(left=0.34, right=0.97, top=1 - 1.2 / height, bottom=0.5 / height)
    width = 0.8 / len(runs)
    positions = np.arange(len(order))
    for n, (label, ap) in enumerate(runs):
        values = [ap[c] for c in order]
        axis.barh(positions + (n - (len(runs) - 1) / 2) * width, np.nan_to_num(values), height=width,
                  color=COLOURS[n], label=label)
    axis.set_yticks(positions, [f"{action_name(c + 1)} ({c + 1})" for c in order], fontsize=9)
    axis.invert_yaxis()
    axis.set_xlabel("AP %")
    axis.set_xlim(0, 100)
    axis.grid(axis="x", alpha=0.3)
    figure.suptitle(title, fontsize=12, y=1 - 0.12 / height)
    figure.legend(loc="upper center", bbox_to_anchor=(0.5, 1 - 0.45 / height), ncols=len(runs), fontsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
