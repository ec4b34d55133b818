"""The learnability study (studies/learnability.py): its oracle views see the referred person, and it runs."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

STUDIES = Path(__file__).resolve().parents[1] / "studies"
STUDY = STUDIES / "learnability.py"


def load_study(path: Path):
    """A study script (studies/ is not a package) as a module."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def study():
    return load_study(STUDY)


def _clip_with_red_box(box: tuple[float, float, float, float]) -> dict:
    """A grey 4-frame 96x128 clip with a red rectangle at the normalised box."""
    frames = np.full((4, 96, 128, 3), 128, np.uint8)
    x1, y1, x2, y2 = box
    frames[:, int(y1 * 96):int(y2 * 96), int(x1 * 128):int(x2 * 128)] = (255, 0, 0)
    return {"frames": frames, "gt_box": np.array(box, np.float32)}


def test_oracle_crop_is_the_box_and_the_mask_marks_it(study):
    box = (0.5, 0.25, 0.75, 0.75)
    sample = _clip_with_red_box(box)
    crop = study.view_tensor(sample, "oracle-crop", 16)
    assert crop.shape == (3, 4, 16, 16)
    assert crop[0, :, 4:12, 4:12].min() > 0.95 and crop[1, :, 4:12, 4:12].max() < 0.05  # the inside is red
    masked = study.view_tensor(sample, "oracle-mask", 16)
    assert masked.shape == (4, 4, 16, 16)
    expected = torch.zeros(16, 16)
    expected[4:12, 8:12] = 1
    assert torch.equal(masked[3, 0], expected)
    whole = study.view_tensor(sample, "clip", 16)
    assert whole.shape == (3, 4, 16, 16) and whole[0].mean() < 0.7  # grey background dominates


def test_study_runs_and_repeats_on_tiny_synth(study, tiny_synth):
    first = study.run_study(str(tiny_synth), ["oracle-crop", "clip"], size=16, num_frames=2, epochs=1)
    second = study.run_study(str(tiny_synth), ["oracle-crop", "clip"], size=16, num_frames=2, epochs=1)
    assert sorted(first["manifests"]) == ["train", "val"] and first["manifests"] == second["manifests"]
    assert [r["view"] for r in first["rows"]] == ["oracle-crop", "clip"]
    for a, b in zip(first["rows"], second["rows"], strict=True):
        assert 0 <= a["mAP"] <= 100 and 0 <= a["AUROC"] <= 100
        assert {k: v for k, v in a.items() if k != "seconds"} == {k: v for k, v in b.items() if k != "seconds"}


@pytest.mark.parametrize("head", ["linear", "ravar", "ravar-linear"])
def test_study_trains_with_each_head(study, head):
    """Each classifier the study can put on the CNN trains; the RAVAR variants are the harness's own head, and
    with the linear path the prior sits in the linear layer while the MLP's last layer starts at zero."""
    torch.manual_seed(0)
    labels = (torch.rand(64, 80) < 0.1).float()
    history = study.train_and_evaluate((torch.rand(64, 3, 1, 16, 16), labels), (torch.rand(8, 3, 1, 16, 16),
                                       labels[:8]), epochs=1, seed=0, lr=1e-3, head=head)
    assert len(history) == 1 and 0 <= history[0]["AUROC"] <= 100
    model = study.Small3DCNN(3, 80, head=head)
    assert isinstance(model.classifier, study.RAVARHead) == (head != "linear")
    if head == "ravar-linear":
        assert model.prior_bias is model.classifier.cls_linear.bias
        assert not model.classifier.cls_head[-1].weight.any()


GROUNDING = STUDIES / "grounding.py"


@pytest.fixture(scope="module")
def grounding():
    return load_study(GROUNDING)


def test_grounding_bigrams_keep_attribute_binding(grounding):
    assert grounding.with_bigrams("Red top, blue pants") == "red top blue pants redxtop topxblue bluexpants"


def test_grounding_target_is_the_detection_over_the_truth(grounding, tiny_synth):
    split = grounding.load_split(str(tiny_synth), "val")
    n = len(split["target"])
    assert split["crops"].shape == (n, grounding.MAX_PERSONS, 3, *grounding.CROP)
    picked = split["boxes"][torch.arange(n), split["target"]]
    assert split["valid"][torch.arange(n), split["target"]].all()
    from torchvision.ops import box_iou

    from ravar_bench.data.dataset import RefAVADataset
    dataset = RefAVADataset(str(tiny_synth), "val")
    truth = torch.stack([torch.as_tensor(dataset[i]["gt_box"]).reshape(4) for i in range(len(dataset))])
    # The synth detector jitters corners by 5% of the box: the target overlaps its own person well.
    assert (box_iou(picked, truth).diagonal()[split["reachable"]] >= 0.5).all() and split["reachable"].any()


def test_grounding_study_repeats(grounding, tiny_synth):
    first = grounding.run_study(str(tiny_synth), [], [], epochs=1, lr=1e-3, seed=0)
    second = grounding.run_study(str(tiny_synth), [], [], epochs=1, lr=1e-3, seed=0)
    assert [{k: v for k, v in r.items() if k != "seconds"} for r in first["rows"]] == \
           [{k: v for k, v in r.items() if k != "seconds"} for r in second["rows"]]
    assert 0 <= first["rows"][0]["val_accuracy"] <= 100


def strings(value) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_study_records_name_their_data_and_hold_no_machine_path(study, grounding, tiny_synth, tmp_path,
                                                                 monkeypatch):
    """Both studies record each data folder they read as the data set it holds (name, generator version, seed,
    size preset, the splits' content identity, as results.json does) and no absolute path anywhere."""
    options = {"learnability": (study, ["--views", "clip", "--size", "16", "--num-frames", "2", "--epochs", "1"]),
               "grounding": (grounding, ["--extra-train-root", str(tiny_synth), "--epochs", "1"])}
    for name, (module, extra) in options.items():
        out = tmp_path / f"{name}.json"
        monkeypatch.setattr(sys, "argv", [name, "--data-root", str(tiny_synth), "--out", str(out), *extra])
        module.main()
        record = json.loads(out.read_text())
        absolute = [text for text in strings(record) if text.startswith("/") or str(tmp_path) in text]
        assert not absolute, (name, absolute)
        data = record["arguments"]["data_root"]
        assert (data["name"], data["seed"], data["size"]) == ("refava-synth-tiny", 0, "tiny"), name
        assert data["generator_version"] and sorted(data["identity"]) == ["train", "val"], name
        assert set(data["identity"]["val"]) == {"annotations", "frames"}, name
        assert record["arguments"]["out"] == f".../{name}.json" and record["rows"], name
    extra = record["arguments"]["extra_train_root"]
    assert [sorted(d["identity"]) for d in extra] == [["test", "train", "val"]]


def test_committed_study_records_hold_no_machine_path():
    """studies/results/ records each data set by what it was, never by the folder it was read from."""
    records = sorted((STUDIES / "results").glob("*.json"))
    assert records
    for path in records:
        record = json.loads(path.read_text())
        absolute = [text for text in strings(record) if text.startswith("/")]
        assert not absolute, (path.name, absolute)
        if "inputs" in record:  # a study of leaderboards names each board as <dataset>/<scale>/main.csv
            boards = [i["board"] for i in record["inputs"]]
            assert all(re.fullmatch(r"refava-synth[\w-]*/cpu/main\.csv", b) for b in boards), (path.name, boards)
            continue
        if "iou_threshold" in record:  # a study of runs names each as <submission>/<dataset>/<split>/<condition>/<id>
            runs = [row["run"] for row in record["rows"]]
            assert all(re.fullmatch(r"[\w-]+/refava-synth[\w-]*/[\w-]+/[\w-]+/[0-9a-f]{12}", r) for r in runs), runs
            continue
        data = record["arguments"]["data_root"]
        assert data["name"].startswith("refava-synth") and data["generator_version"] in ("1", "2"), path.name


RANKS = STUDIES / "rank_stability.py"


def _main_csv(path: Path, maps: dict[str, float]) -> Path:
    """A main.csv with the columns the study reads: one row per submission plus a reference row."""
    columns = ["Group", "Method", "submission", *(f"test {m}" for m in ("mAP", "AUROC", "mIoU"))]
    lines = [",".join(columns), "Reference,Prior,prior_only,99,99,99"]
    lines += [f"AAL,{name},{name},{value},{100 - value},{value}" for name, value in maps.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_rank_stability_is_spearman_over_the_shared_submissions(tmp_path, monkeypatch):
    ranks = load_study(RANKS)
    (tmp_path / "a" / "cpu").mkdir(parents=True)
    first = _main_csv(tmp_path / "a" / "cpu" / "main.csv",
                      {"a": 10.0, "b": 20.0, "c": 30.0, "d": 40.0, "only_here": 5.0})
    second = tmp_path / "b.csv"
    _main_csv(second, {"a": 11.0, "b": 31.0, "c": 21.0, "d": 41.0})  # b and c swap ranks
    out = tmp_path / "record.json"
    monkeypatch.setattr(sys, "argv", ["rank_stability", str(first), str(second), "--out", str(out)])
    ranks.main()
    record = json.loads(out.read_text())
    assert record["submissions"] == ["a", "b", "c", "d"]  # the reference row and unshared rows are left out
    assert record["mAP"]["rho"] == pytest.approx(1 - 6 * 2 / (4 * (16 - 1)))  # one swap of neighbours: 0.8
    assert record["AUROC"]["rho"] == pytest.approx(record["mAP"]["rho"])  # both orders reversed
    assert record["inputs"][0]["board"] == "a/cpu/main.csv"


def test_rank_stability_names_a_missing_board(tmp_path, monkeypatch):
    ranks = load_study(RANKS)
    missing = tmp_path / "nowhere" / "main.csv"
    monkeypatch.setattr(sys, "argv", ["rank_stability", str(missing), str(missing)])
    with pytest.raises(SystemExit, match=r"nowhere/main.csv: no such file; expected a main leaderboard CSV"):
        ranks.main()


SPLIT = STUDIES / "grounded_split.py"


def test_grounded_split_scores_the_found_and_the_missed_samples_apart(tmp_path, monkeypatch, capsys):
    """30 samples of 10 videos over three classes: the 20 whose box is the truth get their label's score (mAP
    100 on them), the 10 boxed elsewhere the next class's (mAP below 100), so the share found is 2/3."""
    split = load_study(SPLIT)
    truth, elsewhere = [0.1, 0.1, 0.4, 0.9], [0.6, 0.1, 0.9, 0.9]
    rows = []
    for i in range(30):
        label, found = i % 3, i < 20
        scores = [0.0] * 80
        scores[label if found else (label + 1) % 3] = 0.9
        rows.append({"key": f"video{i % 10}___902___{i}", "scores": scores, "labels": [label + 1],
                     "pred_box": truth if found else elsewhere, "gt_box": truth})
    run = tmp_path / "toy" / "refava-synth" / "test" / "clean" / "abc123"
    run.mkdir(parents=True)
    (run / "samples.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "split.json"
    monkeypatch.setattr(sys, "argv", ["grounded_split", str(run / "samples.jsonl"), "--out", str(out)])
    split.main()
    (row,) = json.loads(out.read_text())["rows"]
    assert row["run"] == "toy/refava-synth/test/clean/abc123"
    assert row["found_share"] == pytest.approx(100 * 20 / 30)
    assert (row["found"]["n"], row["missed"]["n"], row["all"]["n"]) == (20, 10, 30)
    assert row["found"]["mAP"] == pytest.approx(100.0)
    assert row["missed"]["mAP"] < 50 < row["all"]["mAP"] < 100
    assert "found 66.7%" in capsys.readouterr().out


def test_grounded_split_names_a_bad_samples_file(tmp_path, monkeypatch):
    split = load_study(SPLIT)
    bad = tmp_path / "samples.jsonl"
    bad.write_text(json.dumps({"key": "v___902___0", "scores": [0.5], "labels": [1], "pred_box": [0, 0, 1, 1],
                               "gt_box": [0, 0, 1, 1]}) + "\n")
    monkeypatch.setattr(sys, "argv", ["grounded_split", str(bad)])
    with pytest.raises(SystemExit, match=r"samples.jsonl:1: field 'scores' must be a list of 80 finite numbers"):
        split.main()
