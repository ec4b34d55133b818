# CLIP4Clip (Luo et al., Neurocomputing 2022) adapted to RAVAR as a VTR baseline (paper Sec. 3.2): CLIP image
# embeddings of every frame, mean-pooled (meanP), the reference through CLIP's text tower; the pair feature
# [v, t, v*t] feeds the heads. CPU scale: 2-layer CLIP towers of width 128, random init. Paper: CLIP ViT-B/32.
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py",
          "./_base_/models/referring_clip.py"]
scale = "cpu"
meta = dict(display_name="CLIP4Clip", group="VTR", paper="Luo et al., Neurocomputing 2022",
            tables=["main"])
model = dict(
    head={{_base_.cpu_head}},
    conv_stem={{_base_.cpu_stem}},
    visual=dict(type="FrameBackbone", image_size=64, output="image_embeds", out_dim=128,
                backbone=dict(type="TransformersModel", config_class="CLIPVisionConfig",
                              model_class="CLIPVisionModelWithProjection", hidden_size=128, intermediate_size=512,
                              num_hidden_layers=2, num_attention_heads=4, image_size=64, patch_size=16,
                              projection_dim=128)),
    fusion=dict(type="RetrievalFusion", dim=128, temporal_layers=0, pool="mean"),
)
# Learning rate: the schedule's 5e-4 won the protocol's val search on RefAVA-Synth v2 with the protocol head
# and convolutional stem (val mAP 15.6 against 12.9 at 2e-3).
