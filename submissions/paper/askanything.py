# AskAnything (VideoChat) at paper scale: BLIP-2 ViT-g/14 and Q-Former (32 queries per frame), the VideoChat
# projection and a LLaMA-13B-sized LLM, all frozen. Only the adapter (LLM width -> 72) and the heads train:
# 0.66M parameters, as in Table 9 (the paper does not say which parts trained; this split matches its count).
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../askanything.py", "../_base_/schedules/paper.py"]
scale = "paper"
# Inputs: 8 frames at 224 px, VideoChat's setting. The top-level values reach every loader's pipeline.
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
        _delete_=True, type="LLMFusion", dim=72, num_query_tokens=32,
        pretrained_blip2="checkpoints/blip2-itm-vit-g", pretrained_llm="checkpoints/videochat-13b/llm",
        vision=dict(hidden_size=1408, intermediate_size=6144, num_hidden_layers=39, num_attention_heads=16,
                    image_size=224, patch_size=14, layer_norm_eps=1e-6, qkv_bias=True),
        qformer=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                     cross_attention_frequency=2, vocab_size=30523, max_position_embeddings=512),
        llm=dict(type="TransformersModel", config_class="LlamaConfig", model_class="LlamaModel", hidden_size=5120,
                 intermediate_size=13824, num_hidden_layers=40, num_attention_heads=40, num_key_value_heads=40,
                 vocab_size=32000, max_position_embeddings=2048,
                 dtype="bfloat16")),  # frozen: held in bf16 (26 GB, not 52), loaded once from the directory
    tokenizer=dict(_delete_=True, type="PretrainedTokenizer", path="checkpoints/videochat-13b/llm", max_length=32,
                   key="model.tokenizer.path"),
    frozen_modules=("fusion.blip2", "fusion.proj", "fusion.llm"),
)
