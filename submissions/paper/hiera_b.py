# Hiera-B at paper scale: timm's hiera_base_224 on every frame (local timm weights) and a frozen BERT-base; the
# trainable parameters (Table 9: 52M) are the backbone, the text projection and the heads.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../hiera_b.py", "../_base_/models/paper_bert.py", "../_base_/schedules/paper.py"]
scale = "paper"
# Inputs: 8 frames at 224 px, hiera_base_224's input. The top-level values reach every loader's pipeline.
num_frames = 8
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
    visual=dict(_delete_=True, type="FrameBackbone", out_dim=768, image_size=224,
                pretrained="checkpoints/hiera_base_224.safetensors",
                backbone=dict(type="TimmModel", model_name="hiera_base_224", num_classes=0)),
    text={{_base_.paper_bert_text}},
    tokenizer={{_base_.paper_bert_tokenizer}},
    frozen_modules=("text",),
)
