# CLIP + RefCLIP adapted to RAVAR as a single-frame baseline (paper Sec. 3.2): RefCLIP's anchor-text matching on
# the key frame; the anchors are the cells of a one-stage detector's last feature map (RefCLIP uses YOLOv3's
# DarkNet-53), scored by the CLIP reference embedding; the best-matching anchors, CLIP's global key-frame
# embedding and the reference feed the heads. CPU scale: an MMDetection ResNet-18 of 16 base channels.
_base_ = ["./clip_sam.py"]
meta = dict(display_name="CLIP+RefCLIP", group="SF", paper="Radford et al., ICML 2021 + Jin et al., CVPR 2023",
            tables=["main"])
model = dict(
    visual=dict(_delete_=True, type="FrameBackbone", source="keyframe", out_dim=128,
                backbone=dict(type="mmdet.ResNet", depth=18, base_channels=16, num_stages=4, out_indices=(3,),
                              norm_cfg=dict(type="BN"), init_cfg=None)),
)
# Learning rate: the schedule's 5e-4 won the protocol's val search on RefAVA-Synth v2 with the protocol head
# and convolutional stem (val mAP 14.5 against 13.4 at 2e-3).
