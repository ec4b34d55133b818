# MeVTR at paper scale: CLIP ViT-B/32 towers and a 4-layer temporal transformer of width 512, all fine-tuned
# (Table 9: 164M).
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
# transformers models load from local directories (a CLIPModel directory serves its vision and text towers).
# The paper-scale CLIP towers are CLIP4Clip's; MeVTR adds its temporal transformer and key-event pooling.
_base_ = ["./clip4clip.py"]
meta = dict(display_name="MeVTR", group="VTR", paper="Zhang et al., CVPR 2023")
model = dict(fusion=dict(temporal_layers=4, num_heads=8, pool="text"))
