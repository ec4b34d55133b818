# RefAtomNet at CPU scale: tiny BLIP-2-style encoders built from config objects (random init, all trainable).
# The paper-scale variant (submissions/paper/refatomnet.py) inherits this file and swaps the encoders.
vocab_size = 4096  # hashing-tokenizer buckets = Q-Former / name-BERT word-embedding rows
text_length = 32  # reference tokens (incl. [CLS]) kept per sample
model = dict(
    type="RefAtomNet",
    data_preprocessor=dict(type="RAVARDataPreprocessor"),  # CLIP/BLIP-2 mean and std on 0..255
    # ViT over each frame (Eq. 1): 2 layers, width 128, patch 16 at 112 px -> 49 patch tokens + [CLS].
    vision=dict(hidden_size=128, intermediate_size=512, num_hidden_layers=2, num_attention_heads=4,
                image_size=112, patch_size=16, initializer_range=0.02),
    # Q-Former: 1 layer with cross-attention to the patches; its text path encodes the reference.
    qformer=dict(hidden_size=128, intermediate_size=512, num_hidden_layers=1, num_attention_heads=4,
                 cross_attention_frequency=1, vocab_size=vocab_size, max_position_embeddings=64),
    num_query_tokens=32,
    # BERT for detector category names (Eq. 3).
    name_encoder=dict(hidden_size=128, intermediate_size=512, num_hidden_layers=2, num_attention_heads=4,
                      vocab_size=vocab_size, max_position_embeddings=16),
    tokenizer=dict(type="HashingTokenizer", vocab_size=vocab_size, max_length=text_length),
    name_tokenizer=dict(type="HashingTokenizer", vocab_size=vocab_size, max_length=8),
    max_detections=16,
    det_score_thr=0.0,
    num_agents=4,
    num_heads=1,
    mlp_ratio=4.0,
    fusion="alsaf",
    use_caaf=True,
    use_catf=True,
    use_location_stream=True,
    head=dict(type="RAVARHead", num_classes=80, cls_hidden=(512, 256), box_hidden=(512, 128), dropout=0.2),
    loss_cls_weight=5.0,
    loss_box_weight=1.0,
    frozen_modules=(),
)
