# MViTv2-B at paper scale: MMAction2's MViT "base" (16 x 224^2, Kinetics-400 weights) and a frozen BERT-base; the
# trainable parameters (Table 9: 71M) are the backbone, the text projection and the heads.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../mvitv2_b.py"]
scale = "paper"
model = dict(
    visual=dict(_delete_=True, type="VideoBackbone", out_dim=768, pretrained="checkpoints/mvitv2_b_k400.pth",
                backbone=dict(type="mmaction.MViT", arch="base", spatial_size=224, temporal_size=16)),
    text=dict(type="TextEncoder", pretrained="checkpoints/bert-base-uncased",
              model=dict(type="TransformersModel", config_class="BertConfig", model_class="BertModel", hidden_size=768,
                         intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12, vocab_size=30522,
                         max_position_embeddings=512)),
    tokenizer=dict(_delete_=True, type="PretrainedTokenizer", path="checkpoints/bert-base-uncased", max_length=32,
                   key="model.tokenizer.path"),
    frozen_modules=("text",),
)
