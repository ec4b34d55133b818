"""Hand-made results directories for tests (in the spirit of ``mmdet.testing``): valid schema, chosen numbers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ravar_bench.engine.results import condition_name, run_dir, write_run

# `--cfg-options` that turn submissions/refatomnet.py into the paper's visual path (per-frame ViT patches,
# no person tubes, no pointer) with its encoders frozen, as at paper scale: the feature cache's test and
# benchmark.
FROZEN_ENCODER_OPTIONS = ("model.person_tubes=None", "model.pointer=None", "model.loss_tube_weight=0",
                          "model.tube_residual=False", "model.joint_qformer=False",
                          "clip_size=(64,64,)", "model.vision.image_size=64",
                          "model.frozen_modules=('blip2.vision_model','name_encoder',)")


def estimate(value: float, half_width: float = 0.05, shift: float = 0.0) -> dict:
    """A metric entry with a 95% interval of ``half_width`` around ``value + shift`` (fractions); a shift
    larger than the half width gives an interval that misses the point estimate, as bootstrap ones can."""
    centre = value + shift
    return {"value": value, "ci_low": max(0.0, centre - half_width), "ci_high": min(1.0, centre + half_width)}


def write_fake_run(results_root: Path, submission: str, split: str, values: dict[str, float], *,
                   display_name: str | None = None, group: str = "Ours", perturbation: tuple[str, int] | None = None,
                   text_control: str | None = None, run_id: str = "000000000001",
                   created_utc: str = "2026-01-01T00:00:00+00:00", scale: str = "cpu",
                   dataset: str = "refava-synth", manifest: str | None = None, ci_shift: float = 0.0,
                   tables: Sequence[str] = ("main",), seed: int = 0, report: dict | None = None,
                   bootstrap: dict | None = None) -> Path:
    """Write one results directory whose macro metrics are ``values`` (mIoU, mAP, AUROC as fractions),
    their intervals shifted by ``ci_shift`` (see ``estimate``), declared a row of ``tables`` (``meta.tables``).

    The weighted convention holds the same numbers minus 0.01 so a test can tell the two apart. ``report``
    (a ``RAVARReport.to_dict()``) replaces the metrics whole, ``values`` then being ignored; ``bootstrap``
    sets the report's bootstrap settings; ``seed`` is recorded as the run seed.
    """
    perturbation_cfg = None if perturbation is None else {"name": perturbation[0], "severity": perturbation[1]}
    condition = condition_name(perturbation_cfg, text_control)
    final = run_dir(Path(results_root), submission, dataset, split, condition, run_id)
    macro = {name: estimate(v, shift=ci_shift) for name, v in values.items()}
    weighted = {name: estimate(max(0.0, v - 0.01)) for name, v in values.items()}
    results = {
        "run_id": run_id, "submission": submission, "scale": scale,
        "submission_meta": {"display_name": display_name or submission, "group": group, "tables": list(tables)},
        "dataset": {"name": dataset, "split": split, "num_samples": 10, "manifest_sha256": manifest},
        "perturbation": None if perturbation is None else {"type": "Perturb", "name": perturbation[0],
                                                           "severity": perturbation[1], "seed": 0, "version": 1},
        "text_control": text_control,
        "metrics": report or {"convention": "macro", "metrics": macro,
                              "conventions": {"macro": macro, "weighted": weighted}, "bootstrap": bootstrap or {}},
        "provenance": {"created_utc": created_utc, "seeds": {"run": seed},
                       "checkpoint": {"path": "model.pth", "sha256": run_id.rjust(64, "0")},
                       "packages": {"torch": "2.14.1"}, "device": {"device": "cpu", "torch_threads": 1}},
    }
    return write_run(final, results, [], "# config\n")
