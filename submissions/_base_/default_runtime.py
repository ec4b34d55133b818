# Runtime shared by every submission: MMEngine defaults plus the harness's reproducibility rules.
default_scope = "ravar_bench"

default_hooks = dict(
    timer=dict(type="IterTimerHook"),
    logger=dict(type="LoggerHook", interval=20),
    param_scheduler=dict(type="ParamSchedulerHook"),
    # One checkpoint per epoch (so an interrupted run resumes) and the best one by val mAP.
    checkpoint=dict(type="CheckpointHook", interval=1, max_keep_ckpts=1, save_best="ravar/mAP", rule="greater"),
    sampler_seed=dict(type="DistSamplerSeedHook"),
)
custom_hooks = [dict(type="RichProgressHook")]

env_cfg = dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method="fork", opencv_num_threads=0),
               dist_cfg=dict(backend="gloo"))
randomness = dict(seed=0, deterministic=False)
log_level = "WARNING"
# True: frozen encoders' outputs are computed once per clip and read from the user cache after that
# (ravar_bench/engine/feature_cache.py, docs/MODELS.md); the same numbers, less compute.
feature_cache = False
log_processor = dict(type="LogProcessor", window_size=20, by_epoch=True)
