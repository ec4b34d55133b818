"""The ``ravar-bench data`` actions: check, convert, synth, show and detect."""

from __future__ import annotations

import argparse
import hashlib
import io
import textwrap
from collections import Counter
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from ravar_bench.cli._common import CLIError
from ravar_bench.data.ava import action_name
from ravar_bench.data.detections import detect_samples, mmdet_detector, read_detections
from ravar_bench.data.format import atomic_write_bytes, detect_naming, detections_name, write_detections, write_split
from ravar_bench.data.frame_check import check_frames
from ravar_bench.data.manifest import read_manifest, write_manifest
from ravar_bench.data.problems import ProblemLog, RefAVAFormatError, summarize
from ravar_bench.data.refava import available_splits, read_records, read_split, validate_split

DATASET_TITLES = {"refava": "RefAVA", "refava++": "RefAVA++"}


def _splits(root: Path, requested: list[str] | None) -> list[str]:
    """The requested splits, else every split found under ``root``; a CLIError when there is none."""
    if not root.is_dir():
        raise CLIError(f"{root} is not a folder")
    splits = requested or available_splits(root)
    if not splits:
        raise CLIError(f"no RefAVA pickles (*_set_keyframe_crr_final.pkl) or RefAVA++ pickles (*_keyframe.pkl) in "
                       f"{root}")
    return splits


def _file_split(split: str) -> tuple[str, int]:
    """(pickle split, description index): ``test-rephrased`` reads the test pickles' description 1."""
    return ("test", 1) if split == "test-rephrased" else (split, 0)


def check_command(args: argparse.Namespace) -> int:
    """Validate every requested split; print a report; exit 1 when anything is wrong."""
    root = Path(args.root)
    console = Console(soft_wrap=True)  # problem lines are never wrapped mid-phrase
    try:
        table = Table(title=f"{DATASET_TITLES[detect_naming(root)]} check: {root}")
    except ValueError as error:  # both namings in one folder
        raise CLIError(str(error)) from None
    for column in ("split", "samples", "box units", "frame sources", "decoded", "detections", "problems"):
        table.add_column(column)
    reports = []
    try:
        for split in _splits(root, args.split):
            file_split, description_index = _file_split(split)
            result = validate_split(root, split, strict=args.strict, description_index=description_index,
                                    file_split=file_split)
            problems = list(result.problems)
            decoded = "-"
            if args.frames != "none":
                log = ProblemLog(f"frames of split {split!r}", args.strict)
                decoded = str(check_frames(result.samples, log, args.frames))
                problems += log.problems
            detections = root / detections_name(file_split)
            if detections.is_file() and result.keys is not None:  # unreadable pickles: keys unknown, not absent
                log = ProblemLog(f"detections {detections}", args.strict)
                read_detections(detections, result.keys, log)  # every pickled key: invalid samples are not "unknown"
                problems += log.problems
            sources = Counter(s.frame_source["type"] for s in result.samples)
            table.add_row(split, str(len(result.samples)), result.box_units,
                          ", ".join(f"{n} {kind}" for kind, n in sorted(sources.items())) or "-", decoded,
                          "not checked" if detections.is_file() and result.keys is None
                          else "yes" if detections.is_file() else "none",
                          f"[red]{len(problems)}[/]" if problems else "[green]0[/]")
            if problems:
                reports.append(summarize(problems, f"split {split!r}"))
    except RefAVAFormatError as error:  # strict mode: the first problem
        console.print(table)
        console.print(f"[bold red]first problem:[/] {error.problems[0]}", highlight=False)
        return 1
    console.print(table)
    for report in reports:
        console.print(report, highlight=False, markup=False)
    return 1 if reports else 0


def convert_command(args: argparse.Namespace) -> int:
    """Pickles (a folder) -> JSONL manifest, or a manifest (``.jsonl``) -> pickles in a folder."""
    source, dest = Path(args.source), Path(args.dest)
    try:
        if source.suffix == ".jsonl" and source.is_file():
            records = read_manifest(source)
            write_split(dest, args.split, records)
        elif source.is_dir():
            records = read_records(source, args.split)
            write_manifest(dest, records)
        else:
            raise CLIError(f"{source} is neither a RefAVA folder nor a .jsonl manifest")
    except RefAVAFormatError as error:
        raise CLIError(str(error)) from error
    Console().print(f"wrote {len(records)} samples of split {args.split!r} to {dest}")
    return 0


def synth_command(args: argparse.Namespace) -> int:
    """Generate RefAVA-Synth in the authors' format (the generator lives in ``ravar_bench.data.synth``)."""
    from ravar_bench.data import synth

    synth.generate(Path(args.out), seed=args.seed, size=args.size, progress=True)
    return 0


def detect_command(args: argparse.Namespace, build_detector=mmdet_detector) -> int:
    """Run an MMDetection detector on every key frame and write each split's detections file."""
    root = Path(args.root)
    for name, path in (("config", args.detector), ("checkpoint", args.checkpoint)):
        if not Path(path).is_file():
            raise CLIError(f"detector {name} file {path} not found")
    splits = _splits(root, args.split)
    detector, classes = build_detector(args.detector, args.checkpoint)
    provenance = {"type": "mmdet", "config": str(args.detector), "checkpoint": str(args.checkpoint),
                  "checkpoint_sha256": hashlib.sha256(Path(args.checkpoint).read_bytes()).hexdigest(),
                  "score_threshold": args.score_threshold}
    for split in splits:
        try:
            data = read_split(root, split)
        except RefAVAFormatError as error:
            raise CLIError(str(error)) from error
        entries = detect_samples(data.samples, detector, classes, args.score_threshold)
        write_detections(root, split, entries, provenance)
        Console().print(f"split {split!r}: detections of {len(entries)} samples -> {root / detections_name(split)}")
    return 0


def show_command(args: argparse.Namespace) -> int:
    """Write a PNG contact sheet: key frames with the referred box, the reference and the actions."""
    from ravar_bench.data.dataset import RefAVADataset

    if args.n < 1:
        raise CLIError(f"--n must be >= 1, got {args.n}")
    if args.data_root:
        root = Path(args.data_root)
    else:
        from ravar_bench.data import synth

        root = Path(synth.default_root())
    try:
        dataset = RefAVADataset(root, args.split)
    except (RefAVAFormatError, ValueError) as error:
        raise CLIError(str(error)) from error
    if len(dataset) == 0:
        raise CLIError(f"split {args.split!r} in {root} has no samples")
    picks = np.unique(np.linspace(0, len(dataset) - 1, min(args.n, len(dataset))).round().astype(int))
    atomic_write_bytes(args.out, contact_sheet([dataset.get_data_info(int(i)) for i in picks]))
    Console().print(f"wrote {len(picks)} key frames of split {args.split!r} to {args.out}")
    return 0


def contact_sheet(infos: list[dict], columns: int = 4) -> bytes:
    """PNG bytes of a grid of key frames, each with its box, wrapped reference and action names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from ravar_bench.data.transforms import DecodeFrames, SampleClip

    decode, sample_clip = DecodeFrames(), SampleClip(num_frames=1)
    rows = -(-len(infos) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 4.2 * rows), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, info in zip(axes.flat, infos, strict=False):
        keyframe = decode(sample_clip(dict(info)))["keyframe"]
        height, width = keyframe.shape[:2]
        x1, y1, x2, y2 = np.asarray(info["gt_box"]) * [width, height, width, height]
        axis.imshow(keyframe)
        axis.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, edgecolor="lime", linewidth=2))
        actions = ", ".join(action_name(a) for a in info["labels"])
        axis.set_title(textwrap.fill(f"{info['text']}\n[{actions}]", 40, replace_whitespace=False), fontsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    plt.close(figure)
    return buffer.getvalue()
