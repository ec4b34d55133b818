# BLIP-2 at paper scale: EVA ViT-g/14 (frozen) and the Q-Former with its BERT text path (fine-tuned), from a
# local Blip2ForImageTextRetrieval copy (Table 9: 187M trainable).
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../blip2.py", "../_base_/schedules/paper.py"]
scale = "paper"
# Inputs: 8 frames at 224 px, as RefAtomNet's BLIP-2. The top-level values reach every loader's pipeline.
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
    fusion=dict(
        _delete_=True, type="BLIP2Fusion", num_query_tokens=32, pretrained="checkpoints/blip2-itm-vit-g",
        vision=dict(hidden_size=1408, intermediate_size=6144, num_hidden_layers=39, num_attention_heads=16,
                    image_size=224, patch_size=14, layer_norm_eps=1e-6, qkv_bias=True),
        qformer=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                     cross_attention_frequency=2, vocab_size=30523, max_position_embeddings=512)),
    tokenizer=dict(_delete_=True, type="PretrainedTokenizer", path="checkpoints/blip2-itm-vit-g", max_length=32,
                   key="model.tokenizer.path"),
    frozen_modules=("fusion.blip2.vision_model",),
)
