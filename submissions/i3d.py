# I3D (Carreira & Zisserman, CVPR 2017) adapted to RAVAR as an AAL baseline (paper Sec. 3.2): an inflated
# 3D ResNet (MMAction2 ResNet3d) over the clip; the BERT reference embedding is added to the pooled feature.
# CPU scale: ResNet3d-18 with 16 base channels and a 2-layer BERT, random init. submissions/paper/i3d.py: R50.
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py",
          "./_base_/models/aal.py"]
scale = "cpu"
meta = dict(display_name="I3D", group="AAL", paper="Carreira & Zisserman, CVPR 2017",
            tables=["main"])
model = dict(
    head={{_base_.cpu_head}},
    visual=dict(type="VideoBackbone", out_dim=128,
                backbone=dict(type="mmaction.ResNet3d", depth=18, base_channels=16, pretrained=None,
                              pretrained2d=False, conv1_kernel=(1, 7, 7), inflate=((1, 1), (1, 0), (1, 0), (0, 1)))),
)
# Learning rate: the schedule's 5e-4 won the protocol's val search on RefAVA-Synth v2 with the protocol head
# (val mAP 19.9 against 19.5 at 2e-3).
