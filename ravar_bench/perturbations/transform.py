"""``Perturb``: the pipeline step that applies a test-time perturbation to every visual input of a sample."""

from __future__ import annotations

import hashlib
import json

import numpy as np
from mmcv.transforms import BaseTransform

from ravar_bench.perturbations.common import SEVERITIES
from ravar_bench.registry import PERTURBATIONS, TRANSFORMS

VISUAL_INPUTS = ("frames", "keyframe")


def sample_seed(seed: int, key: str, name: str, severity: int) -> np.random.SeedSequence:
    """The sample's seed: a stable hash of (run seed, sample key, perturbation, severity).

    It depends on nothing else, so a sample's perturbation is the same whatever the batch size, worker
    count or order (Python's ``hash`` is salted per process, so it is not used).
    """
    message = json.dumps([int(seed), str(key), str(name), int(severity)]).encode()
    digest = hashlib.blake2b(message, digest_size=16).digest()
    return np.random.SeedSequence(int.from_bytes(digest, "little"))


def known_perturbations() -> list[str]:
    """The registered perturbation names (the package's ``__init__`` has registered them by now)."""
    return sorted(PERTURBATIONS.module_dict)


@TRANSFORMS.register_module()
class Perturb(BaseTransform):
    """Apply the perturbation ``name`` at ``severity`` to ``results["frames"]`` and ``results["keyframe"]``.

    The clip and the key frame get independent streams spawned from :func:`sample_seed`; what was
    applied is recorded in ``results["perturbation"]``. ``version``, when given, must match the code's.
    """

    def __init__(self, name: str, severity: int, seed: int = 0, version: int | None = None) -> None:
        if name not in known_perturbations():
            raise KeyError(f"Perturb: unknown perturbation {name!r}; known: {', '.join(known_perturbations())}")
        self.fn = PERTURBATIONS.get(name)
        if isinstance(severity, bool) or not isinstance(severity, int) or severity not in SEVERITIES:
            raise ValueError(f"Perturb: severity of {name!r} must be an integer in 1..5, got {severity!r}")
        if version is not None and version != self.fn.version:
            raise ValueError(f"Perturb: config asks for {name!r} version {version}, the code is version "
                             f"{self.fn.version}")
        self.name, self.severity, self.seed = name, severity, int(seed)

    def transform(self, results: dict) -> dict:
        """Perturb the sample's visual inputs in place and record the perturbation."""
        present = [field for field in VISUAL_INPUTS if field in results]
        if "key" not in results or not present:
            raise KeyError(f"Perturb needs results['key'] and at least one of {VISUAL_INPUTS}; "
                           f"got fields {sorted(results)}")
        streams = sample_seed(self.seed, results["key"], self.name, self.severity).spawn(len(VISUAL_INPUTS))
        for field, stream in zip(VISUAL_INPUTS, streams, strict=True):
            if field in results:
                image = np.asarray(results[field])
                clip = image if field == "frames" else image[None]
                out = self.fn(clip, self.severity, np.random.default_rng(stream))
                results[field] = out if field == "frames" else out[0]
        results["perturbation"] = dict(name=self.name, severity=self.severity, seed=self.seed,
                                       version=self.fn.version)
        return results

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, severity={self.severity}, seed={self.seed})"
