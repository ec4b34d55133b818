"""Unpickling the authors' RefAVA files without running code: pickles are programs, users' files untrusted.

Plain containers and numbers (dict, list, tuple, str, bytes, int, float, bool, None) need no global
at all; the only globals allowed are the ones NumPy's own pickles of arrays and scalars name. Any
other global (``os.system``, ``builtins.eval``, a class of some package) is refused before it is
looked up, so a ``__reduce__`` payload never runs.
"""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

# (module, name) pairs NumPy 1.x and 2.x write for arrays, dtypes and scalars, and the latin-1 codec
# that protocol-2 pickles use for byte strings.
ALLOWED_GLOBALS = frozenset(
    [(module, name) for module in ("numpy.core.multiarray", "numpy._core.multiarray")
     for name in ("_reconstruct", "scalar")]
    + [(module, "_frombuffer") for module in ("numpy.core.numeric", "numpy._core.numeric")]
    + [("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")]
)


class RefusedPickleError(pickle.UnpicklingError):
    """A pickle that names a global outside :data:`ALLOWED_GLOBALS`."""


class PlainDataUnpickler(pickle.Unpickler):
    """An unpickler for plain data and NumPy arrays only."""

    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED_GLOBALS:
            raise RefusedPickleError(f"refused global {module}.{name}")
        return super().find_class(module, name)


def load_plain_pickle(path: str | os.PathLike) -> object:
    """The object pickled in ``path``, refusing every global but NumPy's (see the module docstring)."""
    return PlainDataUnpickler(io.BytesIO(Path(path).read_bytes())).load()
