# RefAtomNet at paper scale: BLIP-2 ViT-g/14 (224 px, frozen) + Q-Former with its BERT text path, BERT-base
# for detector category names (frozen), 100 DETR-R50 detections read from the detections file.
# Weights come only from local directories (nothing is downloaded); building fails naming a missing one.
_base_ = ["../_base_/default_runtime.py", "../_base_/datasets/refava.py", "../_base_/models/refatomnet.py",
          "../_base_/schedules/paper.py"]
scale = "paper"
meta = dict(display_name="RefAtomNet", group="Ours", paper="Peng et al., ECCV 2024",
            tables=["main", "ablation_modules", "ablation_fusion"])
# Inputs: 8 frames at 224 px, as the release feeds BLIP-2. The top-level values reach every loader's pipeline.
num_frames = 8
clip_size = (224, 224)
keyframe_size = (224, 224)
# The paper's schedule (submissions/_base_/schedules/paper.py); precision "auto" = bf16 on a GPU, fp32 on CPU.
precision = "auto"
optim_wrapper = {{_base_.paper_optim_wrapper}}
param_scheduler = {{_base_.paper_param_scheduler}}
train_cfg = {{_base_.paper_train_cfg}}
val_cfg = dict(type="ValLoop")
test_cfg = dict(type="TestLoop")
train_dataloader = dict(batch_size={{_base_.paper_batch_size}})
val_dataloader = dict(batch_size={{_base_.paper_batch_size}})
test_dataloader = dict(batch_size={{_base_.paper_batch_size}})

# transformers `Blip2ForImageTextRetrieval` format (e.g. a local copy of Salesforce/blip2-itm-vit-g,
# tokenizer files included) and a BERT-base-uncased directory.
pretrained_blip2 = "checkpoints/blip2-itm-vit-g"
pretrained_bert = "checkpoints/bert-base-uncased"

model = dict(
    head={{_base_.paper_head}},
    # EVA ViT-g/14 as in transformers' Blip2VisionConfig defaults.
    vision=dict(_delete_=True, hidden_size=1408, intermediate_size=6144, num_hidden_layers=39, num_attention_heads=16,
                image_size=224, patch_size=14, layer_norm_eps=1e-6, qkv_bias=True),
    # Q-Former = BERT-base with cross-attention every 2nd layer; vocab 30522 + the [DEC] token.
    qformer=dict(_delete_=True, hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                 cross_attention_frequency=2, vocab_size=30523, max_position_embeddings=512),
    num_query_tokens=32,
    name_encoder=dict(_delete_=True, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                      num_attention_heads=12, vocab_size=30522, max_position_embeddings=512),
    tokenizer=dict(_delete_=True, type="PretrainedTokenizer", path=pretrained_blip2, max_length=32,
                   key="model.tokenizer.path"),
    name_tokenizer=dict(_delete_=True, type="PretrainedTokenizer", path=pretrained_bert, max_length=8,
                        key="model.name_tokenizer.path"),
    max_detections=100,  # DETR's 100 queries
    det_score_thr=0.7,  # "detections ... with a high confidence score" (the DETR demo threshold)
    pretrained_blip2=pretrained_blip2,
    pretrained_bert=pretrained_bert,
    frozen_modules=("blip2.vision_model", "name_encoder"),
)
