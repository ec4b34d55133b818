# Su et al. (VOS baseline) at paper scale: frozen I3D-R50 clip features (Kinetics-400 weights), a frozen BERT-base
# and a 4-layer joint video-text transformer encoder of width 512, which trains with the heads.
# Weights come only from local files (nothing is downloaded); building fails naming a missing one.
_base_ = ["../su_vos.py", "../_base_/schedules/paper.py"]
scale = "paper"
# Inputs: 32 frames at 224 px, the I3D features' setting. The top-level values reach every loader's pipeline.
num_frames = 32
clip_size = (224, 224)
keyframe_size = (224, 224)
# The paper's schedule (submissions/_base_/schedules/paper.py); precision "auto" = bf16 on a GPU, fp32 on CPU.
precision = "auto"
optim_wrapper = {{_base_.paper_optim_wrapper}}
param_scheduler = {{_base_.paper_param_scheduler}}
train_cfg = {{_base_.paper_train_cfg}}
train_dataloader = dict(batch_size={{_base_.paper_batch_size}})
val_dataloader = dict(batch_size={{_base_.paper_batch_size}})
test_dataloader = dict(batch_size={{_base_.paper_batch_size}})
model = dict(
    head={{_base_.paper_head}},
    visual=dict(_delete_=True, type="VideoBackbone", out_dim=2048, pretrained="checkpoints/i3d_r50_k400.pth",
                backbone=dict(type="mmaction.ResNet3d", depth=50, pretrained=None, pretrained2d=False,
                              conv1_kernel=(5, 7, 7), conv1_stride_t=2, pool1_stride_t=2,
                              inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)))),
    text=dict(_delete_=True, type="TextEncoder", pretrained="checkpoints/bert-base-uncased",
              model=dict(type="TransformersModel", config_class="BertConfig", model_class="BertModel", hidden_size=768,
                         intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12, vocab_size=30522,
                         max_position_embeddings=512)),
    fusion=dict(dim=512, num_layers=4, num_heads=8),
    tokenizer=dict(_delete_=True, type="PretrainedTokenizer", path="checkpoints/bert-base-uncased", max_length=32,
                   key="model.tokenizer.path"),
    frozen_modules=("visual", "text"),
)
