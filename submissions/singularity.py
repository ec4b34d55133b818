# Singularity (Lei et al., 2022) adapted to RAVAR as a VQA baseline (paper Sec. 3.2): a single frame (the key
# frame) through a ViT, the reference posed as a question through BERT, and a fusion encoder whose text tokens
# cross-attend to the frame's patch tokens. CPU scale: 2-layer ViT/BERT and 1 fusion layer of width 128, random
# init. submissions/paper/singularity.py: ViT-B/16 + BERT-base (9 text + 3 fusion layers).
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py",
          "./_base_/models/referring_bert.py"]
scale = "cpu"
meta = dict(display_name="Singularity", group="VQA", paper="Lei et al., arXiv 2206.03428",
            tables=["main"])
model = dict(
    head={{_base_.cpu_head}},
    conv_stem={{_base_.cpu_stem}},
    prompt="What is {} doing?",
    visual=dict(type="FrameBackbone", source="keyframe", image_size=64, output="last_hidden_state", out_dim=128,
                backbone=dict(type="TransformersModel", config_class="ViTConfig", model_class="ViTModel",
                              hidden_size=128, intermediate_size=512, num_hidden_layers=2, num_attention_heads=4,
                              image_size=64, patch_size=16)),
    fusion=dict(type="CrossAttentionFusion", num_layers=1, num_heads=4),
)
# Learning rate: the schedule's 5e-4 won the protocol's val search on RefAVA-Synth v2 with the protocol head
# and convolutional stem (val mAP 13.8 against 12.7 at 2e-3).
