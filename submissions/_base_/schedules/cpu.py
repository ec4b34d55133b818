# The CPU-scale schedule, the same for every CPU submission (docs/LEADERBOARDS.md, "The CPU training
# protocol"): AdamW with the release's BertAdam-style settings (beta2 0.98, weight decay 0.2, none on
# biases and norms, grad-norm clip 1.0), one epoch of linear warm-up then cosine decay. 3 epochs of
# RefAVA-Synth v2's 5,002 training clips keep the headline command within 10 minutes on 2 cores; a
# submission may set its learning rate from the protocol's val search.
# Every CPU submission's heads (model.head={{_base_.cpu_head}}): the shared RAVAR head with a linear classifier
# beside its class MLP, which learns the actions within this budget where the MLP alone is slow (docs/MODELS.md).
cpu_head = dict(type="RAVARHead", linear_skip=True)
# Every CPU submission with a vision transformer (model.conv_stem={{_base_.cpu_stem}}): a convolutional stem in place
# of its patchify projection, without which a from-scratch ViT does not learn within this budget (docs/MODELS.md).
cpu_stem = dict(convs_per_stage=2)
max_epochs = 3
optim_wrapper = dict(
    type="OptimWrapper",
    optimizer=dict(type="AdamW", lr=5e-4, betas=(0.9, 0.98), weight_decay=0.2),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(max_norm=1.0),
)
param_scheduler = [
    dict(type="LinearLR", start_factor=0.1, by_epoch=True, begin=0, end=1, convert_to_iter_based=True),
    dict(type="CosineAnnealingLR", by_epoch=True, begin=1, end=max_epochs, eta_min_ratio=0.01,
         convert_to_iter_based=True),
]
train_cfg = dict(type="EpochBasedTrainLoop", max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type="ValLoop")
test_cfg = dict(type="TestLoop")
