"""``--cfg-options KEY=VALUE ...``: parsed strictly and checked against the keys the config has.

A misspelt key would otherwise be merged silently as a new entry and give a new run with the old
behaviour (``train_cfg.max_epoch=1``), so every key must exist; the error names the closest one.
``+KEY=VALUE`` adds a key on purpose: its parent must exist and the key itself must not. Values use
MMEngine's syntax (``1``, ``0.5``, ``true``, ``None``, ``a,b``, ``[1,(2,3)]``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence

from mmengine.config import Config, DictAction

from ravar_bench.cli._common import CLIError

HINT = "expected KEY=VALUE (e.g. train_cfg.max_epochs=2), or +KEY=VALUE to add a key the config lacks"


def parse_cfg_option(text: str) -> tuple[str, object, bool]:
    """``(key, value, adds)`` of one ``KEY=VALUE`` or ``+KEY=VALUE``; a CLIError for anything else."""
    key, separator, raw = text.partition("=")
    adds = key.startswith("+")
    key = key.removeprefix("+")
    if not separator or not key or not all(part.strip() == part and part for part in key.split(".")):
        raise CLIError(f"--cfg-options {text!r}: {HINT}")
    try:
        value = DictAction._parse_iterable(raw)  # MMEngine's own value syntax, as its DictAction parses it
    except AssertionError:
        raise CLIError(f"--cfg-options {text!r}: unbalanced brackets in the value") from None
    return key, value, adds


def _dotted_keys(node: object, prefix: str = "") -> Iterator[str]:
    """Every dotted key path of a nested dict/list config (list items by index)."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list | tuple) else ()
    for name, child in items:
        path = f"{prefix}{name}"
        yield path
        yield from _dotted_keys(child, f"{path}.")


def _lookup(tree: dict, parts: Sequence[str]) -> tuple[bool, object]:
    """(found, node) of a dotted path in a plain config tree."""
    node: object = tree
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list | tuple) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def cfg_options_dict(cfg: Config, texts: Sequence[str], source: str) -> dict[str, object]:
    """The options as MMEngine's ``merge_from_dict`` takes them, after checking each key against ``cfg``."""
    tree, options = cfg.to_dict(), {}
    for text in texts:
        key, value, adds = parse_cfg_option(text)
        parts = key.split(".")
        exists = _lookup(tree, parts)[0]
        if adds:
            parent_found, parent = _lookup(tree, parts[:-1])
            if exists:
                raise CLIError(f"--cfg-options +{key}: {source} already has {key}; drop the '+' to override it")
            if not parent_found or not isinstance(parent, dict):
                raise CLIError(f"--cfg-options +{key}: {source} has no section {'.'.join(parts[:-1])!r} to add to")
        elif not exists:
            close = difflib.get_close_matches(key, list(_dotted_keys(tree)), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise CLIError(f"--cfg-options {key}: no such key in {source}{hint} (+{key}=VALUE adds a new key)")
        options[key] = value
    return options
