"""Paired video bootstrap of differences: hand-computed cases, the replicate path, ``ravar-bench compare``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ravar_bench.cli.main import main
from ravar_bench.metrics import compute_ravar_metrics
from ravar_bench.metrics.bootstrap import paired_difference, two_sided_p
from ravar_bench.metrics.paired import compare_reports, compare_samples
from ravar_bench.metrics.report import HEADLINE, REPLICATED


def run(seed: int, quality: float, num: int = 120, videos: int = 30) -> dict:
    """Samples of a run whose scores separate positives by ``quality`` and whose boxes miss by 1 - quality."""
    rng = np.random.default_rng(100)  # ground truth shared by every run
    labels = (rng.random((num, 80)) < 0.08).astype(np.int64)
    labels[0, :] = 1  # every class has a positive and (below) a negative
    gt = np.tile([0.2, 0.2, 0.6, 0.6], (num, 1))
    noise = np.random.default_rng(seed)
    scores = noise.random((num, 80)) + quality * labels
    pred = gt + (1.0 - quality) * 0.3
    keys = [f"vid{i % videos:02d}___{900 + i}___0" for i in range(num)]
    return {"keys": keys, "scores": scores, "labels": labels, "pred_boxes": pred, "gt_boxes": gt}


def test_p_value_of_a_hand_computed_case() -> None:
    # diffs 0.1, 0.2, -0.05, 0.15 (median 0.125), point 0.1: centred 0.075, 0.175, -0.075, 0.125
    # one <= 0, three >= 0: p = 2 * (1 + 1) / (4 + 1)
    assert two_sided_p(0.1, np.array([0.1, 0.2, -0.05, 0.15])) == pytest.approx(0.8)
    d = paired_difference(0.3, 0.2, np.array([0.3, 0.4, 0.25, 0.35]), np.array([0.2, 0.2, 0.3, 0.2]))
    assert d.diff == pytest.approx(0.1) and d.p_value == pytest.approx(0.8) and not d.significant()


def test_identical_runs_differ_by_zero_with_p_one() -> None:
    a = run(1, 0.3)
    for name, d in compare_samples(a, dict(a), n_bootstrap=200).items():
        assert (d.diff, d.ci_low, d.ci_high, d.p_value) == (0.0, 0.0, 0.0, 1.0), name
        assert not d.significant()


def test_a_run_better_on_every_sample_is_significant() -> None:
    better, worse = run(2, 0.9), run(3, 0.0)
    differences = compare_samples(better, worse, n_bootstrap=500)
    for name in HEADLINE:
        d = differences[name]
        assert d.diff > 0 and d.ci_low > 0, name
        assert d.p_value == pytest.approx(2 / 501), name
        assert d.significant(), name
    reverse = compare_samples(worse, better, n_bootstrap=500)["mAP"]
    assert reverse.diff == pytest.approx(-differences["mAP"].diff) and reverse.ci_high < 0


def test_sample_order_does_not_matter_and_other_samples_are_refused() -> None:
    a, b = run(4, 0.4), run(5, 0.2)
    order = np.random.default_rng(0).permutation(len(b["keys"]))
    shuffled = {"keys": [b["keys"][i] for i in order], **{k: np.asarray(v)[order] for k, v in b.items() if k != "keys"}}
    assert compare_samples(a, shuffled, n_bootstrap=100) == compare_samples(a, b, n_bootstrap=100)
    fewer = {k: v[:-1] for k, v in b.items()}
    with pytest.raises(ValueError, match="do not share their samples: 120 and 119 samples, 119 in common"):
        compare_samples(a, fewer)
    relabelled = dict(b, labels=b["labels"].copy())
    relabelled["labels"][7, 3] = 1 - relabelled["labels"][7, 3]
    with pytest.raises(ValueError, match=r"disagree on the ground truth \(labels\) of 1 sample.*vid07___907___0"):
        compare_samples(a, relabelled)


def test_stored_replicates_give_the_same_paired_difference() -> None:
    """The leaderboards pair results.json replicates; that equals re-running the paired bootstrap on samples."""
    a, b = run(6, 0.5), run(7, 0.3)
    reports = [compute_ravar_metrics(r["scores"], r["labels"], r["pred_boxes"], r["gt_boxes"], n_bootstrap=300,
                                     seed=0, keys=r["keys"]).to_dict() for r in (a, b)]
    for convention in ("macro", "weighted"):
        direct = compare_samples(a, b, convention=convention, n_bootstrap=300, seed=0)
        for name in REPLICATED:
            stored = compare_reports(*reports, convention, name)
            assert stored.diff == pytest.approx(direct[name].diff, abs=1e-12)
            assert stored.ci_low == pytest.approx(direct[name].ci_low, abs=1e-6)
            assert stored.ci_high == pytest.approx(direct[name].ci_high, abs=1e-6)
            assert stored.p_value == pytest.approx(direct[name].p_value, abs=0.01)
    other_plan = compute_ravar_metrics(b["scores"], b["labels"], b["pred_boxes"], b["gt_boxes"], n_bootstrap=300,
                                       seed=1, keys=b["keys"]).to_dict()
    assert compare_reports(reports[0], other_plan, "macro", "mAP") is None  # other seed: other resamples
    old = json.loads(json.dumps(reports[1]))
    del old["bootstrap"]["replicates"], old["bootstrap"]["plan_id"]
    assert compare_reports(reports[0], old, "macro", "mAP") is None  # schema-1 results: no mark


def write_samples(folder: Path, samples: dict) -> Path:
    """A run directory with a samples.jsonl in the run path's format."""
    folder.mkdir(parents=True)
    lines = [json.dumps({"key": k, "scores": s.tolist(), "labels": (np.flatnonzero(y) + 1).tolist(),
                         "pred_box": p.tolist(), "gt_box": g.tolist()})
             for k, s, y, p, g in zip(samples["keys"], samples["scores"], samples["labels"], samples["pred_boxes"],
                                      samples["gt_boxes"], strict=True)]
    (folder / "samples.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def test_compare_cli_prints_the_table_and_refuses_other_samples(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    a = write_samples(tmp_path / "a", run(2, 0.9))
    b = write_samples(tmp_path / "b", run(3, 0.0))
    assert main(["compare", str(a), str(b), "--n-bootstrap", "200"]) == 0
    out = capsys.readouterr().out
    assert "120 samples" in out and "mAP@0.5" in out and "yes" in out
    short = run(3, 0.0)
    c = write_samples(tmp_path / "c", {k: v[:60] for k, v in short.items()})
    assert main(["compare", str(a), str(c)]) == 2
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "do not share their samples: 120 and 60 samples, 60 in common" in err
    assert "Traceback" not in err
    assert main(["compare", str(a), str(tmp_path / "missing")]) == 2
    err = "".join(capsys.readouterr().err.split())  # rich may wrap inside a long path
    assert "missing/samples.jsonl:nosuchfile(compareneedsarun'ssamples.jsonl" in err
