# MeVTR at paper scale: CLIP ViT-B/32 towers and a 4-layer temporal transformer of width 512, all fine-tuned
# (Table 9: 164M).
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
# transformers models load from local directories (a CLIPModel directory serves its vision and text towers).
_base_ = ["../mevtr.py"]
scale = "paper"
model = dict(
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
    fusion=dict(dim=512, temporal_layers=4, num_heads=8),
    tokenizer=dict(_delete_=True, type="PretrainedTokenizer", path="checkpoints/clip-vit-base-patch32", max_length=32,
                   key="model.tokenizer.path"),
)
