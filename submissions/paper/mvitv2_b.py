# MViTv2-B at paper scale: MMAction2's MViT "base" (32 x 224^2, Kinetics-400 weights) and a frozen BERT-base; the
# trainable parameters (Table 9: 71M) are the backbone, the text projection and the heads.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../mvitv2_b.py", "../_base_/models/paper_bert.py", "../_base_/schedules/paper.py"]
scale = "paper"
# Inputs: 32 frames at 224 px, MMAction2's MViTv2-B 32x3x1 setting. The top-level values reach every loader's pipeline.
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
    conv_stem=None,  # the paper's patch projection, whose weights are loaded
    visual=dict(_delete_=True, type="VideoBackbone", out_dim=768, pretrained="checkpoints/mvitv2_b_k400.pth",
                backbone=dict(type="mmaction.MViT", arch="base", spatial_size=224, temporal_size=32)),
    text={{_base_.paper_bert_text}},
    tokenizer={{_base_.paper_bert_tokenizer}},
    frozen_modules=("text",),
)
