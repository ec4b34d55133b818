# AskAnything / VideoChat (Li et al., 2023) adapted to RAVAR as a VQA baseline (paper Sec. 3.2): BLIP-2 ViT and
# Q-Former queries of every frame, projected into a LLaMA-style LLM before the reference posed as a question; the
# LLM state at the question's last token feeds a small adapter and the heads. CPU scale: tiny ViT/Q-Former and a
# 2-layer LlamaModel, all trainable. submissions/paper/askanything.py: ViT-g + Q-Former + LLaMA-13B, frozen.
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py"]
scale = "cpu"
meta = dict(display_name="AskAnything", group="VQA", paper="Li et al., arXiv 2305.06355 (VideoChat)",
            tables=["main"])
vocab_size = 4096
model = dict(
    head={{_base_.cpu_head}},
    conv_stem={{_base_.cpu_stem}},
    type="ReferringBaseline",
    prompt="Question: what is {} doing? Answer:",
    fusion=dict(
        type="LLMFusion", dim=128, num_query_tokens=4,
        vision=dict(hidden_size=64, intermediate_size=256, num_hidden_layers=1, num_attention_heads=2,
                    image_size=64, patch_size=16),
        qformer=dict(hidden_size=64, intermediate_size=256, num_hidden_layers=1, num_attention_heads=2,
                     cross_attention_frequency=1, vocab_size=32, max_position_embeddings=8),
        llm=dict(type="TransformersModel", config_class="LlamaConfig", model_class="LlamaModel", hidden_size=128,
                 intermediate_size=344, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
                 vocab_size=vocab_size, max_position_embeddings=128)),
    tokenizer=dict(type="HashingTokenizer", vocab_size=vocab_size, max_length=32),
    # The question goes to the LLM, not to the Q-Former, so the Q-Former's text path (word and position
    # embeddings, the text feed-forward block) gets no gradient: freeze it rather than count it as trained.
    frozen_modules=("fusion.blip2.embeddings.word_embeddings", "fusion.blip2.embeddings.position_embeddings",
                    "fusion.blip2.qformer.encoder.layer.0.intermediate", "fusion.blip2.qformer.encoder.layer.0.output"),
)
# Learning rate: the schedule's 5e-4 won the protocol's val search on RefAVA-Synth v2 with the protocol head
# and convolutional stem (val mAP 12.8 against 10.8 at 2e-3).
