"""RefAVA-Synth: a procedurally rendered RAVAR data set in the authors' RefAVA format.

``generate(out_dir, seed, size)`` writes it, ``default_root()`` returns the cached default set
(generating it on first use) and ``sample_keyframe(seed)`` renders one key frame in memory. Same
``(seed, GENERATOR_VERSION)`` gives byte-identical files. See docs/SYNTH.md.
"""

from ravar_bench.data.synth.plan import SIZES
from ravar_bench.data.synth.writer import GENERATOR_VERSION, MANIFEST_NAME, default_root, generate, sample_keyframe

__all__ = ["GENERATOR_VERSION", "MANIFEST_NAME", "SIZES", "default_root", "generate", "sample_keyframe"]
