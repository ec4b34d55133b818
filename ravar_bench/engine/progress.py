"""Rich progress bars: an MMEngine hook for training, a small wrapper for testing."""

from __future__ import annotations

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ravar_bench.metrics.estimate import percent
from ravar_bench.registry import HOOKS


def _progress(*extra) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), *extra,
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), transient=False)


@HOOKS.register_module()
class RichProgressHook(Hook):
    """One bar over all training iterations with epoch, loss and ETA; validation mAP after each epoch."""

    priority = "VERY_LOW"

    def __init__(self) -> None:
        self._bar: Progress | None = None
        self._task = None

    def before_train(self, runner) -> None:
        if not is_main_process():
            return
        self._bar = _progress(TextColumn("{task.fields[status]}"))
        self._bar.start()
        self._task = self._bar.add_task("train", total=runner.max_iters, completed=runner.iter, status="")

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self._bar is None:
            return
        loss = sum(float(v.detach()) for k, v in (outputs or {}).items() if k.startswith("loss"))
        self._bar.update(self._task, completed=runner.iter + 1,
                         status=f"epoch {runner.epoch + 1}/{runner.max_epochs} loss {loss:.3f}")

    def after_val_epoch(self, runner, metrics=None) -> None:
        if self._bar is not None and metrics:
            shown = ", ".join(f"{k.split('/')[-1]} {percent(v)}" for k, v in metrics.items() if "_ci_" not in k)
            self._bar.console.print(f"epoch {runner.epoch} val: {shown}")

    def after_train(self, runner) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


class TestProgress:
    """A bar over test samples (main process only)."""

    def __init__(self, description: str = "test") -> None:
        self.description = description
        self._bar: Progress | None = None

    def start(self, total: int, completed: int = 0) -> None:
        if is_main_process():
            self._bar = _progress()
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=total, completed=completed)

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, count)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
