"""``ravar-bench leaderboard build``: results.json files -> ``leaderboards/<dataset>/<scale>/`` files.

Only stored results are read (no model runs). Each (dataset, scale) gets its own folder, rebuilt
whole and swapped into place; folders of an earlier build that no longer have runs are removed.
The paper's numbers (reported.json) are printed beside ours in separate tables, never in our rows, and so
are the learnability study's bounds (``bounds.py``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from ravar_bench.data.format import atomic_write_bytes
from ravar_bench.leaderboard import render, site, tables
from ravar_bench.leaderboard.bounds import bounds_table, read_learnability_records
from ravar_bench.leaderboard.collect import INDEX_NAME, LeaderboardError, Run, load_runs

MARKER = ".generated-by-ravar-bench"
REPORTED_LABEL = "reported (paper, RefAVA)"
SELECTION_RULE = ("When a cell has several runs of one seed, the one with the newest `created_utc` is shown "
                  "(ties: the larger run id); its run id is printed in the row. Several seeds are averaged.")


def read_reported(path: Path | None) -> dict:
    """reported.json (the paper's numbers), or an empty document when no path is given."""
    if path is None:
        return {"tables": {}}
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise LeaderboardError(f"{path}: cannot read the reported numbers ({err})") from err
    if not isinstance(data.get("tables"), dict):
        raise LeaderboardError(f"{path}: field 'tables' must be an object of the paper's tables")
    return data


def _reported(reported: dict, key: str, with_group: bool = False) -> list[tables.Table]:
    """The reported table stored under ``key`` (empty list when the paper's text lacks it)."""
    entry = reported["tables"].get(key)
    if entry is None:
        return []
    table = tables.reported_table(f"{REPORTED_LABEL}: {entry['paper_table']}", entry["rows"], with_group)
    table.notes.append(f"Paper-scale models on real RefAVA, as printed in {reported.get('source', 'the paper')}; "
                       "not comparable with RefAVA-Synth or CPU-scale rows.")
    return [table]


def _robustness_reported(reported: dict, name: str) -> list[tables.Table]:
    """The paper's Table 10/11 rows for one perturbation, when it reports that perturbation."""
    entry = reported["tables"].get("robustness", {})
    rows = entry.get("perturbations", {}).get(name)
    if rows is None:
        return []
    table = tables.reported_table(f"{REPORTED_LABEL}: {entry['paper_table']}, {name}", rows)
    table.notes.append(entry.get("severity_note", ""))
    return [table]


def _page(title: str, context: str, sections: Sequence[tables.Table]) -> bytes:
    """One Markdown file: title, context line, then each table as a section."""
    body = "\n".join(render.markdown(t) for t in sections)
    return f"# {title}\n\n{context}\n\n{body}".encode()


def _earlier(folder: Path | None, name: str) -> bytes | None:
    """The bytes of file ``name`` of an earlier build of ``folder``, if there is one."""
    path = None if folder is None else folder / name
    return path.read_bytes() if path is not None and path.is_file() else None


def board_files(runs: Sequence[Run], reported: dict, dataset: str, scale: str,
                earlier: Path | None = None, studies: Sequence[tuple[str, dict]] = ()) -> dict[str, bytes]:
    """Every file of one (dataset, scale) leaderboard folder, by file name; plots whose input is unchanged
    since the build in ``earlier`` are taken from it (``render.severity_plot``); the learnability records
    in ``studies`` that match the board's val split become reference rows under the main table."""
    context = (f"Dataset `{dataset}`, scale `{scale}`; metrics in percent with 95% video-bootstrap CIs in "
               f"parentheses (docs/METRICS.md). {SELECTION_RULE}")
    files: dict[str, bytes] = {}
    main = tables.main_table(runs)
    bounds = bounds_table(studies, runs)
    main_sections = [main, *([bounds] if bounds else []), *_reported(reported, "main", True)]
    files["main.md"] = _page("Main results", context, main_sections)
    files["main.csv"] = render.csv_text(main).encode()
    if bounds:
        files["reference_bounds.csv"] = render.csv_text(bounds).encode()
    pages = [site.Section("Main results", main_sections)]
    sections = []
    for kind in tables.ABLATION_TABLES:
        table = tables.ablation_table(kind, [r for r in runs if r.perturbation is None and r.text_control is None])
        files[f"{kind}.csv"] = render.csv_text(table).encode()
        sections += [table, *_reported(reported, kind)]
    files["ablations.md"] = _page("Ablations", context, sections)
    pages.append(site.Section("Ablations", sections))
    sections = []
    for name in tables.perturbations(runs):
        table = tables.robustness_table(name, runs)
        files[f"robustness_{name}.csv"] = render.csv_text(table).encode()
        plot = f"robustness_{name}.png"
        files[plot] = render.severity_plot(runs, name, f"{name}: {dataset}, {scale} scale", _earlier(earlier, plot))
        sections += [table, *_robustness_reported(reported, name)]
    files["robustness.md"] = _page("Robustness to test-time perturbations", context, sections)
    pages.append(site.Section("Robustness", sections, sorted(n for n in files if n.endswith(".png"))))
    rephrasing = tables.rephrasing_table(runs)
    missing = reported.get("not_available", {}).get("rephrasing")
    if missing:
        rephrasing.notes.append(f"{REPORTED_LABEL}: {missing}")
    files["rephrasing.md"] = _page("Reference rephrasing", context, [rephrasing])
    files["rephrasing.csv"] = render.csv_text(rephrasing).encode()
    files[INDEX_NAME] = "".join(json.dumps(run.record, sort_keys=True) + "\n" for run in runs).encode()
    text_control = tables.text_control_table(runs)
    files["text_control.md"] = _page("Text controls", context, [text_control])
    files["text_control.csv"] = render.csv_text(text_control).encode()
    pages += [site.Section("Reference rephrasing", [rephrasing]), site.Section("Text controls", [text_control])]
    files["index.html"] = site.render_page(pages, dataset, scale)
    return files


def _replace_folder(target: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into a staging folder, then swap it in for ``target``."""
    stage = target.parent / f".{target.name}.staging"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    for name, data in {**files, MARKER: b""}.items():
        atomic_write_bytes(stage / name, data)
    if target.exists():
        if not (target / MARKER).exists():
            raise LeaderboardError(f"{target}: exists and was not written by `leaderboard build`; not replacing it")
        shutil.rmtree(target)
    stage.rename(target)


def _index(boards: dict[tuple[str, str], list[Run]], files: dict[tuple[str, str], list[str]]) -> bytes:
    """leaderboards/README.md: one line per (dataset, scale) with its runs and files."""
    lines = ["# Leaderboards", "", "Generated by `ravar-bench leaderboard build` from results.json files only; "
             "see docs/LEADERBOARDS.md. " + SELECTION_RULE, ""]
    if not boards:
        lines.append("No results yet.")
    for (dataset, scale), runs in boards.items():
        pages = [n for n in files[dataset, scale] if n.endswith((".md", ".html"))]
        links = ", ".join(f"[{n}]({dataset}/{scale}/{n})" for n in pages)
        lines.append(f"- `{dataset}` / `{scale}`: {sum(len(r.members) for r in runs)} runs of "
                     f"{len({r.submission for r in runs})} submissions: {links}")
    return ("\n".join(lines) + "\n").encode()


def _remove_stale(out: Path, keep: set[Path]) -> None:
    """Delete generated (dataset, scale) folders of an earlier build that this build did not write."""
    for marker in sorted(out.glob(f"*/*/{MARKER}")):
        if marker.parent not in keep:
            shutil.rmtree(marker.parent)
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        if not any(folder.iterdir()):
            folder.rmdir()


def build_leaderboards(results_dirs: Sequence[Path], out: Path, reported_path: Path | None,
                       convention: str = "macro", studies_dir: Path | None = None) -> list[Path]:
    """Rebuild every leaderboard under ``out`` from the runs under ``results_dirs`` (and the learnability
    records in ``studies_dir`` as reference rows); return the folders."""
    runs = load_runs([Path(d) for d in results_dirs], convention)
    reported = read_reported(reported_path)
    studies = read_learnability_records(studies_dir)
    boards: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        boards.setdefault((run.dataset, run.scale), []).append(run)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written, names = [], {}
    for (dataset, scale), board in sorted(boards.items()):
        target = out / dataset / scale
        files = board_files(board, reported, dataset, scale, target, studies)
        _replace_folder(target, files)
        written.append(target)
        names[dataset, scale] = sorted(files)
    _remove_stale(out, set(written))
    atomic_write_bytes(out / "README.md", _index(dict(sorted(boards.items())), names))
    return written
