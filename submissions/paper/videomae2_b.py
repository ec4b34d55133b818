# VideoMAE V2-B at paper scale: MMAction2's VisionTransformer ViT-B/16 (16 frames, tubelet 2, mean pooling;
# Kinetics-400 fine-tuned weights) and a frozen BERT-base; the trainable parameters (Table 9: 87M) are the
# backbone, the text projection and the heads.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../videomae2_b.py", "../_base_/models/paper_bert.py"]
scale = "paper"
model = dict(
    visual=dict(_delete_=True, type="VideoBackbone", out_dim=768, pretrained="checkpoints/videomaev2_b_k400.pth",
                backbone=dict(type="mmaction.VisionTransformer", img_size=224, patch_size=16, embed_dims=768,
                              depth=12, num_heads=12, mlp_ratio=4, qkv_bias=True, num_frames=16, tubelet_size=2,
                              norm_cfg=dict(type="LN", eps=1e-6))),
    text={{_base_.paper_bert_text}},
    tokenizer={{_base_.paper_bert_tokenizer}},
    frozen_modules=("text",),
)
