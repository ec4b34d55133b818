"""Is the ranking of the main submissions a property of the methods, or of one generated data set?

Two main leaderboards (``main.csv`` as ``ravar-bench leaderboard build`` writes it), e.g. RefAVA-Synth
generated with seed 0 and with seed 1, each from models trained and tested on its own data. For every
test metric, Spearman's rank correlation (scipy.stats.spearmanr, with its two-sided p-value) over the
submissions both boards rank; reference rows (group ``Reference``, e.g. the prior-only row) are left out.
Usage::

    python studies/rank_stability.py BOARD_A/main.csv BOARD_B/main.csv [--split test] [--out JSON]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from pathlib import Path

from scipy.stats import spearmanr

from ravar_bench.engine import provenance
from ravar_bench.engine.study_record import write_study_record

METRICS = ("mAP", "AUROC", "mIoU")
REFERENCE_GROUP = "Reference"


def read_board(path: Path, split: str) -> dict[str, dict[str, float]]:
    """{submission: {metric: value}} of the ranked rows of one main.csv; a row without the split is skipped."""
    if not path.is_file():
        raise SystemExit(f"{path}: no such file; expected a main leaderboard CSV (main.csv)")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise SystemExit(f"{path}: no rows; expected a main leaderboard CSV (main.csv)")
    missing = [f"'{split} {m}'" for m in METRICS if f"{split} {m}" not in rows[0]]
    if missing:
        raise SystemExit(f"{path}: missing column(s) {', '.join(missing)}; expected a main leaderboard CSV")
    return {row["submission"]: {m: float(row[f"{split} {m}"]) for m in METRICS}
            for row in rows if row["Group"] != REFERENCE_GROUP and row[f"{split} mAP"]}


def board_name(path: Path) -> str:
    """``<dataset>/<scale>/main.csv``: which board a file is, without the folder it was read from."""
    return "/".join(path.resolve().parts[-3:])


def rank_correlations(first: dict, second: dict) -> dict:
    """Spearman's rho and p per metric over the submissions in both boards, and the submissions used."""
    common = sorted(set(first) & set(second))
    if len(common) < 3:
        raise SystemExit(f"only {len(common)} submissions are ranked on both boards; need at least 3")
    out = {"submissions": common}
    for metric in METRICS:
        result = spearmanr([first[s][metric] for s in common], [second[s][metric] for s in common])
        out[metric] = {"rho": float(result.statistic), "p": float(result.pvalue)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("boards", nargs=2, type=Path, help="two main.csv files")
    parser.add_argument("--split", default="test", choices=("val", "test"))
    parser.add_argument("--out", type=Path, help="also write the record (inputs' sha256, values, rho) to this JSON")
    args = parser.parse_args()
    first, second = (read_board(path, args.split) for path in args.boards)
    record = rank_correlations(first, second)
    print(f"{len(record['submissions'])} submissions, {args.split} split")
    for metric in METRICS:
        print(f"  {metric:6s} Spearman rho {record[metric]['rho']:+.3f} (p = {record[metric]['p']:.2g})")
    if args.out:
        record.update(split=args.split, values=[first, second],
                      inputs=[{"board": board_name(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
                              for p in args.boards], git=provenance.git_state())
        write_study_record(args.out, record)


if __name__ == "__main__":
    main()
