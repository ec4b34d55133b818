"""``RefAVADataset``: RefAVA (authors' format) as an MMEngine dataset of ``data_info`` dicts."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
from mmengine.dataset import BaseDataset

from ravar_bench.data.ava import AVA_ACTIONS
from ravar_bench.data.detections import empty_detections, read_detections
from ravar_bench.data.format import NUM_CLASSES, detections_name
from ravar_bench.data.problems import ProblemLog
from ravar_bench.data.refava import manifest_sha256, read_split
from ravar_bench.data.splits import SPLITS
from ravar_bench.errors import UserError
from ravar_bench.registry import DATASETS, TRANSFORMS, build

TEXT_CONTROLS = ("shuffled", "empty")


def shuffle_references(texts: Sequence[str], clips: Sequence[str], seed: int, where: str = "the samples") -> list[str]:
    """Permute ``texts`` with a seeded generator so that no sample keeps a reference from its own clip.

    The "shuffled text" control: a model that truly reads the reference must lose accuracy. Such a permutation
    exists exactly when no clip holds more than half the samples (its samples need as many references from
    other clips); that is checked first, and then the repairing swaps below always find a partner. ``where``
    names the samples (split and data set) in the ``UserError`` of a set that cannot be shuffled.
    """
    count = len(texts)
    if count:
        clip, held = Counter(clips).most_common(1)[0]
        if 2 * held > count:
            raise UserError(f"{where}: the shuffled-text control gives every sample a reference from another clip, "
                            f"so no clip may hold more than half the samples; clip {clip} holds {held} of {count}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(count)
    for i in range(count):
        if clips[order[i]] != clips[i]:
            continue
        # Swap with a position j such that both i and j then hold another clip's reference. One exists: at most
        # half the positions are in clip c = clips[i], so some position outside c holds a reference not from c.
        for j in rng.permutation(count):
            if clips[order[j]] != clips[i] and clips[order[i]] != clips[j]:
                order[i], order[j] = order[j], order[i]
                break
    return [texts[k] for k in order]


@DATASETS.register_module()
class RefAVADataset(BaseDataset):
    """RefAVA in the authors' format, key-aligned and validated; see docs/DATA.md.

    Args:
        data_root: folder with the split pickles, ``frames/`` and/or ``videos/``.
        split: ``train``, ``val``, ``test`` or ``test-rephrased`` (the test pickles, reference =
            description 1, the held-out rephrasing).
        pipeline: transforms (dicts built from ``TRANSFORMS`` or callables).
        strict: raise on the first problem instead of collecting all of them.
        text_control: ``None``, ``"shuffled"`` (each sample gets another clip's reference, seeded
            permutation) or ``"empty"`` (every reference is ``""``).
        text_control_seed: seed of the shuffled control's permutation.
    """

    METAINFO: ClassVar[dict] = {"classes": tuple(AVA_ACTIONS[i] for i in range(1, NUM_CLASSES + 1))}

    def __init__(self, data_root: str | os.PathLike, split: str, pipeline: Sequence = (), strict: bool = False,
                 text_control: str | None = None, text_control_seed: int = 0, **kwargs) -> None:
        if split not in SPLITS:
            raise ValueError(f"split must be one of {tuple(SPLITS)}, got {split!r}")
        if text_control not in (None, *TEXT_CONTROLS):
            raise ValueError(f"text_control must be None or one of {TEXT_CONTROLS}, got {text_control!r}")
        self.split = split
        self.strict = strict
        self.text_control = text_control
        self.text_control_seed = text_control_seed
        pipeline = [build(TRANSFORMS, step) if isinstance(step, dict) else step for step in pipeline]
        super().__init__(data_root=str(data_root), pipeline=pipeline, **kwargs)

    @property
    def file_split(self) -> str:
        """The split whose files are read (``test-rephrased`` reads ``test``)."""
        return SPLITS[self.split].file_split

    def load_data_list(self) -> list[dict]:
        """Read the split, attach detections and the text control, record provenance in ``metainfo``."""
        root = Path(self.data_root)
        split = SPLITS[self.split]
        data = read_split(root, split.name, strict=self.strict, description_index=split.description_index,
                          file_split=split.file_split)
        files = list(data.files.values())
        detections_path = root / detections_name(self.file_split)
        detections: dict[str, dict] = {}
        if detections_path.is_file():
            log = ProblemLog(f"detections of split {self.split!r} in {root}", self.strict)
            detections = read_detections(detections_path, [s.key for s in data.samples], log)
            log.raise_if_any()
            files.append(detections_path)
        texts = [sample.descriptions[split.description_index] for sample in data.samples]
        if self.text_control == "shuffled":
            clips = [f"{s.video_id}@{s.timestamp}" for s in data.samples]
            texts = shuffle_references(texts, clips, self.text_control_seed, f"split {self.split!r} of {root}")
        elif self.text_control == "empty":
            texts = [""] * len(texts)
        self._metainfo.update(
            split=self.split, box_units=data.box_units, manifest_sha256=manifest_sha256(files),
            detections=detections_path.name if detections_path.is_file() else None,
            text_control=self.text_control, text_control_seed=self.text_control_seed,
        )
        return [self._data_info(sample, text, detections.get(sample.key)) for sample, text in
                zip(data.samples, texts, strict=True)]

    def _data_info(self, sample, text: str, detections: dict | None) -> dict:
        """One sample's ``data_info`` (docs/INTERFACES.md)."""
        return {
            "key": sample.key, "video_id": sample.video_id, "timestamp": sample.timestamp,
            "person_id": sample.person_id, "text": text, "labels": list(sample.labels),
            "gt_box": np.asarray(sample.box, dtype=np.float32), "frame_source": sample.frame_source,
            "detections": detections if detections is not None else empty_detections(),
            "split": self.split, "data_root": self.data_root,
        }
