# MViTv2-B (Li et al., CVPR 2022) adapted to RAVAR as an AAL baseline (paper Sec. 3.2): MMAction2 MViT over the
# clip; the BERT reference embedding is added to the pooled feature. CPU scale: a 2-layer MViT of width 64 on
# 8x8 patches and a 2-layer BERT, random init. submissions/paper/mvitv2_b.py: MViTv2-B.
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py",
          "./_base_/models/aal.py"]
scale = "cpu"
meta = dict(display_name="MViTv2-B", group="AAL", paper="Li et al., CVPR 2022",
            tables=["main"])
model = dict(
    head={{_base_.cpu_head}},
    conv_stem={{_base_.cpu_stem}},
    visual=dict(type="VideoBackbone", out_dim=128,
                backbone=dict(type="mmaction.MViT", spatial_size=64, temporal_size=8,
                              arch=dict(embed_dims=64, num_layers=2, num_heads=1, downscale_indices=[1]),
                              patch_cfg=dict(kernel_size=(3, 8, 8), stride=(2, 8, 8), padding=(1, 0, 0)))),
)
# Learning rate: the schedule's 5e-4 won the protocol's val search on RefAVA-Synth v2 with the protocol head
# and convolutional stem (val mAP 16.6 against 14.0 at 2e-3).
