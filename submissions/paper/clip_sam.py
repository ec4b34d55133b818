# CLIP + SAM at paper scale: SAM's ViT-B image encoder (1024 px, 256-channel neck) and CLIP ViT-B/32, both used as
# frozen feature extractors; the CLIP text tower, the region scoring and the heads are fine-tuned.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
# transformers models load from local directories (a CLIPModel directory serves its vision and text towers).
_base_ = ["../clip_sam.py", "../_base_/schedules/paper.py"]
scale = "paper"
# Inputs: SAM reads the key frame at 1024 px; CLIP's towers see 224 px. The top-level values reach every
# loader's pipeline.
num_frames = 8
clip_size = (224, 224)
keyframe_size = (1024, 1024)
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
    visual=dict(_delete_=True, type="FrameBackbone", source="keyframe", image_size=1024, output="last_hidden_state",
                out_dim=256, pretrained="checkpoints/sam-vit-base",
                backbone=dict(type="TransformersModel", config_class="SamVisionConfig", model_class="SamVisionModel",
                              hidden_size=768, num_hidden_layers=12, num_attention_heads=12, image_size=1024,
                              patch_size=16, output_channels=256, window_size=14, global_attn_indexes=[2, 5, 8, 11])),
    text=dict(_delete_=True, type="TextEncoder", pretrained="checkpoints/clip-vit-base-patch32",
              model=dict(type="TransformersModel", config_class="CLIPTextConfig", model_class="CLIPTextModel",
                         hidden_size=512, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=8,
                         vocab_size=49408, max_position_embeddings=77)),
    fusion=dict(_delete_=True, type="RegionScoringFusion", dim=512, image_encoder=dict(
        type="FrameBackbone", source="keyframe", image_size=224, output="image_embeds", out_dim=512,
                       pretrained="checkpoints/clip-vit-base-patch32", key="model.fusion.image_encoder.pretrained",
                       backbone=dict(type="TransformersModel", config_class="CLIPVisionConfig",
                                     model_class="CLIPVisionModelWithProjection", hidden_size=768,
                                     intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                                     image_size=224, patch_size=32, projection_dim=512))),
    tokenizer=dict(_delete_=True, type="PretrainedTokenizer", path="checkpoints/clip-vit-base-patch32", max_length=32,
                   key="model.tokenizer.path"),
    frozen_modules=("visual", "fusion.image_encoder"),
)
