"""On-disk cache of generated arrays, keyed by generator version, parameters and seed.

The cache folder is ``$RLVID_CACHE`` or ``.cache/rlvid`` in the repository (gitignored).
Entries are ``.npz`` files written atomically, so a killed run never leaves half a file,
and a hit returns exactly the arrays that were stored (bit-identical).
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from rlvid.errors import RlvidError, RlvidWarning
from rlvid.paths import CACHE_ENV, cache_dir
from rlvid.runtime import atomic_write_bytes

# Bump a generator's version whenever its output changes for the same parameters.
GENERATOR_VERSIONS: dict[str, int] = {"synthetic": 1, "flowers": 1, "city": 1, "masked": 3}
ENV_VAR = CACHE_ENV


def cache_key(kind: str, params: Mapping[str, Any], seed: int) -> str:
    """A hex digest of the generator name, its version, its parameters and the seed."""
    spec = {"kind": kind, "version": GENERATOR_VERSIONS[kind], "params": dict(params),
            "seed": int(seed)}
    text = json.dumps(spec, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def cache_path(kind: str, params: Mapping[str, Any], seed: int,
               root: str | Path | None = None) -> Path:
    return Path(root or cache_dir()) / f"{kind}-{cache_key(kind, params, seed)}.npz"


def check_cache_folder(folder: Path) -> None:
    """Refuse, in one line, a cache folder that is a file or cannot be written."""
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        raise RlvidError(f"${CACHE_ENV} ({folder}): {probe} is a file, not a folder; point "
                         f"{CACHE_ENV} at a folder")


def cached_arrays(
    kind: str,
    params: Mapping[str, Any],
    seed: int,
    build: Callable[[], Mapping[str, np.ndarray]],
    root: str | Path | None = None,
    use_cache: bool = True,
) -> dict[str, np.ndarray]:
    """Arrays from the cache if present, else ``build()`` them and store them.

    A corrupt entry (say, from a disk that filled up) is rebuilt and replaced.
    """
    path = cache_path(kind, params, seed, root)
    if use_cache:
        check_cache_folder(path.parent)
    if use_cache and path.exists():
        try:
            with np.load(path, allow_pickle=False) as stored:  # arrays only: runs no code
                return {name: stored[name] for name in stored.files}
        except Exception as exc:  # truncated, corrupt, or holding objects: rebuild it
            warnings.warn(f"{path}: unreadable cache entry ({type(exc).__name__}); "
                          "rebuilding it", RlvidWarning, stacklevel=2)
    arrays = {name: np.asarray(a) for name, a in build().items()}
    if use_cache:
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        atomic_write_bytes(path, lambda fh: fh.write(buffer.getvalue()))
    return arrays
