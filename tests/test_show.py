"""``ravar-bench show``: samples ranked by how wrong they are, contact sheets whose every tile names its
sample key, per-class AP charts of one and two runs, and ``data show`` writing as many tiles as asked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ravar_bench.cli.main import main
from ravar_bench.engine.results import write_run
from ravar_bench.visual import predictions, tiles

PNG = b"\x89PNG\r\n\x1a\n"


def row(key: str, labels: list[int], top: list[int], pred_box: list[float]) -> dict:
    """A samples.jsonl row whose scores rank ``top`` first (in that order), then every other class."""
    order = top + [c for c in range(1, 81) if c not in top]
    ranked = np.empty(80)
    ranked[np.asarray(order) - 1] = np.linspace(0.99, 0.01, 80)
    return {"key": key, "text": f"ref of {key}", "labels": labels, "scores": ranked.tolist(),
            "pred_box": pred_box, "gt_box": [0.1, 0.1, 0.5, 0.5]}


def test_wrongness_is_box_miss_plus_ranking_miss_and_orders_the_sheet() -> None:
    rows = [row("right", [12], [12], [0.1, 0.1, 0.5, 0.5]),                    # exact box, true action first
            row("half", [12], [12], [0.1, 0.1, 0.5, 0.3]),                     # IoU 0.5, true action first
            row("wrong", [12], [c for c in range(1, 81) if c != 12], [0.6, 0.6, 0.9, 0.9])]  # disjoint, last
    scored = {s.row["key"]: s for s in predictions.score_samples(rows)}
    assert scored["right"].wrongness == pytest.approx(0.0)
    assert scored["half"].iou == pytest.approx(0.5) and scored["half"].wrongness == pytest.approx(0.5)
    assert scored["wrong"].ranking == pytest.approx(1 / 80) and scored["wrong"].wrongness == pytest.approx(2 - 1 / 80)
    chosen = predictions.choose(list(scored.values()), worst=2, keys=None)
    assert [s.row["key"] for s in chosen] == ["wrong", "half"]
    assert [s.row["key"] for s in predictions.choose(list(scored.values()), None, ["half", "right"])] == [
        "half", "right"]
    with pytest.raises(predictions.ShowError, match="nosuch not in this run's samples"):
        predictions.choose(list(scored.values()), None, ["nosuch"])


@pytest.fixture
def run_dirs(tiny_synth: Path, tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """Two hand-made runs on the tiny set's test split: seeded random scores and boxes, per-class AP."""
    from ravar_bench.data.dataset import RefAVADataset

    infos = [RefAVADataset(tiny_synth, "test").get_data_info(i) for i in range(6)]
    rng = np.random.default_rng(0)
    made = []
    for name in ("a", "b"):
        rows = []
        for info in infos:
            corner = rng.uniform(0.0, 0.5, 2)
            rows.append({"key": info["key"], "text": info["text"], "labels": info["labels"],
                         "scores": rng.random(80).tolist(), "gt_box": info["gt_box"].tolist(),
                         "pred_box": [*corner, *(corner + rng.uniform(0.1, 0.5, 2))]})
        results = {"run_id": f"00000000000{name}", "submission": f"sub_{name}", "scale": "cpu",
                   "dataset": {"name": "refava-synth-tiny", "split": "test"},
                   "metrics": {"per_class_ap": {str(c): (rng.random() if c % 3 else None) for c in range(1, 81)}},
                   "provenance": {"data_root": str(tiny_synth)}}
        made.append(write_run(tmp_path / name / "test" / "clean" / results["run_id"], results, rows, "# cfg\n"))
    return made[0], made[1], [i["key"] for i in infos]


def test_show_writes_a_contact_sheet_of_the_worst_samples_and_ap_charts(
        run_dirs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second, _ = run_dirs
    drawn = []
    original = tiles.contact_sheet
    monkeypatch.setattr(predictions, "contact_sheet", lambda t, *a: drawn.append(list(t)) or original(t, *a))
    sheet, chart, both = tmp_path / "sheet.png", tmp_path / "ap.png", tmp_path / "ap2.png"
    assert main(["show", str(first), "--worst", "4", "--out", str(sheet), "--per-class-ap", str(chart)]) == 0
    scored = predictions.score_samples(predictions.read_samples(first))
    worst = [s.row["key"] for s in sorted(scored, key=lambda s: -s.wrongness)[:4]]
    assert [t.title for t in drawn[0]] == [f"#{n} {k}" for n, k in enumerate(worst, 1)]  # key on every tile
    assert all(len(t.boxes) == 2 and any("top 5:" in line for line in t.lines) for t in drawn[0])
    with Image.open(sheet) as image:
        pixels = np.asarray(image.convert("RGB")).astype(int)
    assert image.width == 4 * tiles.TILE_WIDTH * tiles.DPI
    for colour in ([0, 255, 0], [255, 0, 255]):  # the true (lime) and predicted (magenta) boxes are drawn
        assert (np.abs(pixels - colour).max(axis=-1) < 40).sum() > 50
    assert main(["show", str(first), "--per-class-ap", str(both), "--against", str(second)]) == 0
    for path in (chart, both):
        assert path.read_bytes()[:8] == PNG
    with Image.open(chart) as one, Image.open(both) as two:
        assert one.size == two.size  # same classes, bars side by side rather than more rows


def test_show_names_missing_samples_and_keys(run_dirs, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, _, _ = run_dirs
    assert main(["show", str(first), "--keys", "nosuch", "--out", str(tmp_path / "x.png")]) == 2
    assert "--keys: nosuch not in this run's samples" in " ".join(capsys.readouterr().err.split())
    (first / "samples.jsonl").unlink()
    assert main(["show", str(first), "--out", str(tmp_path / "x.png")]) == 2
    assert "samples.jsonl: not found" in " ".join(capsys.readouterr().err.split())
    assert main(["show", str(tmp_path), "--out", str(tmp_path / "x.png")]) == 2
    assert "no results.json" in " ".join(capsys.readouterr().err.split())


def test_data_show_draws_as_many_tiles_as_asked_each_titled_by_its_key(
        tiny_synth: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    drawn = []
    original = tiles.contact_sheet
    monkeypatch.setattr(tiles, "contact_sheet", lambda t, *a: drawn.append(list(t)) or original(t, *a))
    out = tmp_path / "sheet.png"
    argv = ["data", "show", "--data-root", str(tiny_synth), "--out", str(out)]
    assert main([*argv, "--split", "train", "--n", "10"]) == 0
    from ravar_bench.data.dataset import RefAVADataset

    train = RefAVADataset(tiny_synth, "train")
    keys = [train.get_data_info(i)["key"] for i in range(len(train))]
    assert len(drawn[0]) == 10 and len({t.title for t in drawn[0]}) == 10
    assert all(t.title in keys for t in drawn[0])
    assert main([*argv, "--split", "val", "--n", "16"]) == 0  # the tiny val split has fewer samples: say so
    size = len(RefAVADataset(tiny_synth, "val"))
    assert size < 16 and len(drawn[1]) == size
    said = " ".join(capsys.readouterr().out.split())
    assert f"wrote {size} key frames of split 'val'" in said and f"(the split has only {size} samples)" in said
