# Table 3 (fusion): late fusion by addition. The paper lists this row twice (as "w/o ALSAF" in the
# ablations): it is the same model, so this file inherits that one and changes only its label.
_base_ = ["../ablations/wo_alsaf.py"]
meta = dict(display_name="Fusion: addition", group="Fusion", paper="Peng et al., ECCV 2024, Table 3",
            tables=["ablation_fusion"])
