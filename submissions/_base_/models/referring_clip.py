# The reference encoder the CLIP-based baselines share at CPU scale: CLIP's text tower, 2 layers of width 128,
# over hashed word ids (nothing to download). Each baseline adds its visual encoder and fusion.
vocab_size = 4096
model = dict(
    type="ReferringBaseline",
    text=dict(type="TextEncoder", model=dict(type="TransformersModel", config_class="CLIPTextConfig",
                                             model_class="CLIPTextModel", hidden_size=128, intermediate_size=512,
                                             num_hidden_layers=2, num_attention_heads=4, vocab_size=vocab_size,
                                             max_position_embeddings=64, pad_token_id=0,
                                             bos_token_id=1, eos_token_id=2)),
    tokenizer=dict(type="HashingTokenizer", vocab_size=vocab_size, max_length=32),
)
