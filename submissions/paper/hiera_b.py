# Hiera-B at paper scale: timm's hiera_base_224 on every frame (local timm weights) and a frozen BERT-base; the
# trainable parameters (Table 9: 52M) are the backbone, the text projection and the heads.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../hiera_b.py", "../_base_/models/paper_bert.py"]
scale = "paper"
model = dict(
    visual=dict(_delete_=True, type="FrameBackbone", out_dim=768, image_size=224,
                pretrained="checkpoints/hiera_base_224.safetensors",
                backbone=dict(type="TimmModel", model_name="hiera_base_224", num_classes=0)),
    text={{_base_.paper_bert_text}},
    tokenizer={{_base_.paper_bert_tokenizer}},
    frozen_modules=("text",),
)
