# Hiera-B at paper scale: timm's hiera_base_224 on every frame (local timm weights) and a frozen BERT-base; the
# trainable parameters (Table 9: 52M) are the backbone, the text projection and the heads.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../hiera_b.py"]
scale = "paper"
model = dict(
    visual=dict(_delete_=True, type="FrameBackbone", out_dim=768, image_size=224,
                pretrained="checkpoints/hiera_base_224.safetensors",
                backbone=dict(type="TimmModel", model_name="hiera_base_224", num_classes=0)),
    text=dict(type="TextEncoder", pretrained="checkpoints/bert-base-uncased",
              model=dict(type="TransformersModel", config_class="BertConfig", model_class="BertModel", hidden_size=768,
                         intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12, vocab_size=30522,
                         max_position_embeddings=512)),
    tokenizer=dict(_delete_=True, type="PretrainedTokenizer", path="checkpoints/bert-base-uncased", max_length=32,
                   key="model.tokenizer.path"),
    frozen_modules=("text",),
)
