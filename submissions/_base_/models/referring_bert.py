# The reference encoder the AAL, VQA (Singularity) and VOS baselines share at CPU scale: a 2-layer BERT of
# width 128 over hashed word ids (nothing to download). Each baseline adds its visual encoder and fusion.
vocab_size = 4096
model = dict(
    type="ReferringBaseline",
    text=dict(type="TextEncoder", model=dict(type="TransformersModel", config_class="BertConfig",
                                             model_class="BertModel", hidden_size=128, intermediate_size=512,
                                             num_hidden_layers=2, num_attention_heads=4, vocab_size=vocab_size,
                                             max_position_embeddings=64)),
    tokenizer=dict(type="HashingTokenizer", vocab_size=vocab_size, max_length=32),
)
