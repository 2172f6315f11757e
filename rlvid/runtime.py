"""Runs you can trust: seeds, devices, run directories, provenance and checkpoints.

Every trainer uses these, so a run is reproducible (same seed and profile give the
same numbers on the CPU), resumable (atomic checkpoints with RNG states) and
self-describing (each run directory records config, commit, versions, device and
metric backends). Files and checkpoints live in :mod:`rlvid.storage.files` and
:mod:`rlvid.storage.checkpoints`, run-folder ownership and locks in
:mod:`rlvid.storage.rundir`; their names are importable from here too.
"""

from __future__ import annotations

import datetime as _dt
import platform
import random
import signal
import subprocess
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
from rlvid.storage.checkpoints import (  # noqa: F401  (importable from here)
    CheckpointError,
    checkpoint_kind,
    load_checkpoint,
    load_weights,
    rng_state,
    save_checkpoint,
    set_rng_state,
)
from rlvid.storage.files import (  # noqa: F401  (importable from here)
    CHECKPOINT_NAME,
    PAUSE_ENV,
    atomic_write_bytes,
    check_writable_dir,
    write_json,
)
from rlvid.storage.rundir import RunLock, claim, new_folder

TRACKED_PACKAGES = (
    "rlvid", "torch", "torchvision", "numpy", "opencv-python-headless", "stlpips-pytorch",
    "lpips", "imageio", "imageio-ffmpeg", "papermill", "jupyter-book",
)


class TrainingDiverged(RlvidError, RuntimeError):
    """A loss became NaN or Inf (the message says whether a checkpoint is kept)."""


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


# ---------------------------------------------------------------- training guards

def check_finite(losses: dict[str, torch.Tensor | float], step: int) -> None:
    """Raise :class:`TrainingDiverged` naming the first NaN/Inf loss."""
    for name, value in losses.items():
        v = float(value.detach()) if isinstance(value, torch.Tensor) else float(value)
        if not np.isfinite(v):
            raise TrainingDiverged(f"loss {name!r} is {v} at step {step}")


# ---------------------------------------------------------------- run directories

@dataclass
class Run:
    """A run directory: ``config.json``, ``provenance.json``, TensorBoard events, checkpoint;
    owned (a marker) and locked (one process at a time) until :meth:`close`."""

    dir: Path
    lock: RunLock | None = None

    @classmethod
    def create(
        cls, name: str, config: Any = None, backends: dict[str, str] | None = None,
        root: str | Path | None = None, resume: bool = True,
        identity: dict[str, Any] | None = None,
    ) -> Run:
        """Open ``root/name`` (reusing it when ``resume``, else a new folder beside it),
        claim it (:func:`rlvid.storage.rundir.claim`: refuses a foreign folder, a run of another
        ``identity`` or a folder another process trains in) and record provenance."""
        path = Path(root) if root is not None else runs_root()
        run_dir = path / name if resume else new_folder(path / name)
        check_writable_dir(run_dir)
        run = cls(run_dir, claim(run_dir, identity))
        try:
            cfg = config.to_dict() if hasattr(config, "to_dict") else config
            write_json(run_dir / "config.json", cfg)
            write_json(run_dir / "provenance.json", provenance(config, backends))
        except BaseException:
            run.close(failed=True)
            raise
        return run

    def close(self, failed: bool = False) -> None:
        """Release the folder's lock (see :meth:`rlvid.storage.rundir.RunLock.release`)."""
        if self.lock is not None:
            self.lock.release(failed)

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
