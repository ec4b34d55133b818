"""Person tubes, RefAtomNet's CPU-scale visual memory: shapes, locality (only the people are read), masking of
absent people in the Q-Former, and a visual stream that sees the order of frames (motion)."""

import torch

from ravar_bench.models.encoders import BLIP2Encoder
from ravar_bench.models.refatomnet.person_tubes import PersonTubeEncoder, widen_boxes
from tests.test_refatomnet import B, D, N, T, batch, build

TUBES = dict(type="PersonTubeEncoder", crop_size=(16, 16), width=8, dim=D, max_frames=4, widen=0.5)


def encoder() -> PersonTubeEncoder:
    torch.manual_seed(0)
    return PersonTubeEncoder(crop_size=(16, 16), width=8, dim=D, max_frames=4, widen=0.5).eval()


def test_widen_boxes_grows_sideways_and_clips():
    boxes = torch.tensor([[0.4, 0.2, 0.6, 0.8], [0.0, 0.1, 0.2, 0.9]])
    torch.testing.assert_close(widen_boxes(boxes, 0.5), torch.tensor([[0.3, 0.2, 0.7, 0.8], [0.0, 0.1, 0.3, 0.9]]))


def test_tokens_are_person_major_with_the_mask_repeated_over_frames_and_one_summary_per_person():
    frames = torch.rand(B, T, 3, 24, 32)
    boxes = torch.tensor([[[0.1, 0.1, 0.3, 0.9], [0.6, 0.2, 0.8, 0.9], [0, 0, 0, 0]]] * B)
    mask = torch.tensor([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    tokens, token_mask, summaries = encoder()(frames, boxes, mask)
    assert tokens.shape == (B, 3 * T, D)
    assert summaries.shape == (B, 3, 8)  # the last stage's width
    torch.testing.assert_close(token_mask, mask.repeat_interleave(T, dim=1))


def test_a_person_token_reads_only_that_person_and_frame():
    """Pixels outside every (widened) box change nothing; a change in one frame inside person 0's box
    changes person 0's tokens (that frame's, and its neighbours' through the temporal conv), never person 1's."""
    enc, frames = encoder(), torch.rand(1, T, 3, 24, 32)
    boxes = torch.tensor([[[0.10, 0.1, 0.20, 0.9], [0.70, 0.1, 0.80, 0.9]]])
    mask = torch.ones(1, 2)
    with torch.no_grad():
        base = enc(frames, boxes, mask)[0].view(2, T, D)
        background = frames.clone()
        background[..., 12:20] = torch.rand(1, T, 3, 24, 8)  # x in [0.375, 0.625): outside both widened boxes
        torch.testing.assert_close(enc(background, boxes, mask)[0].view(2, T, D), base)
        touched = frames.clone()
        touched[0, 0, :, :, 3:7] = 0.0  # inside person 0's box, frame 0 only
        changed = enc(touched, boxes, mask)[0].view(2, T, D)
    assert not torch.allclose(changed[0, 0], base[0, 0])
    torch.testing.assert_close(changed[1], base[1])


def test_absent_people_are_invisible_to_the_qformer():
    """A masked memory token, whatever it holds, leaves the query tokens unchanged, with or without text."""
    torch.manual_seed(0)
    blip2 = BLIP2Encoder(None, dict(hidden_size=D, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
                                    cross_attention_frequency=1, vocab_size=64, max_position_embeddings=16,
                                    encoder_hidden_size=D), num_query_tokens=N).eval()
    memory = torch.randn(B, 5, D)
    padded = torch.cat([memory, 100 * torch.randn(B, 3, D)], dim=1)
    mask = torch.cat([torch.ones(B, 5), torch.zeros(B, 3)], dim=1)
    ids, text_mask = torch.randint(1, 64, (B, 6)), torch.ones(B, 6, dtype=torch.long)
    with torch.no_grad():
        for text in ((None, None), (ids, text_mask)):
            short = blip2.query(memory, None, *text)
            assert short.shape == (B, N, D)
            torch.testing.assert_close(blip2.query(padded, mask, *text), short)


def test_refatomnet_visual_stream_sees_frame_order():
    """Frame averaging (the release's visual stream) is blind to the order of frames; the person-tube stream
    is not, so it can tell a motion from its reverse."""
    def visual(model, reverse: bool) -> torch.Tensor:
        data = model.data_preprocessor(batch(), False)
        if reverse:
            data["inputs"]["frames"] = data["inputs"]["frames"].flip(1)
        with torch.no_grad():
            return model.extract_streams(data["inputs"], data["data_samples"])[0]["visual"]

    averaged = build().eval()
    torch.testing.assert_close(visual(averaged, False), visual(averaged, True))
    tubes = build(person_tubes=TUBES, joint_qformer=True).eval()
    forward = visual(tubes, False)
    assert forward.shape == (B, N, D)
    assert not torch.allclose(forward, visual(tubes, True))
