"""``ravar-bench data``: check, convert (round trip), show (PNG) and detect (a fake MMDetection detector)."""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData
from PIL import Image

from ravar_bench.cli._common import CLIError
from ravar_bench.cli.main import main
from ravar_bench.data.commands import detect_command
from ravar_bench.data.format import PICKLE_KINDS, detections_name, pickle_name
from ravar_bench.data.testing import HEIGHT, WIDTH


def _tables(root: Path, split: str) -> list[dict]:
    return [pickle.loads((root / pickle_name(split, kind)).read_bytes()) for kind in PICKLE_KINDS]


def test_check_passes_on_valid_data(tiny_root, capsys):
    assert main(["data", "check", str(tiny_root)]) == 0
    output = capsys.readouterr().out
    assert "train" in output and "val" in output and "normalized" in output


def test_check_fails_and_reports_problems(root, capsys):
    path = root / pickle_name("val", "label")
    table = pickle.loads(path.read_bytes())
    table["vid_a___902___1"] = [81]
    table["vid_b___902___0"] = []
    path.write_bytes(pickle.dumps(table))
    assert main(["data", "check", str(root)]) == 1
    output = capsys.readouterr().out
    assert "label_range: 1" in output and "empty_labels: 1" in output and "vid_a___902___1" in output
    assert main(["data", "check", str(root), "--split", "val", "--strict"]) == 1
    assert "first problem" in capsys.readouterr().out


def test_check_of_a_folder_without_pickles_is_a_user_error(tmp_path, capsys):
    assert main(["data", "check", str(tmp_path)]) == 2
    assert "no RefAVA pickles" in capsys.readouterr().err


def test_convert_round_trip_pickles_manifest_pickles(tiny_root, tmp_path):
    manifest = tmp_path / "val.jsonl"
    assert main(["data", "convert", str(tiny_root), str(manifest), "--split", "val"]) == 0
    rows = [json.loads(line) for line in manifest.read_text().splitlines()]
    assert len(rows) == 5 and set(rows[0]) == {"key", "box", "labels", "descriptions"}
    assert main(["data", "convert", str(manifest), str(tmp_path / "back"), "--split", "val"]) == 0
    assert _tables(tmp_path / "back", "val") == _tables(tiny_root, "val")


def test_convert_rejects_an_invalid_manifest(tmp_path, capsys):
    manifest = tmp_path / "bad.jsonl"
    manifest.write_text('{"key": "v___902___1", "box": [0.1, 0.1, 0.5, 0.5], "labels": [99], "descriptions": ["a"]}\n'
                        "not json\n")
    assert main(["data", "convert", str(manifest), str(tmp_path / "out"), "--split", "val"]) == 2
    error = capsys.readouterr().err
    assert "label_range" in error and "line 2" in error
    assert not (tmp_path / "out").exists()


def test_show_writes_a_png_contact_sheet(tiny_root, tmp_path):
    out = tmp_path / "sheet.png"
    assert main(["data", "show", "--data-root", str(tiny_root), "--split", "val", "--n", "3", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(out) as image:
        image.load()
        pixels = np.asarray(image.convert("RGB"))
    assert image.width >= 4 * 4 * 50 and pixels.std() > 10  # 4 columns of drawn panels, not a blank page
    # The key frames' red (220, 30, 30) is drawn in RGB order somewhere on the sheet.
    assert (np.abs(pixels.astype(int) - [220, 30, 30]).max(axis=-1) < 20).sum() > 1000


class FakeDetector:
    """Stands in for an MMDetection model: returns a DetDataSample with pixel boxes, scores, labels."""

    def __init__(self) -> None:
        self.images: list[np.ndarray] = []

    def __call__(self, image: np.ndarray) -> DetDataSample:
        self.images.append(image)
        sample = DetDataSample()
        sample.pred_instances = InstanceData(
            bboxes=torch.tensor([[0.0, 0.0, 32.0, 24.0], [16.0, 12.0, 80.0, 48.0], [1.0, 1.0, 2.0, 2.0]]),
            scores=torch.tensor([0.9, 0.6, 0.1]), labels=torch.tensor([0, 2, 1]))
        return sample


def test_detect_converts_mmdet_outputs_to_a_detections_file(root, tmp_path):
    (tmp_path / "det.py").write_text("model = dict()\n")
    (tmp_path / "det.pth").write_bytes(b"weights")
    fake = FakeDetector()
    args = argparse.Namespace(root=str(root), detector=str(tmp_path / "det.py"), checkpoint=str(tmp_path / "det.pth"),
                              split=["val"], score_threshold=0.3)
    assert detect_command(args, build_detector=lambda config, checkpoint: (fake, ["person", "bicycle", "car"])) == 0
    assert len(fake.images) == 4  # one call per key frame: two people share vid_a at 902
    assert fake.images[0].shape == (HEIGHT, WIDTH, 3) and fake.images[0][2, 2, 2] > 200  # BGR for mmdet: red last
    payload = json.loads((root / detections_name("val")).read_text())
    assert payload["detector"]["checkpoint_sha256"] and payload["detector"]["score_threshold"] == 0.3
    entry = payload["detections"]["vid_b___903___3"]
    assert entry["names"] == ["person", "car"] and entry["scores"] == [0.9, 0.6]
    # Pixel boxes / (64, 48), clipped to the frame.
    np.testing.assert_allclose(entry["boxes"], [[0, 0, 0.5, 0.5], [0.25, 0.25, 1.0, 1.0]])
    from ravar_bench.data import RefAVADataset

    sample = RefAVADataset(root, "val", pipeline=[dict(type="SampleClip"), dict(type="DecodeFrames"),
                                                  dict(type="PackRAVARInputs")])[0]["data_samples"]
    assert sample.det_names == ["person", "car"] and sample.det_boxes.shape == (2, 4)


def test_detect_without_checkpoint_is_a_clear_error(root, tmp_path):
    (tmp_path / "det.py").write_text("model = dict()\n")
    args = argparse.Namespace(root=str(root), detector=str(tmp_path / "det.py"), checkpoint=str(tmp_path / "no.pth"),
                              split=None, score_threshold=0.3)
    with pytest.raises(CLIError, match=r"checkpoint file .*no.pth not found"):
        detect_command(args)
