"""Frame sources, clip window arithmetic, RGB order, the pipeline steps and RefAVADataset."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import decord
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader

from ravar_bench.data.ava import AVA_ACTIONS
from ravar_bench.data.dataset import RefAVADataset, shuffle_references
from ravar_bench.data.format import detections_name, frame_index
from ravar_bench.data.frames import find_frame_source, frame_indices, read_image_rgb, window_seconds
from ravar_bench.data.problems import RefAVAFormatError
from ravar_bench.data.transforms import DecodeFrames, PackRAVARInputs, ResizeClip, SampleClip
from ravar_bench.errors import UserError
from ravar_bench.registry import DATASETS, TRANSFORMS
from ravar_bench.testing.refava import HEIGHT, NUM_FRAMES, RED, WIDTH, decode_index, tiny_records, write_tiny_refava

PIPELINE = [dict(type="SampleClip", num_frames=8), dict(type="DecodeFrames"), dict(type="ResizeClip", size=(32, 40)),
            dict(type="PackRAVARInputs")]


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return write_tiny_refava(tmp_path_factory.mktemp("refava"))


def test_window_holds_90_frames_with_the_key_frame_at_the_annotated_second():
    seconds = window_seconds(902, num_frames=90)
    indices = [frame_index(s) for s in seconds]
    key = frame_index(902)
    assert key == 2 * 30 + 1
    assert indices == list(range(key - 45, key + 45))  # t - 1.5 s .. t + 1.5 s, every frame once
    assert indices[45] == key


def test_eight_frames_are_the_centres_of_eight_equal_segments():
    key = frame_index(902)
    expected = [key - 45 + int((i + 0.5) * 90 / 8) for i in range(8)]
    assert [frame_index(s) for s in window_seconds(902, num_frames=8)] == expected
    assert expected == [key - 40, key - 29, key - 17, key - 6, key + 5, key + 16, key + 28, key + 39]


def test_indices_are_clamped_to_the_frames_that_exist(root):
    source = find_frame_source(root, "vid_a")
    assert source["num_frames"] == NUM_FRAMES
    assert frame_indices(source, window_seconds(900, 3)).tolist() == [1, 1, 31]
    assert frame_indices(source, window_seconds(904, 3)).tolist() == [91, 120, 120]
    video = find_frame_source(root, "vid_b")
    assert video["type"] == "video" and video["num_frames"] == NUM_FRAMES
    assert frame_indices(video, window_seconds(900, 3)).tolist() == [0, 0, 30]  # video files count from 0


@pytest.mark.parametrize("video_id, first_index", [("vid_a", 1), ("vid_b", 0)])
def test_decoded_frames_are_the_window_frames_in_rgb(root, video_id, first_index):
    info = {"timestamp": 903, "frame_source": find_frame_source(root, video_id)}
    results = DecodeFrames()(SampleClip(num_frames=8)(info))
    frames, keyframe = results["frames"], results["keyframe"]
    assert frames.dtype == np.uint8 and frames.shape == (8, HEIGHT, WIDTH, 3)
    # Each decoded frame shows the index it was read at; the key frame is movie second 903.
    assert [decode_index(f) for f in frames] == results["frame_inds"].tolist()
    assert decode_index(keyframe) == results["key_frame_ind"] == (903 - 900) * 30 + first_index
    # The top half is red in RGB order (a BGR frame would put 220 in channel 2).
    np.testing.assert_allclose(keyframe[: HEIGHT // 2 - 4].reshape(-1, 3).mean(0), RED, atol=6)


def test_decord_reads_the_opencv_mp4(root):
    reader = decord.VideoReader(str(root / "videos" / "vid_b.mp4"))
    assert len(reader) == NUM_FRAMES and reader.get_avg_fps() == pytest.approx(30.0)
    assert decode_index(reader[57].asnumpy()) == 57


def test_jpeg_frames_are_converted_from_bgr_to_rgb(tmp_path):
    red, blue = np.zeros((16, 16, 3), np.uint8), np.zeros((16, 16, 3), np.uint8)
    red[..., 0], blue[..., 2] = 255, 255
    for name, rgb in (("red", red), ("blue", blue)):
        cv2.imwrite(str(tmp_path / f"{name}.jpg"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        decoded = read_image_rgb(tmp_path / f"{name}.jpg")
        assert np.abs(decoded.astype(int) - rgb).max() <= 3, name


def test_resize_changes_frames_only_unless_a_keyframe_size_is_given(root):
    info = {"timestamp": 902, "frame_source": find_frame_source(root, "vid_a")}
    results = ResizeClip(size=(24, 32))(DecodeFrames()(SampleClip(4)(info)))
    assert results["frames"].shape == (4, 24, 32, 3) and results["keyframe"].shape == (HEIGHT, WIDTH, 3)
    assert [decode_index(f) for f in results["frames"]] == results["frame_inds"].tolist()
    results = ResizeClip(size=(24, 32), keyframe_size=(96, 128))(results)
    assert results["keyframe"].shape == (96, 128, 3) and results["keyframe_shape"] == (96, 128)


def test_dataset_through_the_full_pipeline(root):
    dataset = DATASETS.build(dict(type="RefAVADataset", data_root=str(root), split="train", pipeline=PIPELINE))
    records = {r.key: r for r in tiny_records()}
    assert len(dataset) == len(records)
    assert dataset.metainfo["classes"] == tuple(AVA_ACTIONS.values()) and len(dataset.metainfo["classes"]) == 80
    assert dataset.metainfo["box_units"] == "normalized" and dataset.metainfo["detections"] == "train_detections.json"
    for index in range(len(dataset)):
        packed = dataset[index]
        sample, inputs = packed["data_samples"], packed["inputs"]
        record = records[sample.key]
        assert inputs["frames"].dtype == torch.uint8 and inputs["frames"].shape == (8, 3, 32, 40)
        assert inputs["keyframe"].shape == (3, HEIGHT, WIDTH)
        assert sample.text == record.descriptions[0] and sample.img_shape == (32, 40)
        expected = torch.zeros(80)
        expected[[label - 1 for label in record.labels]] = 1
        assert torch.equal(sample.gt_labels, expected)
        torch.testing.assert_close(sample.gt_box, torch.tensor(record.box, dtype=torch.float32))
        assert sample.det_boxes.shape == (2, 4) and sample.det_names == ["person", "cup"]
        torch.testing.assert_close(sample.det_scores, torch.tensor([0.9, 0.55]))
    info = dataset.get_data_info(0)
    assert {"key", "video_id", "timestamp", "person_id", "text", "labels", "gt_box", "frame_source", "detections",
            "split", "data_root"} <= set(info)


def test_dataloader_with_two_workers_and_pseudo_collate(root):
    dataset = RefAVADataset(root, "val", pipeline=PIPELINE)
    loader = DataLoader(dataset, batch_size=2, num_workers=2, collate_fn=pseudo_collate)
    keys = [s.key for batch in loader for s in batch["data_samples"]]
    assert keys == [dataset.get_data_info(i)["key"] for i in range(len(dataset))]


def test_split_without_detections_gets_empty_arrays(root, tmp_path):
    copy = Path(shutil.copytree(root, tmp_path / "copy"))
    (copy / detections_name("train")).unlink()
    dataset = RefAVADataset(copy, "train", pipeline=PIPELINE)
    assert dataset.metainfo["detections"] is None
    sample = dataset[0]["data_samples"]
    assert sample.det_boxes.shape == (0, 4) and sample.det_scores.shape == (0,) and sample.det_names == []


def test_manifest_hash_covers_pickles_and_detections(root, tmp_path):
    copy = Path(shutil.copytree(root, tmp_path / "copy"))
    first = RefAVADataset(copy, "train").metainfo["manifest_sha256"]
    assert RefAVADataset(copy, "train").metainfo["manifest_sha256"] == first
    path = copy / detections_name("train")
    payload = json.loads(path.read_text())
    payload["detections"]["vid_a___902___1"]["scores"] = [0.8, 0.5]
    path.write_text(json.dumps(payload))
    assert RefAVADataset(copy, "train").metainfo["manifest_sha256"] != first


def test_invalid_detections_file_is_reported(root, tmp_path):
    copy = Path(shutil.copytree(root, tmp_path / "copy"))
    path = copy / detections_name("train")
    payload = json.loads(path.read_text())
    payload["detections"]["vid_a___902___1"]["boxes"][0] = [0.5, 0.1, 0.2, 0.9]  # x2 < x1
    payload["detections"]["vid_a___902___2"]["names"] = ["person"]  # 2 boxes, 1 name
    payload["detections"]["nobody___902___1"] = payload["detections"]["vid_b___902___0"]
    path.write_text(json.dumps(payload))
    with pytest.raises(RefAVAFormatError) as caught:
        RefAVADataset(copy, "train")
    assert sorted((p.key, p.field) for p in caught.value.problems) == [
        ("nobody___902___1", "key"), ("vid_a___902___1", "boxes"), ("vid_a___902___2", "lengths")]


def test_test_rephrased_uses_the_second_description(root):
    dataset = RefAVADataset(root, "test-rephrased")
    records = {r.key: r for r in tiny_records()}
    assert all(dataset.get_data_info(i)["text"] == records[dataset.get_data_info(i)["key"]].descriptions[1]
               for i in range(len(dataset)))
    assert dataset.metainfo["split"] == "test-rephrased"


def test_shuffled_text_control_gives_each_sample_another_clips_reference(root):
    clip_of_text = {r.descriptions[0]: r.key.rsplit("___", 1)[0] for r in tiny_records()}
    dataset = RefAVADataset(root, "train", text_control="shuffled", text_control_seed=3)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert sorted(i["text"] for i in infos) == sorted(clip_of_text)  # a permutation of the references
    for info in infos:
        assert clip_of_text[info["text"]] != f"{info['video_id']}___{info['timestamp']}"
    again = RefAVADataset(root, "train", text_control="shuffled", text_control_seed=3)
    assert [again.get_data_info(i)["text"] for i in range(len(again))] == [i["text"] for i in infos]


def test_shuffle_references_is_seeded_and_never_keeps_the_own_clip():
    clips = [f"c{i // 3}" for i in range(30)]
    texts = [f"t{i}" for i in range(30)]
    for seed in range(20):
        shuffled = shuffle_references(texts, clips, seed)
        assert sorted(shuffled) == sorted(texts)
        assert all(clips[texts.index(t)] != clips[i] for i, t in enumerate(shuffled))
    assert shuffle_references(texts, clips, 1) != shuffle_references(texts, clips, 2)


@pytest.mark.parametrize(("clips", "message"), [
    (["c", "c"], "clip c holds 2 of 2"),
    (["a", "b", "a", "c", "a"], "clip a holds 3 of 5"),
])
def test_shuffle_references_refuses_a_clip_holding_over_half_up_front(clips: list[str], message: str) -> None:
    """The pigeonhole condition: a clip holding more than half the samples leaves some of them no other clip's
    reference; exactly half can still be shuffled."""
    with pytest.raises(UserError, match=f"split 'val' of D: .*{message}$"):
        shuffle_references([f"t{i}" for i in range(len(clips))], clips, 0, "split 'val' of D")
    half = ["a", "b", "a", "c"]
    for seed in range(20):
        shuffled = shuffle_references(["t0", "t1", "t2", "t3"], half, seed)
        assert all(half[int(t[1])] != half[i] for i, t in enumerate(shuffled)), seed


def test_empty_text_control_and_bad_arguments(root):
    dataset = RefAVADataset(root, "train", text_control="empty", pipeline=PIPELINE)
    assert dataset[0]["data_samples"].text == ""
    with pytest.raises(ValueError, match="split must be one of"):
        RefAVADataset(root, "training")
    with pytest.raises(ValueError, match="text_control"):
        RefAVADataset(root, "train", text_control="reversed")


def test_steps_are_registered_for_configs():
    for name, cls in [("SampleClip", SampleClip), ("DecodeFrames", DecodeFrames), ("ResizeClip", ResizeClip),
                      ("PackRAVARInputs", PackRAVARInputs)]:
        assert TRANSFORMS.get(name) is cls
