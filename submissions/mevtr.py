# MeVTR (Zhang et al., CVPR 2023) adapted to RAVAR as a VTR baseline (paper Sec. 3.2): CLIP image embeddings of
# every frame through a temporal transformer (CLIP4Clip's seqTransf, which MeVTR builds on), pooled by their
# similarity to the reference (key-event pooling), the reference through CLIP's text tower; [v, t, v*t] feeds
# the heads. CPU scale: 2-layer CLIP towers of width 128, 1 temporal layer, random init. Paper: CLIP ViT-B/32.
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py"]
scale = "cpu"
meta = dict(display_name="MeVTR", group="VTR", paper="Zhang et al., CVPR 2023")
vocab_size = 4096
model = dict(
    type="ReferringBaseline",
    visual=dict(type="FrameBackbone", image_size=64, output="image_embeds", out_dim=128,
                backbone=dict(type="TransformersModel", config_class="CLIPVisionConfig",
                              model_class="CLIPVisionModelWithProjection", hidden_size=128, intermediate_size=512,
                              num_hidden_layers=2, num_attention_heads=4, image_size=64, patch_size=16,
                              projection_dim=128)),
    text=dict(type="TextEncoder", model=dict(type="TransformersModel", config_class="CLIPTextConfig",
                                             model_class="CLIPTextModel", hidden_size=128, intermediate_size=512,
                                             num_hidden_layers=2, num_attention_heads=4, vocab_size=vocab_size,
                                             max_position_embeddings=64, pad_token_id=0,
                                             bos_token_id=1, eos_token_id=2)),
    fusion=dict(type="RetrievalFusion", dim=128, temporal_layers=1, num_heads=4, pool="text"),
    tokenizer=dict(type="HashingTokenizer", vocab_size=vocab_size, max_length=32),
)
