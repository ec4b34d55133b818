"""``ravar-bench perturb``: look at the test-time perturbations."""

from __future__ import annotations

import argparse
from pathlib import Path

from ravar_bench.cli._common import add_parser


def register(subparsers) -> None:
    parser = add_parser(subparsers, "perturb", "Inspect the test-time perturbations.", handle)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    preview = actions.add_parser("preview", help="PNG grid: clean, then severities 1-5 of each perturbation")
    preview.add_argument("--out", default="perturbation_preview.png", help="PNG file to write")
    preview.add_argument("--seed", type=int, default=0)


def handle(args: argparse.Namespace) -> int:
    """Render the grid on a RefAVA-Synth key frame and write it to ``args.out``."""
    from ravar_bench.data.format import atomic_write_bytes
    from ravar_bench.data.synth import sample_keyframe
    from ravar_bench.perturbations.preview import preview_png

    out = Path(args.out)
    atomic_write_bytes(out, preview_png(sample_keyframe(seed=args.seed), seed=args.seed))
    print(f"wrote {out}")
    return 0
