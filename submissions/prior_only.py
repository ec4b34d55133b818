# Prior only: a reference row, not a method. It sees neither the clip nor the reference: one learned constant
# feature through the shared head fits the training split's class priors and its mean box. Every entry must
# beat it; its AUROC is 50 by construction. Same data, schedule and evaluation as every CPU submission.
_base_ = ["./_base_/default_runtime.py", "./_base_/datasets/refava.py", "./_base_/schedules/cpu.py"]
scale = "cpu"
meta = dict(display_name="Prior only (class priors, mean box)", group="Reference", paper="-", tables=["main"])
model = dict(type="PriorOnly", data_preprocessor=dict(type="RAVARDataPreprocessor"),
             head={{_base_.cpu_head}},
             loss_cls_weight=5.0, loss_box_weight=1.0)
