# CLIP + RefCLIP at paper scale: the anchors are the cells of YOLOv3's DarkNet-53 last feature map (MMDetection
# Darknet, 1024 channels; RefCLIP's detector weights), frozen, with clip_sam's CLIP ViT-B/32 parts.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["./clip_sam.py"]
meta = dict(display_name="CLIP+RefCLIP", group="SF", paper="Radford et al., ICML 2021 + Jin et al., CVPR 2023")
model = dict(
    head={{_base_.paper_head}},
    visual=dict(_delete_=True, type="FrameBackbone", source="keyframe", image_size=416, out_dim=1024,
                # an MMDetection YOLOv3 checkpoint: the Darknet weights are its "backbone." entries
                pretrained="checkpoints/refclip_yolov3_darknet53.pth", pretrained_prefix="backbone.",
                backbone=dict(type="mmdet.Darknet", depth=53, out_indices=(5,), init_cfg=None)),
)
# YOLOv3 / RefCLIP read the key frame at 416 px.
keyframe_size = (416, 416)
