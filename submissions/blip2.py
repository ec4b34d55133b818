# BLIP-2 (Li et al., ICML 2023) adapted to RAVAR as a VTR baseline (paper Sec. 3.2): per-frame ViT + Q-Former
# query tokens averaged over frames, the reference through the Q-Former's text path; the query that best matches
# the reference's [CLS] (BLIP-2's image-text contrastive max) and the reference form [v, t, v*t] for the heads.
# CPU scale: the tiny encoders of RefAtomNet's CPU config. submissions/paper/blip2.py: ViT-g (frozen) + Q-Former.
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py"]
scale = "cpu"
meta = dict(display_name="BLIPv2", group="VTR", paper="Li et al., ICML 2023",
            tables=["main"])
vocab_size = 4096
model = dict(
    head={{_base_.cpu_head}},
    conv_stem={{_base_.cpu_stem}},
    type="ReferringBaseline",
    fusion=dict(type="BLIP2Fusion", num_query_tokens=32,
                vision=dict(hidden_size=128, intermediate_size=512, num_hidden_layers=2, num_attention_heads=4,
                            image_size=64, patch_size=16, initializer_range=0.02),
                qformer=dict(hidden_size=128, intermediate_size=512, num_hidden_layers=1, num_attention_heads=4,
                             cross_attention_frequency=1, vocab_size=vocab_size, max_position_embeddings=64)),
    tokenizer=dict(type="HashingTokenizer", vocab_size=vocab_size, max_length=32),
)
# Learning rate: the schedule's 5e-4 won the protocol's val search on RefAVA-Synth v2 with the protocol head
# and convolutional stem (val mAP 14.4 against 12.8 at 2e-3).
