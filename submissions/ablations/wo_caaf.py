# Table 3: no cross-stream agent attention fusion.
# Same model class as submissions/refatomnet.py, one option changed.
_base_ = ["../refatomnet.py"]
meta = dict(display_name="RefAtomNet w/o CAAF", group="Ablation", paper="Peng et al., ECCV 2024, Table 3",
            tables=["ablation_modules"])
model = dict(use_caaf=False)
