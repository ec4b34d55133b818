"""The pinned stack works together: one cv2, imgaug on NumPy 2, and every model family the
submissions build on constructs through the registries and runs forward on the CPU."""

from __future__ import annotations

import importlib.metadata

import pytest
import torch

from ravar_bench.registry import MODELS


def test_one_consistent_opencv() -> None:
    import cv2

    versions = {dist: importlib.metadata.version(dist)
                for dist in ("opencv-python", "opencv-python-headless", "opencv-contrib-python")}
    assert len(set(versions.values())) == 1, f"opencv distributions disagree: {versions}"
    assert cv2.__version__ == next(iter(versions.values())).rsplit(".", 1)[0]
    assert hasattr(cv2, "ximgproc"), "the contrib modules mmaction2 asks for are missing"
    image = cv2.GaussianBlur(torch.arange(64, dtype=torch.uint8).reshape(8, 8).numpy(), (3, 3), 0)
    assert image.shape == (8, 8)


def test_imgaug_imports_on_numpy2() -> None:
    import numpy as np
    from imgaug.augmenters import imgcorruptlike

    image = np.full((32, 32, 3), 128, np.uint8)
    noisy = imgcorruptlike.apply_gaussian_noise(image, severity=3, seed=0)
    assert noisy.shape == image.shape and noisy.dtype == np.uint8 and not np.array_equal(noisy, image)


def build(cfg: dict) -> torch.nn.Module:
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.eval()  # not chained: mmaction's ResNet3d.train() returns None
    return model


VIDEO_BACKBONES = {
    "i3d": dict(type="mmaction.ResNet3d", depth=18, pretrained=None, pretrained2d=False,
                conv1_kernel=(1, 7, 7), inflate=((1, 1), (1, 0), (1, 0), (0, 1))),
    "x3d": dict(type="mmaction.X3D", gamma_w=0.5, gamma_b=1.0, gamma_d=0.5),
    "mvit": dict(type="mmaction.MViT", arch=dict(embed_dims=32, num_layers=2, num_heads=1,
                                                 downscale_indices=[1]), spatial_size=32, temporal_size=4),
    "videomae_vit": dict(type="mmaction.VisionTransformer", img_size=32, patch_size=16, embed_dims=64, depth=2,
                         num_heads=2, num_frames=4, tubelet_size=2, mlp_ratio=2),
}


@pytest.mark.parametrize("name", sorted(VIDEO_BACKBONES))
def test_mmaction_backbone_forward(name: str) -> None:
    model = build(VIDEO_BACKBONES[name])
    with torch.no_grad():
        features = model(torch.randn(2, 3, 4, 32, 32))
    features = features[-1] if isinstance(features, (tuple, list)) else features
    features = features[0] if isinstance(features, (tuple, list)) else features
    assert features.shape[0] == 2 and torch.isfinite(features).all()


def test_timm_hiera_forward() -> None:
    model = build(dict(type="TimmModel", model_name="hiera_tiny_224", num_classes=0, img_size=(64, 64)))
    with torch.no_grad():
        features = model(torch.randn(2, 3, 64, 64))
    assert features.shape == (2, model.num_features) and torch.isfinite(features).all()


def test_timm_refuses_pretrained_download() -> None:
    with pytest.raises(ValueError, match="download"):
        MODELS.build(dict(type="TimmModel", model_name="hiera_tiny_224", pretrained=True))


def test_mmdet_detr_predicts_boxes() -> None:
    from mmdet.structures import DetDataSample

    # _scope_ makes the nested types (backbone, neck, head, losses) resolve in MMDetection's scope too.
    detr = dict(
        type="DETR", _scope_="mmdet", num_queries=10,
        data_preprocessor=dict(type="DetDataPreprocessor", mean=[0, 0, 0], std=[255, 255, 255]),
        backbone=dict(type="ResNet", depth=18, num_stages=4, out_indices=(3,), norm_cfg=dict(type="BN"),
                      init_cfg=None),
        neck=dict(type="ChannelMapper", in_channels=[512], kernel_size=1, out_channels=32, num_outs=1),
        encoder=dict(num_layers=1, layer_cfg=dict(
            self_attn_cfg=dict(embed_dims=32, num_heads=2, batch_first=True),
            ffn_cfg=dict(embed_dims=32, feedforward_channels=64))),
        decoder=dict(num_layers=1, layer_cfg=dict(
            self_attn_cfg=dict(embed_dims=32, num_heads=2, batch_first=True),
            cross_attn_cfg=dict(embed_dims=32, num_heads=2, batch_first=True),
            ffn_cfg=dict(embed_dims=32, feedforward_channels=64)), return_intermediate=True),
        positional_encoding=dict(num_feats=16, normalize=True),
        bbox_head=dict(type="DETRHead", num_classes=80, embed_dims=32,
                       loss_cls=dict(type="CrossEntropyLoss", bg_cls_weight=0.1, use_sigmoid=False,
                                     class_weight=1.0),
                       loss_bbox=dict(type="L1Loss"), loss_iou=dict(type="GIoULoss")),
        test_cfg=dict(max_per_img=10),
    )
    model = build(detr)
    sample = DetDataSample(metainfo=dict(img_shape=(64, 64), ori_shape=(64, 64), batch_input_shape=(64, 64),
                                         scale_factor=(1.0, 1.0)))
    with torch.no_grad():
        data = model.data_preprocessor(dict(inputs=[torch.randint(0, 255, (3, 64, 64), dtype=torch.uint8)],
                                            data_samples=[sample]))
        (result,) = model(**data, mode="predict")
    boxes = result.pred_instances.bboxes
    assert boxes.shape == (10, 4) and torch.isfinite(boxes).all()
    assert result.pred_instances.labels.max() < 80


def test_transformers_bert_forward() -> None:
    bert = build(dict(type="TransformersModel", config_class="BertConfig", model_class="BertModel", hidden_size=32,
                      num_hidden_layers=1, num_attention_heads=2, intermediate_size=64, vocab_size=100))
    with torch.no_grad():
        out = bert(input_ids=torch.randint(0, 100, (2, 7)), attention_mask=torch.ones(2, 7, dtype=torch.long))
    assert out.last_hidden_state.shape == (2, 7, 32)


def test_transformers_blip2_qformer_forward() -> None:
    qformer = build(dict(type="TransformersModel", config_class="Blip2QFormerConfig", model_class="Blip2QFormerModel",
                         hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                         encoder_hidden_size=48))
    queries, patches = torch.randn(2, 4, 32), torch.randn(2, 9, 48)
    with torch.no_grad():
        out = qformer(query_embeds=queries, encoder_hidden_states=patches)
    assert out.last_hidden_state.shape == (2, 4, 32)


def test_transformers_clip_forward() -> None:
    clip = build(dict(type="TransformersModel", config_class="CLIPConfig", model_class="CLIPModel",
                      text_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                       num_attention_heads=2, vocab_size=100),
                      vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                         num_attention_heads=2, image_size=32, patch_size=16),
                      projection_dim=16))
    with torch.no_grad():
        out = clip(input_ids=torch.randint(0, 100, (2, 5)), pixel_values=torch.randn(2, 3, 32, 32))
    assert out.logits_per_image.shape == (2, 2)
    assert out.image_embeds.shape == out.text_embeds.shape == (2, 16)
