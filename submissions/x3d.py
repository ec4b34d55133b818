# X3D (Feichtenhofer, CVPR 2020) adapted to RAVAR as an AAL baseline (paper Sec. 3.2): MMAction2 X3D over the
# clip; the BERT reference embedding is added to the pooled feature. CPU scale: X3D at half width, bottleneck
# and depth and a 2-layer BERT, random init. submissions/paper/x3d.py: X3D-M.
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py",
          "./_base_/models/aal.py"]
scale = "cpu"
meta = dict(display_name="X3D", group="AAL", paper="Feichtenhofer, CVPR 2020",
            tables=["main"])
model = dict(
    head={{_base_.cpu_head}},
    visual=dict(type="VideoBackbone", out_dim=64,
                backbone=dict(type="mmaction.X3D", gamma_w=0.5, gamma_b=0.5, gamma_d=0.5)),
)
# Learning rate: 2e-3 won the protocol's val search on RefAVA-Synth v2 with the protocol head (val mAP 19.6
# against 18.2 at 5e-4).
optim_wrapper = dict(optimizer=dict(lr=2e-3))
