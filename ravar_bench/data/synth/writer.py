"""Write RefAVA-Synth to disk in the authors' format: frames in parallel, then pickles, detections, manifest.

Resumable and safe to interrupt: each scene's 91 frames are written into a temporary folder that is
renamed into ``frames/<video_id>`` only when complete, every other file is written atomically, and
the manifest is written last, so a folder with a manifest is complete. Rerunning ``generate`` on an
interrupted folder renders only the missing scenes. Scenes are seeded individually, so the bytes do
not depend on the number of worker processes.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
from pathlib import Path

import numpy as np

from ravar_bench.cache import cache_root
from ravar_bench.data.format import (
    FPS,
    RefAVARecord,
    atomic_write_bytes,
    frame_index,
    frame_path,
    make_key,
    write_detections,
    write_split,
)
from ravar_bench.data.synth.detections import NOISE_MODEL, noisy_detections
from ravar_bench.data.synth.motion import HALF_WINDOW, person_boxes, scene_tracks
from ravar_bench.data.synth.plan import (
    FRAME_HEIGHT,
    FRAME_WIDTH,
    SIZES,
    SPLITS,
    ScenePlan,
    plan_scene,
    plan_split,
    scene_seed,
)
from ravar_bench.data.synth.references import reference_pair
from ravar_bench.data.synth.render import encode_jpeg, render_scene

GENERATOR_VERSION = "2"
MANIFEST_NAME = "refava_synth_manifest.json"
_IN_PROGRESS_NAME = ".refava_synth_in_progress.json"


def scenes_name(split: str) -> str:
    """File name of a split's scene metadata (styles, attributes, stated attributes), beside the pickles."""
    return f"{split}_synth_scenes.json"


def _dump(payload: dict) -> bytes:
    """Deterministic JSON bytes (sorted keys)."""
    return json.dumps(payload, sort_keys=True, indent=1).encode()


def scene_annotations(scene: ScenePlan, seed: int) -> tuple[list[RefAVARecord], dict[str, dict], dict]:
    """The scene's records (one per person), their detections and its metadata; renders nothing."""
    people, objects = scene_tracks(scene, np.zeros(1))
    ref_rng = np.random.default_rng(scene_seed(seed, scene.split, scene.index, 3))
    records, persons_meta = [], {}
    for track in people:
        person = track.plan
        descriptions, statement = reference_pair(person, scene.persons, ref_rng)
        box = tuple(round(float(v), 5) for v in person_boxes(track)[0])
        key = make_key(scene.video_id, scene.timestamp, person.pid)
        records.append(RefAVARecord(key, box, person.labels, descriptions))
        persons_meta[str(person.pid)] = {
            "top": person.look.top, "bottom": person.look.bottom, "hat": person.look.hat, "hair": person.look.hair,
            "build": person.look.build, "horizontal": person.horizontal, "depth": person.row,
            "carried": person.carried, "handles": person.obj, "labels": list(person.labels), "stated": statement}
    true_boxes = [r.box for r in records] + [o.box for o in scene.objects]
    true_boxes += [(*(o.centre[0] - o.size / 2) / (FRAME_WIDTH, FRAME_HEIGHT),
                    *(o.centre[0] + o.size / 2) / (FRAME_WIDTH, FRAME_HEIGHT)) for o in objects]
    names = ["person"] * len(records) + [o.name for o in scene.objects] + [o.name for o in objects]
    det_rng = np.random.default_rng(scene_seed(seed, scene.split, scene.index, 2))
    detections = noisy_detections(np.clip(np.array(true_boxes, float), 0, 1), names, det_rng)
    meta = {"style": scene.style.name, "texture": scene.style.texture, "timestamp": scene.timestamp,
            "objects": [o.name for o in scene.objects], "persons": persons_meta}
    return records, {r.key: detections for r in records}, meta


def frame_indices(scene: ScenePlan) -> np.ndarray:
    """Frame indices written for a scene: 1 up to the end of the key frame's window (a contiguous folder)."""
    return np.arange(1, frame_index(scene.timestamp) + HALF_WINDOW + 1)


def write_scene_frames(root: Path, scene: ScenePlan, seed: int) -> None:
    """Render a scene's frames (the whole window and what precedes it) into ``frames/<video_id>``, all or nothing."""
    final = frame_path(root, scene.video_id, 1).parent
    if final.is_dir():
        return
    tmp = final.parent / f".tmp-{scene.video_id}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    indices = frame_indices(scene)
    key = frame_index(scene.timestamp)
    for index, frame in zip(indices, render_scene(scene, seed, (indices - key) / FPS), strict=True):
        (tmp / frame_path("", "", int(index)).name).write_bytes(encode_jpeg(frame))
    try:
        os.replace(tmp, final)
    except OSError:  # another process finished the same scene first; its bytes are identical
        shutil.rmtree(tmp, ignore_errors=True)


def _render_job(args: tuple[str, ScenePlan, int]) -> str:
    """Worker entry point: write one scene's frames, return its split for the progress bar."""
    root, scene, seed = args
    write_scene_frames(Path(root), scene, seed)
    return scene.split


def _clean_stale(root: Path) -> None:
    """Remove temporary scene folders left by processes that no longer run."""
    for tmp in (root / "frames").glob(".tmp-*"):
        pid = int(tmp.name.rsplit("-", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(tmp, ignore_errors=True)
        except PermissionError:
            pass


def _progress(enabled: bool):
    """A rich progress bar (disabled: a no-op one)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("[bold]RefAVA-Synth[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), disable=not enabled)


def _check_identity(root: Path, identity: dict) -> bool:
    """True when ``root`` already holds this exact set; error when it holds (part of) another."""
    for name in (MANIFEST_NAME, _IN_PROGRESS_NAME):
        path = root / name
        if path.is_file():
            found = {k: json.loads(path.read_text()).get(k) for k in identity}
            if found != identity:
                raise ValueError(f"{path} describes RefAVA-Synth {found}, not the requested {identity}; "
                                 "use another output folder")
            if name == MANIFEST_NAME:
                return True
    return False


def generate(out_dir: str | os.PathLike, seed: int = 0, size: str = "default", progress: bool = True,
             workers: int | None = None) -> Path:
    """Generate (or finish generating) RefAVA-Synth train/val/test in ``out_dir``; returns the folder."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {tuple(SIZES)}, got {size!r}")
    root = Path(out_dir)
    identity = {"generator_version": GENERATOR_VERSION, "seed": int(seed), "size": size}
    if _check_identity(root, identity):
        return root
    atomic_write_bytes(root / _IN_PROGRESS_NAME, _dump(identity))
    _clean_stale(root)
    plans = {split: plan_split(seed, split, size) for split in SPLITS}
    jobs = [(str(root), scene, seed) for split in SPLITS for scene in plans[split]
            if not frame_path(root, scene.video_id, 1).parent.is_dir()]
    workers = max(1, min(workers or min(2, os.cpu_count() or 1), len(jobs) or 1))
    with _progress(progress) as bar:
        tasks = {split: bar.add_task(f"{split} frames", total=len(plans[split]),
                                     completed=len(plans[split]) - sum(j[1].split == split for j in jobs))
                 for split in SPLITS}
        if workers == 1:
            done = map(_render_job, jobs)
        else:
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            pool = mp.get_context(method).Pool(workers)
            done = pool.imap_unordered(_render_job, jobs, chunksize=4)
        try:
            for split in done:
                bar.advance(tasks[split])
        finally:
            if workers > 1:
                pool.close()
                pool.join()
    counts = {split: _write_annotations(root, split, plans[split], seed) for split in SPLITS}
    manifest = {**identity, "name": "RefAVA-Synth", "counts": counts,
                "scenes": {split: len(plans[split]) for split in SPLITS},
                "frame_size": [FRAME_WIDTH, FRAME_HEIGHT], "fps": FPS, "window_frames": 2 * HALF_WINDOW + 1,
                "detections_noise_model": NOISE_MODEL}
    atomic_write_bytes(root / MANIFEST_NAME, _dump(manifest))
    (root / _IN_PROGRESS_NAME).unlink(missing_ok=True)
    return root


def _write_annotations(root: Path, split: str, scenes: list[ScenePlan], seed: int) -> int:
    """Write a split's three pickles, detections file and scene metadata; returns its sample count."""
    records, detections, meta = [], {}, {}
    for scene in scenes:
        scene_records, scene_detections, meta[scene.video_id] = scene_annotations(scene, seed)
        records += scene_records
        detections.update(scene_detections)
    write_split(root, split, records)
    write_detections(root, split, detections, {"type": "refava-synth-noise-model", "version": GENERATOR_VERSION,
                                               "seed": int(seed), "params": NOISE_MODEL})
    atomic_write_bytes(root / scenes_name(split), _dump(meta))
    return len(records)


def default_root(progress: bool = True) -> Path:
    """The default RefAVA-Synth (seed 0, default size) in the user cache, generated on first use."""
    root = cache_root() / f"refava-synth-v{GENERATOR_VERSION}-seed0-default"
    return generate(root, seed=0, size="default", progress=progress)


def sample_keyframe(seed: int = 0) -> np.ndarray:
    """One rendered key frame (RGB uint8 [H, W, 3]) in memory, e.g. to preview a perturbation."""
    scene = plan_scene(seed, "test", 0)
    return next(render_scene(scene, seed, np.zeros(1)))
