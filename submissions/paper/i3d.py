# I3D at paper scale: MMAction2's I3D ResNet3d-50 (Kinetics-400 weights) and a frozen BERT-base; the trainable
# parameters (Table 9: 25M) are the backbone, the text projection and the heads.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../i3d.py", "../_base_/models/paper_bert.py"]
scale = "paper"
model = dict(
    visual=dict(_delete_=True, type="VideoBackbone", out_dim=2048, pretrained="checkpoints/i3d_r50_k400.pth",
                backbone=dict(type="mmaction.ResNet3d", depth=50, pretrained=None, pretrained2d=False,
                              conv1_kernel=(5, 7, 7), conv1_stride_t=2, pool1_stride_t=2,
                              inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)))),
    text={{_base_.paper_bert_text}},
    tokenizer={{_base_.paper_bert_tokenizer}},
    fusion=dict(dim=128),  # the one free width, see docs/BASELINES.md
    frozen_modules=("text",),
)
