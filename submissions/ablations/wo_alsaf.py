# Table 3: the three streams fused by addition, no agent-based fusion.
# Same model class as submissions/refatomnet.py, one option changed.
_base_ = ["../refatomnet.py"]
meta = dict(display_name="RefAtomNet w/o ALSAF", group="Ablation", paper="Peng et al., ECCV 2024, Table 3",
            tables=["ablation_modules"])
model = dict(fusion='addition')
