# The paper-scale schedule (Sec. 5.1 and the authors' release): BertAdam-style AdamW (beta2 0.98, weight
# decay 0.2, none on biases and norms, grad-norm clip 1.0), lr 1e-4, batch 8, 40 epochs, linear warm-up
# over the first 10% of training (BertAdam's default warm-up ratio) then cosine decay. Paper configs take
# the entries with {{_base_.paper_...}} (MMEngine forbids the same key in two bases); `precision = "auto"`
# trains with bf16 autocast (MMEngine's AmpOptimWrapper) on a GPU and in fp32 on CPU (docs/REPRODUCING.md).
paper_max_epochs = 40
# The paper's heads (model.head={{_base_.paper_head}}): the class and box MLPs alone, without the CPU protocol's
# linear path (schedules/cpu.py), which the paper configs would otherwise inherit from the CPU ones.
paper_head = dict(type="RAVARHead", linear_skip=False)
paper_batch_size = 8
paper_optim_wrapper = dict(
    type="OptimWrapper",
    optimizer=dict(type="AdamW", lr=1e-4, betas=(0.9, 0.98), weight_decay=0.2),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(max_norm=1.0),
)
paper_param_scheduler = [
    dict(type="LinearLR", start_factor=0.01, by_epoch=True, begin=0, end=4, convert_to_iter_based=True),
    dict(type="CosineAnnealingLR", by_epoch=True, begin=4, end=paper_max_epochs, eta_min_ratio=0.01,
         convert_to_iter_based=True),
]
paper_train_cfg = dict(type="EpochBasedTrainLoop", max_epochs=paper_max_epochs, val_interval=1)
