# The encoder of Su et al. (TIP 2023, "Sequence as a whole") with the RAVAR heads, the paper's VOS baseline
# (Sec. 3.2): clip features of a 3D CNN (MMAction2 ResNet3d, as I3D features in the original) and the BERT
# reference tokens are concatenated into one sequence with modality embeddings and encoded jointly by a
# transformer; the mean over the sequence feeds the heads. CPU scale: ResNet3d-18/16 channels, 2-layer BERT and
# a 2-layer joint encoder of width 128. submissions/paper/su_vos.py: I3D-R50 features and BERT-base.
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py",
          "./_base_/models/referring_bert.py"]
scale = "cpu"
meta = dict(display_name="Su et al.", group="VOS", paper="Su et al., TIP 2023",
            tables=["main"])
model = dict(
    head={{_base_.cpu_head}},
    visual=dict(type="VideoBackbone", out_dim=128,
                backbone=dict(type="mmaction.ResNet3d", depth=18, base_channels=16, pretrained=None,
                              pretrained2d=False, conv1_kernel=(1, 7, 7), inflate=((1, 1), (1, 0), (1, 0), (0, 1)))),
    fusion=dict(type="JointSequenceFusion", dim=128, num_layers=2, num_heads=4),
)
# Learning rate: the schedule's 5e-4 won the protocol's val search on RefAVA-Synth v2 with the protocol head
# (val mAP 18.1 against 14.6 at 2e-3).
