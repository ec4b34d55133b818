# CLIP + DETR at paper scale: MMDetection's DETR-R50 (100 queries, 6+6 layers of width 256; COCO weights) as a
# frozen object-query extractor, with clip_sam's CLIP ViT-B/32 parts.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["./clip_sam.py"]
meta = dict(display_name="CLIP+DETR", group="SF", paper="Radford et al., ICML 2021 + Carion et al., ECCV 2020")
layer = dict(self_attn_cfg=dict(embed_dims=256, num_heads=8, dropout=0.1, batch_first=True),
             ffn_cfg=dict(embed_dims=256, feedforward_channels=2048, num_fcs=2, ffn_drop=0.1,
                          act_cfg=dict(type="ReLU", inplace=True)))
model = dict(
    head={{_base_.paper_head}},
    visual=dict(_delete_=True, type="DETRQueries", pretrained="checkpoints/detr_r50_coco.pth", detector=dict(
        type="DETR", _scope_="mmdet",  # nested types (ResNet, DETRHead, ...) resolve in mmdet
        num_queries=100,
        data_preprocessor=dict(type="mmdet.DetDataPreprocessor"),
        backbone=dict(type="ResNet", depth=50, num_stages=4, out_indices=(3,), frozen_stages=1,
                      norm_cfg=dict(type="BN", requires_grad=False), norm_eval=True, style="pytorch", init_cfg=None),
        neck=dict(type="ChannelMapper", in_channels=[2048], kernel_size=1, out_channels=256, act_cfg=None,
                  norm_cfg=None, num_outs=1),
        encoder=dict(num_layers=6, layer_cfg=layer),
        decoder=dict(num_layers=6, return_intermediate=True, layer_cfg=dict(
            **layer, cross_attn_cfg=dict(embed_dims=256, num_heads=8, dropout=0.1, batch_first=True))),
        positional_encoding=dict(num_feats=128, normalize=True),
        bbox_head=dict(type="DETRHead", num_classes=80, embed_dims=256,
                       # explicit: DETRHead edits its default loss_cls dict in place (an mmdet quirk)
                       loss_cls=dict(type="CrossEntropyLoss", bg_cls_weight=0.1, use_sigmoid=False,
                                     loss_weight=1.0, class_weight=1.0)))),
)
# DETR reads the key frame as MMDetection's test pipeline resizes a 16:9 AVA frame (1333 x 750).
keyframe_size = (750, 1333)
