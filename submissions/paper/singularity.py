# Singularity at paper scale: ViT-B/16 on the key frame, BERT-base's first 9 layers for the question and 3
# cross-attention fusion layers (BERT's last 3 in the original), all fine-tuned (Table 9: 203M).
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../singularity.py", "../_base_/schedules/paper.py"]
scale = "paper"
# Inputs: the key frame at 224 px (ViT-B/16). The top-level values reach every loader's pipeline.
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
    visual=dict(_delete_=True, type="FrameBackbone", source="keyframe", image_size=224, output="last_hidden_state",
                out_dim=768, pretrained="checkpoints/singularity/vit-b16",
                backbone=dict(type="TransformersModel", config_class="ViTConfig", model_class="ViTModel",
                              hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                              image_size=224, patch_size=16)),
    text=dict(_delete_=True, type="TextEncoder", pretrained="checkpoints/singularity/bert-9l",
              model=dict(type="TransformersModel", config_class="BertConfig", model_class="BertModel", hidden_size=768,
                         intermediate_size=3072, num_hidden_layers=9, num_attention_heads=12, vocab_size=30522,
                         max_position_embeddings=512)),
    fusion=dict(num_layers=3, num_heads=12),
    tokenizer=dict(_delete_=True, type="PretrainedTokenizer", path="checkpoints/bert-base-uncased", max_length=32,
                   key="model.tokenizer.path"),
)
