# VideoMAE V2-B at paper scale: MMAction2's VisionTransformer ViT-B/16 (16 frames, tubelet 2, mean pooling;
# Kinetics-400 fine-tuned weights) and a frozen BERT-base; the trainable parameters (Table 9: 87M) are the
# backbone, the text projection and the heads.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../videomae2_b.py", "../_base_/models/paper_bert.py", "../_base_/schedules/paper.py"]
scale = "paper"
# Inputs: 16 frames at 224 px, VideoMAE V2-B's setting (tubelet 2). The top-level values reach every loader's pipeline.
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
    conv_stem=None,  # the paper's patch projection, whose weights are loaded
    visual=dict(_delete_=True, type="VideoBackbone", out_dim=768, pretrained="checkpoints/videomaev2_b_k400.pth",
                backbone=dict(type="mmaction.VisionTransformer", img_size=224, patch_size=16, embed_dims=768,
                              depth=12, num_heads=12, mlp_ratio=4, qkv_bias=True, num_frames=16, tubelet_size=2,
                              norm_cfg=dict(type="LN", eps=1e-6))),
    text={{_base_.paper_bert_text}},
    tokenizer={{_base_.paper_bert_tokenizer}},
    frozen_modules=("text",),
)
