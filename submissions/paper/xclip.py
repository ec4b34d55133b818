# X-CLIP at paper scale: transformers' XCLIPModel in its X-CLIP-B/32 (8 frames) configuration, all fine-tuned
# (Table 9: 150M). A local copy of microsoft/xclip-base-patch32 provides weights and tokenizer.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../xclip.py", "../_base_/schedules/paper.py"]
scale = "paper"
# Inputs: 8 frames at 224 px, X-CLIP-B/32's setting. The top-level values reach every loader's pipeline.
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
    fusion=dict(_delete_=True, type="XCLIPFusion", pretrained="checkpoints/xclip-base-patch32", xclip=dict(
        type="TransformersModel", config_class="XCLIPConfig", model_class="XCLIPModel", projection_dim=512,
        prompt_layers=2, prompt_attention_heads=8, mit_hidden_size=512, mit_intermediate_size=2048,
        mit_num_hidden_layers=1, mit_num_attention_heads=8,
        vision_config=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                           image_size=224, patch_size=32, num_frames=8, mit_hidden_size=512,
                           mit_intermediate_size=2048, mit_num_hidden_layers=1, mit_num_attention_heads=8),
        text_config=dict(hidden_size=512, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=8,
                         vocab_size=49408, max_position_embeddings=77))),
    tokenizer=dict(_delete_=True, type="PretrainedTokenizer", path="checkpoints/xclip-base-patch32", max_length=32,
                   key="model.tokenizer.path"),
)
