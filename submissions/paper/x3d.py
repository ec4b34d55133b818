# X3D at paper scale: MMAction2's X3D-M (Kinetics-400 weights) and a frozen BERT-base; the trainable parameters
# (Table 9: 3.76M) are the backbone, the text projection and the heads.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../x3d.py", "../_base_/models/paper_bert.py", "../_base_/schedules/paper.py"]
scale = "paper"
# Inputs: 16 frames at 224 px, MMAction2's X3D-M 16x5x1 setting. The top-level values reach every loader's pipeline.
num_frames = 16
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
    visual=dict(_delete_=True, type="VideoBackbone", out_dim=432, pretrained="checkpoints/x3d_m_k400.pth",
                backbone=dict(type="mmaction.X3D", gamma_w=1, gamma_b=2.25, gamma_d=2.2)),
    text={{_base_.paper_bert_text}},
    tokenizer={{_base_.paper_bert_tokenizer}},
    fusion=dict(dim=512),  # the one free width, see docs/BASELINES.md
    frozen_modules=("text",),
)
