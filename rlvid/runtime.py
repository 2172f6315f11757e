"""Runs you can trust: seeds, devices, run directories, provenance and checkpoints.

Every trainer uses these, so a run is reproducible (same seed and profile give the
same numbers on the CPU), resumable (atomic checkpoints with RNG states) and
self-describing (each run directory records config, commit, versions, device and
metric backends).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import random
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rlvid.errors import RlvidError
from rlvid.paths import (
    project_root,  # noqa: F401  (old import path; use rlvid.paths)
    runs_root,
)

CHECKPOINT_NAME = "checkpoint.pt"
# Tests only: the path of a marker file. Each write of a checkpoint.pt then stops after its
# temporary file is complete and before the rename: it creates the marker and waits until
# the marker is removed, so a test can kill the process at that exact moment.
PAUSE_ENV = "RLVID_TEST_PAUSE_IN_CHECKPOINT_WRITE"
TRACKED_PACKAGES = (
    "rlvid", "torch", "torchvision", "numpy", "opencv-python-headless", "stlpips-pytorch",
    "lpips", "imageio", "imageio-ffmpeg", "papermill", "jupyter-book",
)


class TrainingDiverged(RuntimeError):
    """A loss became NaN or Inf; the last good checkpoint is kept."""


# ---------------------------------------------------------------- seeds & device

def seed_everything(seed: int, deterministic: bool = True) -> None:
    """Seed python, numpy and torch; on the CPU also ask for deterministic kernels.

    Deterministic mode would also fill every new tensor with NaN (to expose reads of
    uninitialised memory): a tenth of a small network's step on the CPU, and no change to
    any result, so that fill is turned off."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.utils.deterministic.fill_uninitialized_memory = False  # type: ignore[attr-defined]
        torch.backends.cudnn.benchmark = False


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` → cuda when available, else cpu; anything else is passed to torch."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


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


# ---------------------------------------------------------------- provenance

def git_commit(path: str | Path | None = None) -> str:
    """The current commit (with ``-dirty`` if the tree has changes), or ``unknown``."""
    cwd = Path(path) if path else Path(__file__).resolve().parent
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=cwd, capture_output=True, text=True, timeout=10).stdout
        return sha + ("-dirty" if dirty.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions(names: tuple[str, ...] = TRACKED_PACKAGES) -> dict[str, str]:
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def device_description(device: torch.device | str | None = None) -> str:
    device = resolve_device("auto") if device is None else torch.device(device)
    if device.type == "cuda":
        return f"cuda: {torch.cuda.get_device_name(device)}"
    return f"cpu: {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"


def provenance(
    config: Any = None, backends: dict[str, str] | None = None, device: Any = None
) -> dict[str, Any]:
    """What a result needs to be trusted: config, commit, versions, device, backends."""
    cfg = config.to_dict() if hasattr(config, "to_dict") else config
    return {
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "profile": cfg.get("profile") if isinstance(cfg, dict) else None,
        "git_commit": git_commit(),
        "packages": package_versions(),
        "python": platform.python_version(),
        "device": device_description(device),
        "metric_backends": backends or {},
        "config": cfg,
    }


# ---------------------------------------------------------------- files

def atomic_write_bytes(path: str | Path, write: Any) -> Path:
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it over.

    A kill mid-write leaves the old ``path`` untouched and no partial file under its
    name (the rename is atomic on POSIX).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if path.name == CHECKPOINT_NAME and os.environ.get(PAUSE_ENV):
            _test_pause(Path(os.environ[PAUSE_ENV]))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def _test_pause(marker: Path, timeout: float = 120.0) -> None:
    """Create ``marker`` and wait until it is removed (see :data:`PAUSE_ENV`)."""
    marker.touch()
    deadline = time.monotonic() + timeout
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(0.01)


def check_writable_dir(path: str | Path, label: str | Path | None = None) -> Path:
    """Refuse, in one line naming ``label`` (default ``path``), a folder that cannot be
    created or written in: one below a file, or in a place without write permission.
    Creates nothing."""
    path = Path(path)
    probe = path
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        raise RlvidError(f"{path} is a file, not a folder" if probe == path and label is None
                         else f"{label or path}: cannot write there, {probe} is a file")
    try:
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        raise RlvidError(f"{label or path}: cannot write in {probe} "
                         f"({exc.strerror or exc})") from None
    return path


def write_json(path: str | Path, obj: Any) -> Path:
    data = json.dumps(obj, indent=2, sort_keys=False, default=_json_default).encode()
    return atomic_write_bytes(path, lambda fh: fh.write(data + b"\n"))


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, (np.ndarray, torch.Tensor)):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> Path:
    """Atomically save ``state`` plus the RNG states (key ``rng``)."""
    state = {**state, "rng": rng_state()}
    return atomic_write_bytes(path, lambda fh: torch.save(state, fh))


class CheckpointError(RlvidError):
    """A checkpoint that is missing, unreadable (truncated, corrupt) or of another kind."""


def load_checkpoint(path: str | Path, restore_rng: bool = True) -> dict[str, Any]:
    """Load a checkpoint written by :func:`save_checkpoint`; optionally restore RNGs.

    A missing, truncated or foreign file raises :class:`CheckpointError` (one line).
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint")
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:  # truncated, corrupt, or not a torch file at all
        reason = (str(exc).strip().splitlines() or [""])[0].split(". ")[0][:120]
        raise CheckpointError(f"{path}: not a readable checkpoint "
                              f"({type(exc).__name__}: {reason})") from None
    if not isinstance(state, dict):
        raise CheckpointError(f"{path}: not an rlvid checkpoint (holds a "
                              f"{type(state).__name__})")
    if restore_rng and "rng" in state:
        set_rng_state(state["rng"])
    return state


def checkpoint_kind(state: dict[str, Any]) -> str:
    """What a loaded checkpoint holds, in words, for error messages."""
    if "spec" in state and "state_dict" in state:
        return f"a v2v translator ({state.get('method', '?')}, profile {state.get('profile')})"
    if "stage" in state:  # before "trainer": a ROVR harness checkpoint holds both
        return f"a ROVR {state['stage']} checkpoint"
    if "trainer" in state:
        return f"a v2v training checkpoint ({state.get('method', '?')})"
    return "not an rlvid checkpoint"


def check_finite(losses: dict[str, torch.Tensor | float], step: int) -> None:
    """Raise :class:`TrainingDiverged` naming the first NaN/Inf loss."""
    for name, value in losses.items():
        v = float(value.detach()) if isinstance(value, torch.Tensor) else float(value)
        if not np.isfinite(v):
            raise TrainingDiverged(
                f"loss {name!r} is {v} at step {step}; the last good checkpoint is kept"
            )


# ---------------------------------------------------------------- run directories

@dataclass
class Run:
    """A run directory: ``config.json``, ``provenance.json``, TensorBoard events, checkpoint."""

    dir: Path

    @classmethod
    def create(
        cls, name: str, config: Any = None, backends: dict[str, str] | None = None,
        root: str | Path | None = None, resume: bool = True,
    ) -> Run:
        """Open ``root/name`` (reusing it when ``resume``) and record provenance."""
        path = Path(root) if root is not None else runs_root()
        run_dir = path / name
        if run_dir.exists() and not resume:
            stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            run_dir = path / f"{name}-{stamp}"
        check_writable_dir(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        for stale in run_dir.glob(".*.tmp"):  # left by a process killed mid-write
            stale.unlink(missing_ok=True)
        run = cls(run_dir)
        cfg = config.to_dict() if hasattr(config, "to_dict") else config
        write_json(run_dir / "config.json", cfg)
        write_json(run_dir / "provenance.json", provenance(config, backends))
        return run

    @property
    def checkpoint_path(self) -> Path:
        return self.dir / CHECKPOINT_NAME

    def latest_checkpoint(self) -> Path | None:
        return self.checkpoint_path if self.checkpoint_path.is_file() else None

    def writer(self) -> Any:
        """A TensorBoard ``SummaryWriter`` in this directory."""
        from torch.utils.tensorboard import SummaryWriter

        return SummaryWriter(log_dir=str(self.dir / "tb"))


@contextmanager
def stop_requests() -> Iterator[dict[str, bool]]:
    """Turn SIGINT/SIGTERM into a flag so a loop can checkpoint and stop cleanly.

    >>> with stop_requests() as stop:
    ...     while not stop["requested"]: ...
    """
    flag = {"requested": False}

    def handler(signum: int, frame: Any) -> None:
        flag["requested"] = True

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, handler)
        except ValueError:  # not the main thread
            pass
    try:
        yield flag
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
