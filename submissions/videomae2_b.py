# VideoMAE V2-B (Wang et al., CVPR 2023) adapted to RAVAR as an AAL baseline (paper Sec. 3.2): MMAction2's
# VisionTransformer (tubelet ViT, mean-pooled) over the clip; the BERT reference embedding is added to the pooled
# feature. CPU scale: a 2-layer ViT of width 128 and a 2-layer BERT, random init. Paper scale: ViT-B/16.
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py",
          "./_base_/models/aal.py"]
scale = "cpu"
meta = dict(display_name="VideoMAE2-B", group="AAL", paper="Wang et al., CVPR 2023",
            tables=["main"])
model = dict(
    head={{_base_.cpu_head}},
    conv_stem={{_base_.cpu_stem}},
    visual=dict(type="VideoBackbone", out_dim=128,
                backbone=dict(type="mmaction.VisionTransformer", img_size=64, patch_size=16, embed_dims=128, depth=2,
                              num_heads=4, num_frames=8, tubelet_size=2, mlp_ratio=4)),
)
# Learning rate: 2e-3 won the protocol's val search on RefAVA-Synth v2 with the protocol head
# and convolutional stem (val mAP 16.8 against 16.4 at 5e-4).
optim_wrapper = dict(optimizer=dict(lr=2e-3))
