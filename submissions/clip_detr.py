# CLIP + DETR adapted to RAVAR as a single-frame baseline (paper Sec. 3.2): an MMDetection DETR on the key frame;
# its decoder's object queries with their predicted boxes are scored by the CLIP reference embedding; the
# best-matching objects, CLIP's global key-frame embedding and the reference feed the heads. CPU scale: DETR with
# a ResNet-18 of 16 base channels and 1+1 transformer layers of width 64. Paper scale: DETR-R50 + CLIP ViT-B/32.
_base_ = ["./clip_sam.py"]
meta = dict(display_name="CLIP+DETR", group="SF", paper="Radford et al., ICML 2021 + Carion et al., ECCV 2020",
            tables=["main"])
detr_dim = 64
model = dict(
    visual=dict(_delete_=True, type="DETRQueries", detector=dict(
        type="DETR", _scope_="mmdet",  # nested types (ResNet, DETRHead, ...) resolve in mmdet
        num_queries=20,
        data_preprocessor=dict(type="mmdet.DetDataPreprocessor"),
        backbone=dict(type="ResNet", depth=18, base_channels=16, num_stages=4, out_indices=(3,),
                      norm_cfg=dict(type="BN"), init_cfg=None),
        neck=dict(type="ChannelMapper", in_channels=[128], kernel_size=1, out_channels=detr_dim, num_outs=1),
        encoder=dict(num_layers=1, layer_cfg=dict(
            self_attn_cfg=dict(embed_dims=detr_dim, num_heads=4, batch_first=True),
            ffn_cfg=dict(embed_dims=detr_dim, feedforward_channels=4 * detr_dim))),
        decoder=dict(num_layers=1, return_intermediate=True, layer_cfg=dict(
            self_attn_cfg=dict(embed_dims=detr_dim, num_heads=4, batch_first=True),
            cross_attn_cfg=dict(embed_dims=detr_dim, num_heads=4, batch_first=True),
            ffn_cfg=dict(embed_dims=detr_dim, feedforward_channels=4 * detr_dim))),
        positional_encoding=dict(num_feats=detr_dim // 2, normalize=True),
        bbox_head=dict(type="DETRHead", num_classes=80, embed_dims=detr_dim,
                       # explicit: DETRHead edits its default loss_cls dict in place (an mmdet quirk)
                       loss_cls=dict(type="CrossEntropyLoss", bg_cls_weight=0.1, use_sigmoid=False,
                                     loss_weight=1.0, class_weight=1.0)))),
    # Only the decoder queries and their boxes are used: DETR's class logits layer gets no gradient.
    frozen_modules=("visual.detector.bbox_head.fc_cls",),
)
# Learning rate: the schedule's 5e-4 won the protocol's val search on RefAVA-Synth v2 with the protocol head
# and convolutional stem (val mAP 13.3 against 10.9 at 2e-3).
