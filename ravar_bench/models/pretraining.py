"""Referring pretraining: the CPU-scale stand-in for the image-text pretraining of the paper's BLIP-2.

The paper's Q-Former arrives pretrained on image-text matching; ours starts from random weights, and
the action and box losses alone teach it to find the referred person only slowly (docs/STUDIES.md,
"Grounding"). Before training, this hook runs BLIP-2's image-text matching at the level of people on
the training split: for every detected person the Q-Former reads that person's tube with the reference
in its self-attention, and a softmax over the clip's people must pick the one whose box overlaps the
ground truth (``RefAtomNet.referring_logits``). It uses only what every model trains on (train clips,
references, the ground-truth box). The weights it leaves are part of the trained checkpoint, so the
checkpoint cache covers it and the config that names it is in the training identity.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from mmengine.dist import all_reduce, get_world_size, is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from rich.console import Console

from ravar_bench.registry import HOOKS


def referring_loss(logits: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, int, int]:
    """Cross-entropy over each sample's people (target -1 = no detection matches the truth: skipped), the
    number of samples right and the number scored."""
    scored = target >= 0
    if not scored.any():
        return logits.sum() * 0.0, 0, 0
    loss = F.cross_entropy(logits[scored], target[scored])
    right = int((logits[scored].argmax(-1) == target[scored]).sum())
    return loss, right, int(scored.sum())


@HOOKS.register_module()
class ReferringPretrainHook(Hook):
    """``epochs`` passes of referring pretraining over the train loader before the first training iteration.

    Args:
        epochs: passes over the training split.
        lr: AdamW learning rate (linear warm-up over the first tenth, then constant).
    """

    priority = "HIGH"

    def __init__(self, epochs: int = 1, lr: float = 1e-3) -> None:
        self.epochs, self.lr = epochs, lr

    def before_train(self, runner) -> None:
        """Pretrain unless training resumes (its checkpoint already holds the pretrained weights)."""
        if runner.iter > 0 or self.epochs == 0:
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=self.lr, betas=(0.9, 0.98), weight_decay=0.0)
        loader = runner.train_dataloader
        warmup = max(1, len(loader) // 10)
        model.train()
        step = 0
        for epoch in range(self.epochs):
            right = scored = 0
            for batch in loader:
                for group in optimizer.param_groups:
                    group["lr"] = self.lr * min(1.0, (step + 1) / warmup)
                data = model.data_preprocessor(batch, True)
                loss, batch_right, batch_scored = referring_loss(*model.referring_logits(**data))
                optimizer.zero_grad(set_to_none=False)
                loss.backward()
                self._average_gradients(params)
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                optimizer.step()
                right, scored, step = right + batch_right, scored + batch_scored, step + 1
            if is_main_process():
                Console(stderr=True).print(f"referring pretraining epoch {epoch + 1}/{self.epochs}: picked the "
                                           f"referred person in {100 * right / max(scored, 1):.1f}% of {scored}")
        optimizer.zero_grad(set_to_none=True)

    @staticmethod
    def _average_gradients(params: list[torch.Tensor]) -> None:
        """Under DDP the hook steps the bare module, so it averages the ranks' gradients itself."""
        if get_world_size() > 1:
            for param in params:
                if param.grad is not None:
                    all_reduce(param.grad, op="mean")
