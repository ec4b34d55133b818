# CLIP + SAM adapted to RAVAR as a single-frame baseline (paper Sec. 3.2): SAM's image encoder (transformers
# SamVisionModel) turns the key frame into a grid of region features, which the CLIP reference embedding scores;
# the best-matching regions, CLIP's global key-frame embedding and the reference feed the heads. CPU scale:
# 1-layer SAM ViT and 2-layer CLIP towers, random init. submissions/paper/clip_sam.py: SAM ViT-B + CLIP ViT-B/32.
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py",
          "./_base_/models/referring_clip.py"]
scale = "cpu"
meta = dict(display_name="CLIP+SAM", group="SF", paper="Radford et al., ICML 2021 + Kirillov et al., ICCV 2023",
            tables=["main"])
clip_image = dict(type="FrameBackbone", source="keyframe", image_size=64, output="image_embeds", out_dim=128,
                  backbone=dict(type="TransformersModel", config_class="CLIPVisionConfig",
                                model_class="CLIPVisionModelWithProjection", hidden_size=128, intermediate_size=512,
                                num_hidden_layers=2, num_attention_heads=4, image_size=64, patch_size=16,
                                projection_dim=128))
model = dict(
    head={{_base_.cpu_head}},
    conv_stem={{_base_.cpu_stem}},
    visual=dict(type="FrameBackbone", source="keyframe", image_size=128, output="last_hidden_state", out_dim=64,
                backbone=dict(type="TransformersModel", config_class="SamVisionConfig", model_class="SamVisionModel",
                              hidden_size=64, intermediate_size=256, mlp_dim=256, num_hidden_layers=1,
                              num_attention_heads=2, image_size=128, patch_size=16, output_channels=64,
                              window_size=4, global_attn_indexes=[0])),
    fusion=dict(type="RegionScoringFusion", dim=128, image_encoder=clip_image),
)
# Learning rate: the schedule's 5e-4 won the protocol's val search on RefAVA-Synth v2 with the protocol head
# and convolutional stem (val mAP 14.52 against 14.51 at 2e-3).
