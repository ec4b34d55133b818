"""RefAVA++ (the authors' follow-up release): same keys and frames, pickles named ``{split}_{kind}.pkl``.
The reader, ``data check``, the run path and the leaderboards tell it apart from RefAVA."""

from __future__ import annotations

from pathlib import Path

import pytest

from ravar_bench.cli.main import main
from ravar_bench.data.format import detect_naming, pickle_name
from ravar_bench.data.refava import available_splits, read_split
from ravar_bench.engine.results import read_results
from ravar_bench.engine.runs import resolve_data
from ravar_bench.engine.sweep import dataset_name
from ravar_bench.leaderboard.build import build_leaderboards
from ravar_bench.testing.refava import tiny_records, write_tiny_refava
from ravar_bench.testing.runs import write_fake_run


@pytest.fixture(scope="module")
def refava_pp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_refava(tmp_path_factory.mktemp("refava_pp"), naming="refava++")


def test_refava_pp_pickles_are_named_as_released(refava_pp: Path) -> None:
    assert sorted(p.name for p in refava_pp.glob("*.pkl")) == sorted(
        f"{split}_{kind}.pkl" for split in ("train", "val", "test") for kind in ("keyframe", "label", "description"))
    assert pickle_name("val", "label", "refava++") == "val_label.pkl"
    assert pickle_name("val", "label") == "val_set_label_crr_final.pkl"


def test_reader_detects_and_loads_refava_pp(refava_pp: Path, tmp_path: Path) -> None:
    assert detect_naming(refava_pp) == "refava++" and available_splits(refava_pp) == ["test", "train", "val"]
    split = read_split(refava_pp, "val")
    assert [s.key for s in split.samples] == sorted(r.key for r in tiny_records())
    assert split.files["label"].name == "val_label.pkl"
    original = write_tiny_refava(tmp_path / "refava", splits=("val",))
    assert detect_naming(original) == "refava"
    assert [s.key for s in read_split(original, "val").samples] == [s.key for s in split.samples]


def test_both_namings_in_one_folder_is_a_named_error(refava_pp: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    mixed = write_tiny_refava(tmp_path, splits=("val",))
    write_tiny_refava(mixed, splits=("train",), naming="refava++")
    with pytest.raises(ValueError, match="holds both RefAVA pickles"):
        detect_naming(mixed)
    assert main(["data", "check", str(mixed)]) == 2
    assert str(mixed) in capsys.readouterr().err


def test_data_check_validates_refava_pp(refava_pp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "check", str(refava_pp)]) == 0
    assert "RefAVA++ check" in capsys.readouterr().out
    broken = refava_pp / "val_label.pkl"
    saved = broken.read_bytes()
    broken.write_bytes(b"not a pickle")
    try:
        assert main(["data", "check", str(refava_pp)]) == 1
        assert "val_label.pkl" in capsys.readouterr().out
    finally:
        broken.write_bytes(saved)


def test_run_path_and_sweep_name_the_data_set_refava_pp(refava_pp: Path, tmp_path: Path) -> None:
    assert resolve_data(str(refava_pp)).name == dataset_name(str(refava_pp)) == "refava++"
    assert resolve_data(str(write_tiny_refava(tmp_path, splits=("val",)))).name == "refava"


@pytest.mark.slow
def test_run_on_refava_pp_writes_its_results_apart(refava_pp: Path, tmp_path: Path) -> None:
    assert main(["run", "submissions/refatomnet.py", "--data-root", str(refava_pp), "--work-dir", str(tmp_path / "wd"),
                 "--results-dir", str(tmp_path / "results"), "--cfg-options", "train_cfg.max_epochs=1"]) == 0
    (path,) = (tmp_path / "results").rglob("results.json")
    assert path.relative_to(tmp_path / "results").parts[:2] == ("refatomnet", "refava++")
    assert read_results(path)["dataset"]["name"] == "refava++"


def test_leaderboards_keep_refava_and_refava_pp_apart(tmp_path: Path) -> None:
    root = tmp_path / "results"
    for dataset, m_ap in (("refava", 0.40), ("refava++", 0.60)):
        for split in ("val", "test"):
            write_fake_run(root, "refatomnet", split, {"mIoU": 0.3, "mAP": m_ap, "AUROC": 0.7},
                           display_name="RefAtomNet", dataset=dataset)
    build_leaderboards([root], tmp_path / "lb", None)
    for dataset, shown in (("refava", "40.0000"), ("refava++", "60.0000")):
        text = (tmp_path / "lb" / dataset / "cpu" / "main.csv").read_text()
        assert shown in text and ("40.0000" in text) != ("60.0000" in text)
