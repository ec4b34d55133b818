# Hiera-B (Ryali et al., ICML 2023) adapted to RAVAR as an AAL baseline (paper Sec. 3.2): timm's Hiera on every
# frame (timm ships the image model), frame features as tokens; the BERT reference embedding is added to their
# mean. CPU scale: a 4-stage Hiera of width 16 and a 2-layer BERT, random init. Paper scale: hiera_base_224.
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py",
          "./_base_/models/aal.py"]
scale = "cpu"
meta = dict(display_name="Hiera-B", group="AAL", paper="Ryali et al., ICML 2023",
            tables=["main"])
model = dict(
    head={{_base_.cpu_head}},
    conv_stem={{_base_.cpu_stem}},
    visual=dict(type="FrameBackbone", out_dim=128,
                backbone=dict(type="TimmModel", model_name="hiera_tiny_224", num_classes=0, img_size=(64, 64),
                              embed_dim=16, num_heads=1, stages=(1, 1, 1, 1))),
)
# Learning rate: the schedule's 5e-4 won the protocol's val search on RefAVA-Synth v2 with the protocol head
# and convolutional stem (val mAP 14.2 against 13.2 at 2e-3).
