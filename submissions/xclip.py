# X-CLIP (Ni et al., ECCV 2022) adapted to RAVAR as a VTR baseline (paper Sec. 3.2): transformers' XCLIPModel
# (cross-frame communication ViT, multi-frame integration transformer, video-specific text prompting); the video
# embedding and the reference's embedding prompted by that video form [v, t, v*t] for the heads. CPU scale:
# 2-layer towers of width 128, random init. submissions/paper/xclip.py: X-CLIP ViT-B/32 (8 frames).
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py"]
scale = "cpu"
meta = dict(display_name="X-CLIP", group="VTR", paper="Ni et al., ECCV 2022",
            tables=["main"])
vocab_size = 4096
model = dict(
    head={{_base_.cpu_head}},
    conv_stem={{_base_.cpu_stem}},
    type="ReferringBaseline",
    fusion=dict(type="XCLIPFusion", xclip=dict(
        type="TransformersModel", config_class="XCLIPConfig", model_class="XCLIPModel", projection_dim=128,
        prompt_layers=1, prompt_attention_heads=4, mit_hidden_size=128, mit_intermediate_size=512,
        mit_num_hidden_layers=1, mit_num_attention_heads=4,
        vision_config=dict(hidden_size=128, intermediate_size=512, num_hidden_layers=2, num_attention_heads=4,
                           image_size=64, patch_size=16, num_frames=8, mit_hidden_size=128,
                           mit_intermediate_size=512, mit_num_hidden_layers=1, mit_num_attention_heads=4),
        text_config=dict(hidden_size=128, intermediate_size=512, num_hidden_layers=2, num_attention_heads=4,
                         vocab_size=vocab_size, max_position_embeddings=64, pad_token_id=0, bos_token_id=1,
                         eos_token_id=2))),
    tokenizer=dict(type="HashingTokenizer", vocab_size=vocab_size, max_length=32),
)
# Learning rate: the schedule's 5e-4 won the protocol's val search on RefAVA-Synth v2 with the protocol head
# and convolutional stem (val mAP 12.5 against 10.6 at 2e-3).
