# I3D at paper scale: MMAction2's I3D ResNet3d-50 (Kinetics-400 weights) and a frozen BERT-base; the trainable
# parameters (Table 9: 25M) are the backbone, the text projection and the heads.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../i3d.py", "../_base_/models/paper_bert.py", "../_base_/schedules/paper.py"]
scale = "paper"
# Inputs: 32 frames at 224 px, MMAction2's I3D 32x2x1 setting. The top-level values reach every loader's pipeline.
num_frames = 32
clip_size = (224, 224)
keyframe_size = (224, 224)
# The paper's schedule (submissions/_base_/schedules/paper.py); precision "auto" = bf16 on a GPU, fp32 on CPU.
precision = "auto"
optim_wrapper = {{_base_.paper_optim_wrapper}}
param_scheduler = {{_base_.paper_param_scheduler}}
train_cfg = {{_base_.paper_train_cfg}}
train_dataloader = dict(batch_size={{_base_.paper_batch_size}})
val_dataloader = dict(batch_size={{_base_.paper_batch_size}})
test_dataloader = dict(batch_size={{_base_.paper_batch_size}})
model = dict(
    head={{_base_.paper_head}},
    visual=dict(_delete_=True, type="VideoBackbone", out_dim=2048, pretrained="checkpoints/i3d_r50_k400.pth",
                backbone=dict(type="mmaction.ResNet3d", depth=50, pretrained=None, pretrained2d=False,
                              conv1_kernel=(5, 7, 7), conv1_stride_t=2, pool1_stride_t=2,
                              inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)))),
    text={{_base_.paper_bert_text}},
    tokenizer={{_base_.paper_bert_tokenizer}},
    fusion=dict(dim=128),  # the one free width, see docs/BASELINES.md
    frozen_modules=("text",),
)
