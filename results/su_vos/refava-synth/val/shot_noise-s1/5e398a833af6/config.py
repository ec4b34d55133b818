clip_size = (
    64,
    64,
)
custom_hooks = [
    dict(type='RichProgressHook'),
]
data_root = '/tmp/bench_cache/refava-synth-v1-seed0-default'
default_hooks = dict(
    checkpoint=dict(
        interval=1,
        max_keep_ckpts=1,
        rule='greater',
        save_best='ravar/mAP',
        type='CheckpointHook'),
    logger=dict(interval=20, type='LoggerHook'),
    param_scheduler=dict(type='ParamSchedulerHook'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    timer=dict(type='IterTimerHook'))
default_scope = 'ravar_bench'
env_cfg = dict(
    cudnn_benchmark=False,
    dist_cfg=dict(backend='gloo'),
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
keyframe_size = (
    128,
    128,
)
log_level = 'WARNING'
log_processor = dict(by_epoch=True, type='LogProcessor', window_size=20)
max_epochs = 6
meta = dict(display_name='Su et al.', group='VOS', paper='Su et al., TIP 2023')
model = dict(
    fusion=dict(
        dim=128, num_heads=4, num_layers=2, type='JointSequenceFusion'),
    text=dict(
        model=dict(
            config_class='BertConfig',
            hidden_size=128,
            intermediate_size=512,
            max_position_embeddings=64,
            model_class='BertModel',
            num_attention_heads=4,
            num_hidden_layers=2,
            type='TransformersModel',
            vocab_size=4096),
        type='TextEncoder'),
    tokenizer=dict(max_length=32, type='HashingTokenizer', vocab_size=4096),
    type='ReferringBaseline',
    visual=dict(
        backbone=dict(
            base_channels=16,
            conv1_kernel=(
                1,
                7,
                7,
            ),
            depth=18,
            inflate=(
                (
                    1,
                    1,
                ),
                (
                    1,
                    0,
                ),
                (
                    1,
                    0,
                ),
                (
                    0,
                    1,
                ),
            ),
            pretrained=None,
            pretrained2d=False,
            type='mmaction.ResNet3d'),
        out_dim=128,
        type='VideoBackbone'))
num_frames = 8
optim_wrapper = dict(
    clip_grad=dict(max_norm=1.0),
    optimizer=dict(
        betas=(
            0.9,
            0.98,
        ), lr=0.0005, type='AdamW', weight_decay=0.2),
    paramwise_cfg=dict(bias_decay_mult=0.0, norm_decay_mult=0.0),
    type='OptimWrapper')
param_scheduler = [
    dict(
        begin=0,
        by_epoch=True,
        convert_to_iter_based=True,
        end=1,
        start_factor=0.1,
        type='LinearLR'),
    dict(
        begin=1,
        by_epoch=True,
        convert_to_iter_based=True,
        end=6,
        eta_min_ratio=0.01,
        type='CosineAnnealingLR'),
]
pipeline = [
    dict(num_frames=8, type='SampleClip'),
    dict(type='DecodeFrames'),
    dict(keyframe_size=(
        128,
        128,
    ), size=(
        64,
        64,
    ), type='ResizeClip'),
    dict(type='PackRAVARInputs'),
]
randomness = dict(deterministic=False, seed=0)
scale = 'cpu'
test_cfg = dict(type='TestLoop')
test_dataloader = dict(
    batch_size=16,
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        data_root='/tmp/bench_cache/refava-synth-v1-seed0-default',
        pipeline=[
            dict(num_frames=8, type='SampleClip'),
            dict(type='DecodeFrames'),
            dict(
                name='shot_noise',
                seed=0,
                severity=1,
                type='Perturb',
                version=1),
            dict(
                keyframe_size=(
                    128,
                    128,
                ), size=(
                    64,
                    64,
                ), type='ResizeClip'),
            dict(type='PackRAVARInputs'),
        ],
        split='val',
        text_control=None,
        text_control_seed=0,
        type='RefAVADataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
test_evaluator = dict(seed=0, type='RAVARMetric')
train_cfg = dict(max_epochs=6, type='EpochBasedTrainLoop', val_interval=1)
train_dataloader = dict(
    batch_size=16,
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        data_root='/tmp/bench_cache/refava-synth-v1-seed0-default',
        pipeline=[
            dict(num_frames=8, type='SampleClip'),
            dict(type='DecodeFrames'),
            dict(
                keyframe_size=(
                    128,
                    128,
                ), size=(
                    64,
                    64,
                ), type='ResizeClip'),
            dict(type='PackRAVARInputs'),
        ],
        split='train',
        type='RefAVADataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=True, type='DefaultSampler'))
val_cfg = dict(type='ValLoop')
val_dataloader = dict(
    batch_size=16,
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        data_root='/tmp/bench_cache/refava-synth-v1-seed0-default',
        pipeline=[
            dict(num_frames=8, type='SampleClip'),
            dict(type='DecodeFrames'),
            dict(
                keyframe_size=(
                    128,
                    128,
                ), size=(
                    64,
                    64,
                ), type='ResizeClip'),
            dict(type='PackRAVARInputs'),
        ],
        split='val',
        type='RefAVADataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
val_evaluator = dict(n_bootstrap=0, type='RAVARMetric')
vocab_size = 4096
