# MeVTR (Zhang et al., CVPR 2023) adapted to RAVAR as a VTR baseline (paper Sec. 3.2): CLIP image embeddings of
# every frame through a temporal transformer (CLIP4Clip's seqTransf, which MeVTR builds on), pooled by their
# similarity to the reference (key-event pooling), the reference through CLIP's text tower; [v, t, v*t] feeds
# the heads. CPU scale: 2-layer CLIP towers of width 128, 1 temporal layer, random init. Paper: CLIP ViT-B/32.
_base_ = ["./clip4clip.py"]
meta = dict(display_name="MeVTR", group="VTR", paper="Zhang et al., CVPR 2023",
            tables=["main"])
model = dict(fusion=dict(temporal_layers=1, num_heads=4, pool="text"))
# Learning rate: the schedule's 5e-4 won the protocol's val search on RefAVA-Synth v2 with the protocol head
# and convolutional stem (val mAP 19.3 against 18.0 at 2e-3).
