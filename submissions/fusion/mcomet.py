# Table 3 (fusion): McOmet-style cross-stream attention (simplified, see docs/MODELS.md).
# Same model class as submissions/refatomnet.py, one option changed.
_base_ = ["../refatomnet.py"]
meta = dict(display_name="Fusion: McOmet", group="Fusion", paper="Peng et al., ECCV 2024, Table 3",
            tables=["ablation_fusion"])
model = dict(fusion='mcomet')
