"""One process at a time per piece of work (a run directory, a training identity), across processes.

A second ``ravar-bench run`` of the same command waits for the first, says what it waits for, and
then finds the first one's result instead of doing the work again. Locks are advisory OS file locks
(``filelock``), released by the kernel when a process dies, so a killed run never leaves a stale lock.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from filelock import FileLock, Timeout
from mmengine.dist import barrier, is_main_process

T = TypeVar("T")


@contextmanager
def exclusive(lock_path: Path, what: str, say: Callable[[str], None] = print):
    """Hold ``lock_path``; when another process holds it, say that ``what`` waits for it, then wait.

    Under torchrun only the main process locks; the others wait for it at a barrier."""
    lock = None
    if is_main_process():
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(lock_path)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            say(f"waiting: {what} is being done by another process (lock {lock_path})")
            lock.acquire()
    barrier()
    try:
        yield
    finally:
        if lock is not None:
            lock.release()


def once(lock_path: Path, what: str, find: Callable[[], T | None], work: Callable[[], T],
         say: Callable[[str], None] = print) -> T:
    """``find()`` if it has the result, else ``work()`` under the lock, unless ``find()`` has the result
    once the lock is ours (another process did the work meanwhile)."""
    found = find()
    if found is not None:
        return found
    with exclusive(lock_path, what, say):
        found = find()
        if found is not None:
            say(f"{what}: done by another process meanwhile, reusing its result")
            return found
        return work()
