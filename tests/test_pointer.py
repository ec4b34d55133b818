"""The referring pointer of RefAtomNet's CPU-scale configs: its targets against hand-computed IoUs, its scores
against their formula, its loss, and a visual stream that reads only the chosen person."""

import math

import pytest
import torch
from torchvision.ops import roi_align

from ravar_bench.models.heads import RAVARHead, refine_box
from ravar_bench.models.refatomnet.pointer import ReferringPointer, grounding_targets
from tests.test_person_tubes import TUBES
from tests.test_refatomnet import B, D, batch, build

LEFT, RIGHT = [0.05, 0.2, 0.2, 0.8], [0.7, 0.2, 0.85, 0.8]  # apart even when widened by half a width per side


def test_grounding_targets_pick_the_best_overlap_among_present_people():
    gt = torch.tensor([[0.0, 0.0, 0.5, 1.0], [0.0, 0.0, 0.5, 1.0]])
    boxes = torch.tensor([[[0.5, 0.0, 1.0, 1.0], [0.0, 0.0, 0.4, 1.0], [0.0, 0.0, 0.5, 1.0]],
                          [[0.0, 0.0, 0.2, 1.0], [0.3, 0.0, 0.8, 1.0], [0.0, 0.0, 0.5, 1.0]]])
    present = torch.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]])  # the exact match (slot 2) is padding
    target, reachable = grounding_targets(gt, boxes, present)
    # IoUs by hand: row 0 (0, 0.8); row 1 (0.4, 0.2 / 0.8 = 0.25)
    assert target.tolist() == [1, 0]
    assert reachable.tolist() == [True, False]


def test_pointer_scores_follow_the_formula_and_ignore_absent_people():
    torch.manual_seed(0)
    pointer = ReferringPointer(text_dim=D, crop_size=(8, 4), width=8, dim=16)
    keyframe, text = torch.randn(B, 3, 24, 32), torch.randn(B, 5, D)
    boxes = torch.tensor([[LEFT, RIGHT, [0, 0, 1, 1]], [RIGHT, [0, 0, 1, 1], [0, 0, 1, 1]]])
    person_mask = torch.tensor([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    text_mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    logits = pointer(keyframe, boxes, person_mask, text, text_mask)
    crops = torch.stack([roi_align(keyframe[i:i + 1], [boxes[i] * torch.tensor([32, 24, 32, 24])], (8, 4),
                                   aligned=True) for i in range(B)])
    geometry = torch.cat([boxes, (boxes[..., :2] + boxes[..., 2:]) / 2, boxes[..., 2:] - boxes[..., :2]], dim=-1)
    keys = pointer.key(pointer.appearance(crops.flatten(0, 1)).view(B, 3, -1) + pointer.geometry(geometry))
    reference = pointer.query(torch.stack([text[0, :3].mean(0), text[1].mean(0)]))
    expected = (keys * reference[:, None]).sum(-1) / 4.0
    torch.testing.assert_close(logits[person_mask.bool()], expected[person_mask.bool()])
    assert (logits[~person_mask.bool()] == -1e4).all()


def test_an_anchored_head_starts_at_the_anchor_and_refines_it_rcnn_style():
    head = RAVARHead(in_dim=D, cls_hidden=(16,), box_hidden=(16,), anchored=True)
    anchor = torch.tensor([[0.1, 0.2, 0.3, 0.6], [0.5, 0.0, 0.9, 1.0]])
    torch.testing.assert_close(head(torch.randn(2, D), anchor)[1], anchor)
    # delta (0.5, 0, ln 2, 0): the centre moves half a width (0.1) right to 0.3, the width doubles to 0.4
    moved = refine_box(anchor[:1], torch.tensor([[0.5, 0.0, math.log(2.0), 0.0]]))
    torch.testing.assert_close(moved, torch.tensor([[0.1, 0.2, 0.5, 0.6]]))
    with pytest.raises(ValueError, match="anchor"):
        head(torch.randn(2, D))


def two_people_batch(gt_box: list[float]) -> dict:
    """The test batch with sample 0's two person detections at LEFT and RIGHT and the truth at ``gt_box``."""
    data = batch()
    sample = data["data_samples"][0]
    sample.det_boxes = torch.tensor([LEFT, [0.3, 0.3, 0.5, 0.5], RIGHT, [0.4, 0.1, 0.6, 0.3]])
    sample.gt_box = torch.tensor(gt_box)
    return data


def visual_stream(model, data: dict, training: bool, repaint: slice | None = None):
    """Sample 0's visual tokens and the encoder's losses; ``repaint`` overwrites those pixel columns of sample 0's
    clip frames (not its key frame, which the pointer reads)."""
    data = model.data_preprocessor(data, False)
    if repaint is not None:
        data["inputs"]["frames"][0, :, :, :, repaint] = 3.0
    with torch.no_grad():
        streams, losses, _ = model.extract_streams(data["inputs"], data["data_samples"], training)
    return streams["visual"][0], losses


def pointer_logits(model, data: dict) -> torch.Tensor:
    """The pointer's logits [B, max_persons] computed from the model's parts, outside ``extract_streams``."""
    prepared = model.data_preprocessor(data, False)
    detections = [model._detections(s) for s in prepared["data_samples"]]
    boxes, present = model.person_boxes(detections, torch.device("cpu"))
    text = model.tokenizer([s.metainfo["text"] for s in prepared["data_samples"]])
    reference = model.blip2.encode_text(text["input_ids"], text["attention_mask"])
    return model.pointer(prepared["inputs"]["keyframe"], boxes, present, reference, text["attention_mask"])


POINTER = dict(person_tubes=TUBES, joint_qformer=True,
               pointer=dict(type="ReferringPointer", crop_size=(8, 4), width=8, dim=16))


@pytest.mark.parametrize("training", [True, False])
def test_the_visual_stream_reads_only_the_chosen_person(training: bool):
    """In training the pointer's target (the person on the truth) is read; otherwise the pointer's choice."""
    model = build(**POINTER).eval()
    with torch.no_grad():
        chosen = 0 if training else int(pointer_logits(model, two_people_batch(LEFT))[0].argmax())
    columns = {0: slice(0, 9), 1: slice(20, 30)}  # pixel columns (of 32) covering each widened box only
    base, _ = visual_stream(model, two_people_batch(LEFT), training)
    unchosen, _ = visual_stream(model, two_people_batch(LEFT), training, columns[1 - chosen])
    touched, _ = visual_stream(model, two_people_batch(LEFT), training, columns[chosen])
    torch.testing.assert_close(unchosen, base)
    assert not torch.allclose(touched, base)


def test_training_adds_the_grounding_loss_and_it_trains_the_pointer_and_the_text_path():
    """``loss_ground`` is the weighted cross-entropy of the samples whose truth a person overlaps: sample 0
    (target RIGHT, the second person) only, as sample 1's whole-frame stand-in misses its truth."""
    model = build(**POINTER, loss_ground_weight=2.0).eval()  # no dropout: the two computations agree
    losses = model(**model.data_preprocessor(two_people_batch(RIGHT), True), mode="loss")
    assert set(losses) == {"loss_cls", "loss_box", "loss_ground", "acc_ground"}
    expected = 2.0 * torch.nn.functional.cross_entropy(pointer_logits(model, two_people_batch(RIGHT))[:1],
                                                       torch.tensor([1]))
    torch.testing.assert_close(losses["loss_ground"], expected)
    assert 0 <= losses["acc_ground"] <= 1 and not losses["acc_ground"].requires_grad
    losses["loss_ground"].backward()
    assert model.pointer.appearance[0][0].weight.grad.abs().sum() > 0
    assert model.blip2.embeddings.word_embeddings.weight.grad.abs().sum() > 0
    assert model.person_tubes.cnn[0][0].weight.grad is None  # the tubes learn from the action and box losses


def test_the_tube_loss_classifies_the_truth_persons_tube_summary_and_trains_the_tubes():
    """``loss_tube`` is the weighted BCE of the tube classifier on the summary of the person on the truth, over
    the samples whose truth a person overlaps: sample 0 (RIGHT) only; it reaches the 3D CNN."""
    model = build(**POINTER, loss_tube_weight=3.0).eval()
    prepared = model.data_preprocessor(two_people_batch(RIGHT), True)
    losses = model(**prepared, mode="loss")
    assert set(losses) == {"loss_cls", "loss_box", "loss_ground", "acc_ground", "loss_tube"}
    summary = model.person_tubes(prepared["inputs"]["frames"][:1], torch.tensor([[RIGHT]]), torch.ones(1, 1))[2][:, 0]
    labels = prepared["data_samples"][0].gt_labels.float()[None]
    expected = 3.0 * torch.nn.functional.binary_cross_entropy_with_logits(model.tube_classifier(summary), labels)
    torch.testing.assert_close(losses["loss_tube"], expected)
    model.zero_grad()
    losses["loss_tube"].backward()
    assert model.person_tubes.cnn[0][0].weight.grad.abs().sum() > 0
    assert model.head.cls_head[0].weight.grad is None  # training only: the heads do not see it


def test_the_tube_classifier_starts_at_the_heads_class_prior():
    for linear_skip in (False, True):
        model = build(**POINTER, loss_tube_weight=1.0, head=dict(type="RAVARHead", linear_skip=linear_skip))
        torch.testing.assert_close(model.tube_classifier.bias, model.head.prior_bias)
        assert model.tube_classifier.bias.abs().min() > 1  # the prior logit (0.03 -> -3.5), not zero


def test_the_tube_residual_adds_the_chosen_persons_summary_to_every_visual_token():
    """Visual tokens = the Q-Former's tokens + W (summary of the person read); here the person on the truth."""
    model = build(**POINTER, tube_residual=True).eval()
    with_skip, _ = visual_stream(model, two_people_batch(RIGHT), training=True)
    residual, model.tube_residual = model.tube_residual, None
    without, _ = visual_stream(model, two_people_batch(RIGHT), training=True)
    frames = model.data_preprocessor(two_people_batch(RIGHT), False)["inputs"]["frames"][:1]
    with torch.no_grad():
        skip = residual(model.person_tubes(frames, torch.tensor([[RIGHT]]), torch.ones(1, 1))[2][0, 0])
    torch.testing.assert_close(with_skip, without + skip)
    assert with_skip.shape == without.shape and not torch.allclose(skip, torch.zeros_like(skip))


def test_a_pointer_without_person_tubes_is_refused():
    with pytest.raises(ValueError, match="person_tubes"):
        build(pointer=dict(type="ReferringPointer"))
    for key, value in (("loss_tube_weight", 1.0), ("tube_residual", True)):
        with pytest.raises(ValueError, match=key):
            build(person_tubes=TUBES, joint_qformer=True, **{key: value})


def test_refatomnet_with_a_pointer_predicts_a_refinement_of_the_chosen_persons_box():
    """Untrained (the anchored head starts at zero), the predicted box is the chosen detection's box."""
    model = build(**POINTER).eval()
    data = model.data_preprocessor(two_people_batch(LEFT), False)
    with torch.no_grad():
        chosen = int(pointer_logits(model, two_people_batch(LEFT))[0].argmax())
        samples = model(**data, mode="predict")
    torch.testing.assert_close(samples[0].pred_box, torch.tensor([LEFT, RIGHT][chosen]))
    torch.testing.assert_close(samples[1].pred_box, torch.tensor([0.0, 0.0, 1.0, 1.0]))  # no person: whole frame
