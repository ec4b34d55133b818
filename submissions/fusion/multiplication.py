# Table 3 (fusion): late fusion by element-wise product.
# Same model class as submissions/refatomnet.py, one option changed.
_base_ = ["../refatomnet.py"]
meta = dict(display_name="Fusion: multiplication", group="Fusion", paper="Peng et al., ECCV 2024, Table 3",
            tables=["ablation_fusion"])
model = dict(fusion='multiplication')
