"""``ravar-bench data``: check, convert, generate, detect and look at RefAVA-format data (parsers and handlers)."""

from __future__ import annotations

import argparse
import hashlib
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ravar_bench.cli._common import add_parser
from ravar_bench.errors import UserError

# The data room is imported inside each handler, so that ``ravar-bench --help`` loads none of it.


DATASET_TITLES = {"refava": "RefAVA", "refava++": "RefAVA++"}

def register(subparsers) -> None:
    parser = add_parser(subparsers, "data", "Check, convert, generate and inspect RefAVA-format data.", handle)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    check = actions.add_parser("check", help="validate a RefAVA folder; non-zero exit when anything is wrong")
    check.add_argument("root")
    check.add_argument("--split", action="append", help="split(s) to check (default: all found)")
    check.add_argument("--strict", action="store_true", help="stop at the first problem")
    check.add_argument("--frames", choices=("window", "key", "none"), default="window",
                       help="decode every frame of each sample's 3 s window (default), only key frames, or none")

    convert = actions.add_parser("convert", help="authors' pickles <-> a readable JSONL manifest")
    convert.add_argument("source", help="a RefAVA folder (pickles) or a .jsonl manifest")
    convert.add_argument("dest", help="a .jsonl manifest or a folder for the pickles")
    convert.add_argument("--split", required=True)

    synth = actions.add_parser("synth", help="generate RefAVA-Synth in the authors' format")
    synth.add_argument("--out", required=True, help="output folder")
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--size", default="default", help="preset name (tiny, default) ")

    show = actions.add_parser("show", help="PNG contact sheet: key frames, referred box, text, actions")
    show.add_argument("--data-root", help="RefAVA folder (default: the cached RefAVA-Synth)")
    show.add_argument("--split", default="val")
    show.add_argument("--n", type=int, default=16)
    show.add_argument("--out", default="contact_sheet.png")

    detect = actions.add_parser("detect", help="write a detections file with an MMDetection detector")
    detect.add_argument("root", help="RefAVA folder")
    detect.add_argument("--detector", required=True, help="MMDetection config file")
    detect.add_argument("--checkpoint", required=True, help="detector weights")
    detect.add_argument("--split", action="append")
    detect.add_argument("--score-threshold", type=float, default=0.3)


def handle(args: argparse.Namespace) -> int:
    return ACTIONS[args.action](args)


def _splits(root: Path, requested: list[str] | None) -> list[str]:
    """The requested splits, else every split found under ``root``; a UserError when there is none."""
    from ravar_bench.data.refava import available_splits

    if not root.is_dir():
        raise UserError(f"{root} is not a folder")
    splits = requested or available_splits(root)
    if not splits:
        raise UserError(f"no RefAVA pickles (*_set_keyframe_crr_final.pkl) in {root}")
    return splits


def check_command(args: argparse.Namespace) -> int:
    """Validate every requested split; print a report; exit 1 when anything is wrong."""
    from ravar_bench.data.detections import read_detections
    from ravar_bench.data.format import detect_naming, detections_name
    from ravar_bench.data.frame_check import check_frames
    from ravar_bench.data.manifest import FileHashes
    from ravar_bench.data.problems import ProblemLog, RefAVAFormatError, summarize
    from ravar_bench.data.refava import validate_split
    from ravar_bench.data.splits import Split

    root = Path(args.root)
    console = Console(soft_wrap=True)  # problem lines are never wrapped mid-phrase
    try:
        table = Table(title=f"{DATASET_TITLES[detect_naming(root)]} check: {root}")
    except ValueError as error:  # both namings in one folder
        raise UserError(str(error)) from None
    for column in ("split", "samples", "box units", "frame sources", "decoded", "detections", "problems"):
        table.add_column(column)
    reports, identities = [], []
    hashes = FileHashes(root) if root.is_dir() else None
    try:
        for split in _splits(root, args.split):
            named = Split.named(split)
            result = validate_split(root, split, strict=args.strict, description_index=named.description_index,
                                    file_split=named.file_split)
            problems = list(result.problems)
            decoded = "-"
            if args.frames != "none":
                log = ProblemLog(f"frames of split {split!r}", args.strict)
                decoded = str(check_frames(result.samples, log, args.frames))
                problems += log.problems
            detections = root / detections_name(named.file_split)
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
            identities.append(_identity_line(root, split, hashes))
            if problems:
                reports.append(summarize(problems, f"split {split!r}"))
    except RefAVAFormatError as error:  # strict mode: the first problem
        console.print(table)
        console.print(f"[bold red]first problem:[/] {error.problems[0]}", highlight=False)
        return 1
    if hashes is not None:
        hashes.save()  # the frame hashes, so that runs on this folder need not hash them again
    console.print(table)
    for line in identities:
        print(line)  # plain print: one unwrapped line per split, for scripts and records
    for report in reports:
        console.print(report, highlight=False, markup=False)
    return 1 if reports else 0


def _identity_line(root: Path, split: str, hashes) -> str:
    """The split's data identity as results record it (``dataset.identity``), in one line."""
    from ravar_bench.data.manifest import split_identity
    from ravar_bench.data.problems import RefAVAFormatError

    try:
        found = split_identity(root, split, hashes)
    except RefAVAFormatError:  # unreadable pickles: reported as problems
        return f"split {split!r}: no data identity (its pickles cannot be read)"
    return f"split {split!r}: data identity annotations {found['annotations']} frames {found['frames']}"


def convert_command(args: argparse.Namespace) -> int:
    """Pickles (a folder) -> JSONL manifest, or a manifest (``.jsonl``) -> pickles in a folder."""
    from ravar_bench.data.format import write_split
    from ravar_bench.data.manifest import read_manifest, write_manifest
    from ravar_bench.data.problems import RefAVAFormatError
    from ravar_bench.data.refava import read_records

    source, dest = Path(args.source), Path(args.dest)
    try:
        if source.suffix == ".jsonl" and source.is_file():
            records = read_manifest(source)
            write_split(dest, args.split, records)
        elif source.is_dir():
            records = read_records(source, args.split)
            write_manifest(dest, records)
        else:
            raise UserError(f"{source} is neither a RefAVA folder nor a .jsonl manifest")
    except RefAVAFormatError as error:
        raise UserError(str(error)) from error
    Console().print(f"wrote {len(records)} samples of split {args.split!r} to {dest}")
    return 0


def synth_command(args: argparse.Namespace) -> int:
    """Generate RefAVA-Synth in the authors' format (the generator lives in ``ravar_bench.data.synth``)."""
    from ravar_bench.data import synth

    synth.generate(Path(args.out), seed=args.seed, size=args.size, progress=True)
    return 0


def detect_command(args: argparse.Namespace, build_detector=None) -> int:
    """Run an MMDetection detector (``build_detector(config, checkpoint)``, default MMDetection's) on every
    key frame and write each split's detections file."""
    from ravar_bench.data.detections import detect_samples, mmdet_detector
    from ravar_bench.data.format import detections_name, write_detections
    from ravar_bench.data.problems import RefAVAFormatError
    from ravar_bench.data.refava import read_split

    root = Path(args.root)
    for name, path in (("config", args.detector), ("checkpoint", args.checkpoint)):
        if not Path(path).is_file():
            raise UserError(f"detector {name} file {path} not found")
    splits = _splits(root, args.split)
    detector, classes = (build_detector or mmdet_detector)(args.detector, args.checkpoint)
    provenance = {"type": "mmdet", "config": str(args.detector), "checkpoint": str(args.checkpoint),
                  "checkpoint_sha256": hashlib.sha256(Path(args.checkpoint).read_bytes()).hexdigest(),
                  "score_threshold": args.score_threshold}
    for split in splits:
        try:
            data = read_split(root, split)
        except RefAVAFormatError as error:
            raise UserError(str(error)) from error
        entries = detect_samples(data.samples, detector, classes, args.score_threshold)
        write_detections(root, split, entries, provenance)
        Console().print(f"split {split!r}: detections of {len(entries)} samples -> {root / detections_name(split)}")
    return 0


def show_command(args: argparse.Namespace) -> int:
    """Write a PNG contact sheet: key frames with the referred box, the reference and the actions."""
    import numpy as np

    from ravar_bench.data.dataset import RefAVADataset
    from ravar_bench.data.format import atomic_write_bytes
    from ravar_bench.data.problems import RefAVAFormatError

    if args.n < 1:
        raise UserError(f"--n must be >= 1, got {args.n}")
    if args.data_root:
        root = Path(args.data_root)
    else:
        from ravar_bench.data import synth

        root = Path(synth.default_root())
    try:
        dataset = RefAVADataset(root, args.split)
    except (RefAVAFormatError, ValueError) as error:
        raise UserError(str(error)) from error
    if len(dataset) == 0:
        raise UserError(f"split {args.split!r} in {root} has no samples")
    count = min(args.n, len(dataset))
    picks = np.linspace(0, len(dataset) - 1, count).round().astype(int)  # distinct: count <= len(dataset)
    atomic_write_bytes(args.out, sample_sheet([dataset.get_data_info(int(i)) for i in picks],
                                             f"{root.name}, split {args.split}: green = referred person's box"))
    short = f" (the split has only {len(dataset)} samples)" if count < args.n else ""
    Console().print(f"wrote {count} key frames of split {args.split!r} to {args.out}{short}")
    return 0


def sample_sheet(infos: list[dict], heading: str, columns: int = 4) -> bytes:
    """PNG bytes of a grid of key frames, each titled by its sample key, with its box, reference and actions."""
    from ravar_bench.data.ava import action_name
    from ravar_bench.visual.tiles import Box, Tile, contact_sheet, keyframe

    tiles = [Tile(keyframe(info), info["key"], [Box(info["gt_box"], "lime")],
                  [f"ref: {info['text']}", "actions: " + ", ".join(action_name(a) for a in info["labels"])])
             for info in infos]
    return contact_sheet(tiles, columns, heading)


ACTIONS = {"check": check_command, "convert": convert_command, "synth": synth_command, "detect": detect_command,
           "show": show_command}
