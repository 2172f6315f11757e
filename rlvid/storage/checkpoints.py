"""Checkpoints that load safely: written atomically with the RNG states, read with
``torch.load(weights_only=True)`` and a short allow-list (numpy arrays, scalars and dtypes:
the RNG states and a few logged numbers), so a file whose pickle calls code is refused in one
line and runs nothing.
"""

from __future__ import annotations

import pickle
import random
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rlvid.errors import RlvidError
from rlvid.storage.files import atomic_write_bytes

# the non-tensor types an rlvid checkpoint holds besides dicts, lists, tuples, strings and
# numbers: numpy's RNG state (an array of uint32) and numpy scalars in logged values
SAFE_GLOBALS: list[Any] = [
    np.ndarray, np.dtype, np._core.multiarray._reconstruct, np._core.multiarray.scalar,
    *(getattr(np.dtypes, name) for name in np.dtypes.__all__),
]


class CheckpointError(RlvidError):
    """A checkpoint that is missing, unreadable (truncated, corrupt), unsafe or of another
    kind."""


def rng_state() -> dict[str, Any]:
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> Path:
    """Atomically save ``state`` plus the RNG states (key ``rng``)."""
    state = {**state, "rng": rng_state()}
    return atomic_write_bytes(path, lambda fh: torch.save(state, fh))


def safe_torch_load(path: str | Path, what: str = "checkpoint") -> Any:
    """``torch.load`` that runs no code from the file: tensors, containers, numbers,
    strings and :data:`SAFE_GLOBALS` only. Anything else raises :class:`CheckpointError`."""
    path = Path(path)
    try:
        with torch.serialization.safe_globals(SAFE_GLOBALS), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's notes on pickle protocols
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        found = [line.strip() for line in str(exc).splitlines() if "GLOBAL" in line]
        if found:  # a type or function outside the allow-list
            raise CheckpointError(f"{path}: refused, not a safe rlvid {what} ({found[0][:160]}"
                                  "); nothing in it was run") from None
        raise CheckpointError(f"{path}: not a readable {what} (not a file torch.save wrote, "
                              "or it holds objects rlvid never stores)") from None
    except Exception as exc:  # truncated, corrupt, or not a torch file at all
        raise _unreadable(path, what, exc) from None


def _unreadable(path: Path, what: str, exc: BaseException) -> CheckpointError:
    reason = (str(exc).strip().splitlines() or [""])[0].split(". ")[0][:120]
    return CheckpointError(f"{path}: not a readable {what} ({type(exc).__name__}: {reason})")


def load_checkpoint(path: str | Path, restore_rng: bool = True) -> dict[str, Any]:
    """Load a checkpoint written by :func:`save_checkpoint`; optionally restore RNGs.

    A missing, truncated, foreign or unsafe file raises :class:`CheckpointError` (one line).
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint")
    state = safe_torch_load(path)
    if not isinstance(state, dict):
        raise CheckpointError(f"{path}: not an rlvid checkpoint (holds a "
                              f"{type(state).__name__})")
    if restore_rng and "rng" in state:
        try:
            set_rng_state(state["rng"])
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckpointError(f"{path}: its RNG states are damaged ({exc})") from None
    return state


def load_weights(module: torch.nn.Module, weights: Any, where: str) -> torch.nn.Module:
    """``module.load_state_dict(weights)``; weights that do not fit it (other shapes, keys
    missing, not a state dict) raise :class:`CheckpointError` naming ``where``."""
    try:
        module.load_state_dict(weights)
    except (RuntimeError, TypeError, AttributeError, KeyError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        shown = (str(exc).split("size mismatch for ")[1].split(":")[0]
                 if "size mismatch for " in str(exc) else first[:120])
        raise CheckpointError(f"{where}: its weights do not fit the network its spec "
                              f"describes ({shown}); the file is damaged or was edited") from None
    return module


def checkpoint_kind(state: dict[str, Any]) -> str:
    """What a loaded checkpoint holds, in words, for error messages."""
    if "spec" in state and "state_dict" in state:
        return f"a v2v translator ({state.get('method', '?')}, profile {state.get('profile')})"
    if "stage" in state:  # before "trainer": a ROVR harness checkpoint holds both
        return f"a ROVR {state['stage']} checkpoint"
    if "trainer" in state:
        return f"a v2v training checkpoint ({state.get('method', '?')})"
    return "not an rlvid checkpoint"
