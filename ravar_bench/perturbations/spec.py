"""``--perturb NAME[:SEVERITY]``: from the command line to a ``Perturb`` transform config."""

from __future__ import annotations

from pathlib import Path

from mmengine.config import Config

from ravar_bench.errors import UserError
from ravar_bench.paths import list_configs, project_root
from ravar_bench.perturbations.common import SEVERITIES

# Short names accepted on the command line, for the perturbations named after their noise.
ALIASES = {"shot": "shot_noise", "gaussian": "gaussian_noise"}


def config_names(root: Path) -> list[str]:
    """The perturbations that have a config file in ``root/perturbations``."""
    return [Path(path).stem for path in list_configs("perturbations", root)]


def _severity(text: str, spec: str) -> int:
    """The severity written after the colon, checked to be 1..5."""
    try:
        severity = int(text)
    except ValueError:
        severity = None
    if severity not in SEVERITIES:
        raise UserError(f"--perturb {spec!r}: severity must be an integer in 1..5, got {text!r}")
    return severity


def parse_perturb(spec: str, seed: int = 0, severity: int | None = None, root: Path | None = None) -> dict:
    """``"fog"``, ``"rain:3"``, ``"shot:5"`` -> the ``Perturb`` config, with the config file's default severity.

    ``severity`` (from ``--severity``) overrides the default but must agree with one written in ``spec``.
    """
    root = project_root() if root is None else Path(root)
    name, _, written = spec.strip().partition(":")
    name = ALIASES.get(name.lower(), name.lower())
    path = root / "perturbations" / f"{name}.py"
    if not path.is_file():
        known = ", ".join(config_names(root) + [f"{alias} (= {full})" for alias, full in ALIASES.items()])
        raise UserError(f"--perturb {spec!r}: unknown perturbation {name!r}; known: {known}")
    config = Config.fromfile(str(path))
    chosen = _severity(written, spec) if written else None
    if severity is not None:
        if chosen is not None and chosen != severity:
            raise UserError(f"--perturb {spec!r} conflicts with --severity {severity}")
        chosen = _severity(str(severity), spec)
    if chosen is None:
        chosen = _severity(str(config.default_severity), f"{path}: default_severity")
    return dict(type="Perturb", name=config.type, severity=chosen, seed=int(seed), version=config.version)
