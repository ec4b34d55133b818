# MViTv2-B at paper scale: MMAction2's MViT "base" (16 x 224^2, Kinetics-400 weights) and a frozen BERT-base; the
# trainable parameters (Table 9: 71M) are the backbone, the text projection and the heads.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../mvitv2_b.py", "../_base_/models/paper_bert.py"]
scale = "paper"
model = dict(
    visual=dict(_delete_=True, type="VideoBackbone", out_dim=768, pretrained="checkpoints/mvitv2_b_k400.pth",
                backbone=dict(type="mmaction.MViT", arch="base", spatial_size=224, temporal_size=16)),
    text={{_base_.paper_bert_text}},
    tokenizer={{_base_.paper_bert_tokenizer}},
    frozen_modules=("text",),
)
