"""``ravar-bench data``: check, convert, generate, detect and look at RefAVA-format data."""

from __future__ import annotations

import argparse

from ravar_bench.cli._common import add_parser


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
    from ravar_bench.data import commands

    return getattr(commands, f"{args.action}_command")(args)
