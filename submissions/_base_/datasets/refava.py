# RefAVA (or the embedded RefAVA-Synth) read in the authors' format; see docs/DATA.md.
# data_root None means the embedded RefAVA-Synth, generated into the cache on first use; the
# harness replaces it (and `--data-root DIR` overrides it) in every dataloader below.
data_root = None
num_frames = 8
clip_size = (64, 64)
keyframe_size = (128, 128)

# No flips or crops: references say "on the left", so a mirrored clip would change the answer.
pipeline = [
    dict(type="SampleClip", num_frames=num_frames),
    dict(type="DecodeFrames"),
    dict(type="ResizeClip", size=clip_size, keyframe_size=keyframe_size),
    dict(type="PackRAVARInputs"),
]


def _loader(split: str, shuffle: bool) -> dict:
    return dict(
        batch_size=16, num_workers=2, persistent_workers=True,
        sampler=dict(type="DefaultSampler", shuffle=shuffle), collate_fn=dict(type="pseudo_collate"),
        dataset=dict(type="RefAVADataset", data_root=data_root, split=split, pipeline=pipeline),
    )


train_dataloader = _loader("train", shuffle=True)
val_dataloader = _loader("val", shuffle=False)
test_dataloader = _loader("test", shuffle=False)
# Validation picks the best epoch: point estimates suffice. Tests report 95% bootstrap CIs.
val_evaluator = dict(type="RAVARMetric", n_bootstrap=0)
test_evaluator = dict(type="RAVARMetric")
