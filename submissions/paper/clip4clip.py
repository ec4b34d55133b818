# CLIP4Clip at paper scale: CLIP ViT-B/32 image and text towers (meanP), all fine-tuned (Table 9: 149M).
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
# transformers models load from local directories (a CLIPModel directory serves its vision and text towers).
_base_ = ["../clip4clip.py", "../_base_/schedules/paper.py"]
scale = "paper"
# Inputs: 12 frames at 224 px, CLIP4Clip's setting. The top-level values reach every loader's pipeline.
num_frames = 12
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
    visual=dict(_delete_=True, type="FrameBackbone", image_size=224, output="image_embeds", out_dim=512,
                pretrained="checkpoints/clip-vit-base-patch32",
                backbone=dict(type="TransformersModel", config_class="CLIPVisionConfig",
                              model_class="CLIPVisionModelWithProjection", hidden_size=768, intermediate_size=3072,
                              num_hidden_layers=12, num_attention_heads=12, image_size=224, patch_size=32,
                              projection_dim=512)),
    text=dict(_delete_=True, type="TextEncoder", pretrained="checkpoints/clip-vit-base-patch32",
              model=dict(type="TransformersModel", config_class="CLIPTextConfig", model_class="CLIPTextModel",
                         hidden_size=512, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=8,
                         vocab_size=49408, max_position_embeddings=77)),
    fusion=dict(dim=512),
    tokenizer=dict(_delete_=True, type="PretrainedTokenizer", path="checkpoints/clip-vit-base-patch32", max_length=32,
                   key="model.tokenizer.path"),
)
