# Table 3 (fusion): attention bottleneck tokens (Nagrani et al., 2021).
# Same model class as submissions/refatomnet.py, one option changed.
_base_ = ["../refatomnet.py"]
meta = dict(display_name="Fusion: AttentionBottleneck", group="Fusion", paper="Peng et al., ECCV 2024, Table 3",
            tables=["ablation_fusion"])
model = dict(fusion='attention_bottleneck')
