# RefAtomNet (Peng et al., ECCV 2024) at CPU scale: trains on RefAVA-Synth on 2 CPU cores in minutes.
# submissions/paper/refatomnet.py swaps in the paper's encoders; the model code is the same.
_base_ = [
    "./_base_/default_runtime.py",
    "./_base_/datasets/refava.py",
    "./_base_/schedules/cpu.py",
    "./_base_/models/refatomnet.py",
]
scale = "cpu"
# Shown on leaderboards; `group` places the row in the paper's Table 2 layout, `tables` names the tables it is in.
meta = dict(display_name="RefAtomNet", group="Ours", paper="Peng et al., ECCV 2024",
            tables=["main", "ablation_modules", "ablation_fusion"])
# The clips are resized to 64 px in the data pipeline (clip_size); the ViT sees the same size.
model = dict(vision=dict(image_size=64))
