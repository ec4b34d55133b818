# X3D (Feichtenhofer, CVPR 2020) adapted to RAVAR as an AAL baseline (paper Sec. 3.2): MMAction2 X3D over the
# clip; the BERT reference embedding is added to the pooled feature. CPU scale: X3D at half width, bottleneck
# and depth and a 2-layer BERT, random init. submissions/paper/x3d.py: X3D-M.
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py"]
scale = "cpu"
meta = dict(display_name="X3D", group="AAL", paper="Feichtenhofer, CVPR 2020")
vocab_size = 4096
model = dict(
    type="ReferringBaseline",
    visual=dict(type="VideoBackbone", out_dim=64,
                backbone=dict(type="mmaction.X3D", gamma_w=0.5, gamma_b=0.5, gamma_d=0.5)),
    text=dict(type="TextEncoder", model=dict(type="TransformersModel", config_class="BertConfig",
                                             model_class="BertModel", hidden_size=128, intermediate_size=512,
                                             num_hidden_layers=2, num_attention_heads=4, vocab_size=vocab_size,
                                             max_position_embeddings=64)),
    fusion=dict(type="AdditiveFusion", dim=256),
    tokenizer=dict(type="HashingTokenizer", vocab_size=vocab_size, max_length=32),
)
