"""Run folders the kit owns: a marker that says rlvid made the folder and which run it holds,
and a lock that lets one process at a time train in it.

- :func:`claim` refuses a non-empty folder without the marker (the user's own files are never
  written or deleted), refuses a run of another identity (profile, seed, trainer, stage, the
  config's hash), takes the lock (``fcntl.flock``: the kernel drops it when the process dies,
  so a killed run never leaves a stale lock) and sweeps the kit's own stale temporaries.
- A folder an older rlvid made (only the kit's file names, and its ``provenance.json``) is
  adopted: the marker is added and its ``config.json`` is compared instead.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from rlvid.errors import RlvidError
from rlvid.storage.files import KIT_TEMP, sweep_stale_temps, write_json

MARKER = ".rlvid-run.json"
LOCK = ".rlvid-run.lock"
# what a run folder holds, whoever wrote it (older rlvid versions included)
KIT_NAMES = frozenset({MARKER, LOCK, "config.json", "provenance.json", "checkpoint.pt",
                       "history.json", "counts.json", "tb", "model.pt", "pretrained.pt",
                       "eval.json"})
# config fields that change bookkeeping only, never a run's numbers
BOOKKEEPING = frozenset({"seeds", "device", "torch_threads", "checkpoint_every", "log_every",
                         "flop_samples", "eval_videos"})
RESUME_HINT = ("run the same command as before to resume, or pass --force-new to start over "
               "in a new folder")


def _without_bookkeeping(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_bookkeeping(v) for k, v in value.items() if k not in BOOKKEEPING}
    return value


def config_hash(config: Any, sections: tuple[str, ...] | None = None) -> str:
    """A short hash of ``config`` (a Config or its dict; only ``sections`` when given),
    bookkeeping fields left out."""
    cfg = config.to_dict() if hasattr(config, "to_dict") else config
    if isinstance(cfg, dict) and sections:
        cfg = {k: cfg.get(k) for k in sections}
    blob = json.dumps(_without_bookkeeping(cfg), sort_keys=True, default=str)
    return hashlib.sha1(blob.encode()).hexdigest()[:12]


def run_identity(config: Any, seed: int, meta: dict[str, Any] | None = None,
                 sections: tuple[str, ...] | None = None) -> dict[str, Any]:
    """What makes two trainings the same run: profile, seed, trainer keys (method and
    dataset, or stage and variant) and the config's hash."""
    cfg = config.to_dict() if hasattr(config, "to_dict") else config
    profile = cfg.get("profile") if isinstance(cfg, dict) else None
    identity = {"profile": profile, "seed": int(seed), **(meta or {}),
                "config": config_hash(cfg, sections)}
    if sections:
        identity["sections"] = list(sections)
    return identity


def read_marker(run_dir: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((run_dir / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) and marker.get("rlvid") == "run" else None


def _is_legacy_run(run_dir: Path, names: list[str]) -> bool:
    """Made by an rlvid from before the marker: only the kit's names, and its provenance."""
    if not all(n in KIT_NAMES or KIT_TEMP.fullmatch(n) for n in names):
        return False
    try:
        prov = json.loads((run_dir / "provenance.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(prov, dict) and {"git_commit", "packages", "config"} <= set(prov)


def check_owned(run_dir: str | Path) -> None:
    """Refuse, in one line, a folder that is a file or holds files rlvid did not write."""
    run_dir = Path(run_dir)
    if not run_dir.exists():
        return
    if not run_dir.is_dir():
        raise RlvidError(f"{run_dir} is a file, not a run folder")
    names = sorted(p.name for p in run_dir.iterdir())
    leftovers = all(n == LOCK or KIT_TEMP.fullmatch(n) for n in names)  # a start cut short
    if leftovers or read_marker(run_dir) is not None or _is_legacy_run(run_dir, names):
        return
    shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
    raise RlvidError(f"{run_dir}: not a run folder rlvid created (it holds {shown}); "
                     "rlvid writes only into an empty folder or one of its own: choose "
                     "another --run-dir")


def check_identity(run_dir: str | Path, identity: dict[str, Any],
                   hint: str = RESUME_HINT) -> None:
    """Refuse, in one line ending with ``hint``, resuming ``run_dir`` as a run of another
    identity."""
    run_dir = Path(run_dir)
    marker = read_marker(run_dir)
    if marker is not None:
        theirs = marker.get("identity") or {}
    elif (run_dir / "config.json").is_file():  # an older rlvid's folder: its config alone
        try:
            config = json.loads((run_dir / "config.json").read_text())
        except (OSError, ValueError):
            config = None
        theirs = {"config": config_hash(config, _sections(identity, config))}
    else:
        return
    differ = [k for k in identity if k in theirs and theirs[k] != identity[k]]
    if differ:
        shown = "; ".join(f"its {k} is {theirs[k]!r}, not {identity[k]!r}" for k in differ)
        raise RlvidError(f"{run_dir}: holds another run ({shown}); {hint}")


def _sections(identity: dict[str, Any], config: Any) -> tuple[str, ...] | None:
    """The sections whose hash ``identity`` holds (stored beside it in the marker)."""
    wanted = identity.get("sections")
    return tuple(wanted) if wanted and isinstance(config, dict) else None


class RunLock:
    """An exclusive ``flock`` on ``run_dir/.rlvid-run.lock``, held until :meth:`release`."""

    def __init__(self, run_dir: Path):
        self.path = run_dir / LOCK
        self.fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(self.fd, 32).decode(errors="replace").strip() or "?"
            os.close(self.fd)
            self.fd = None
            raise RlvidError(f"{run_dir}: another rlvid process (pid {holder}) is training "
                             "in this folder; wait for it to end or choose another "
                             "--run-dir") from None
        os.ftruncate(self.fd, 0)
        os.write(self.fd, f"{os.getpid()}\n".encode())

    created = False  # claim() made the folder: a start that fails takes it away again

    def release(self, failed: bool = False) -> None:
        """Drop the lock; after a ``failed`` start in a folder this claim made, remove the
        folder (it holds only what this start wrote)."""
        if self.fd is None:
            return
        if failed and self.created:  # all in it is this start's own
            shutil.rmtree(self.path.parent, ignore_errors=True)
        os.close(self.fd)  # closing drops the flock
        self.fd = None


def claim(run_dir: str | Path, identity: dict[str, Any] | None = None) -> RunLock:
    """Own and lock ``run_dir`` for one training of ``identity``: refuse a foreign folder, a
    run of another identity, or a folder another process holds; then write the marker and
    sweep the kit's stale temporaries. Nothing is written before every check has passed."""
    run_dir = Path(run_dir)
    check_owned(run_dir)
    if identity is not None:
        check_identity(run_dir, identity)
    created = not run_dir.exists()
    run_dir.mkdir(parents=True, exist_ok=True)
    lock = RunLock(run_dir)
    lock.created = created
    try:
        check_owned(run_dir)  # again under the lock: another process may have written
        if identity is not None:
            check_identity(run_dir, identity)
        marker = read_marker(run_dir) or {"rlvid": "run"}
        if identity is not None and marker.get("identity") != identity:
            write_json(run_dir / MARKER, {**marker, "identity": identity})
        elif not (run_dir / MARKER).is_file():
            write_json(run_dir / MARKER, marker)
        sweep_stale_temps(run_dir)
    except BaseException:
        lock.release(failed=True)
        raise
    return lock


def new_folder(path: str | Path) -> Path:
    """``path`` if nothing is there yet, else ``path-<date>-<time>`` beside it."""
    path = Path(path)
    if not path.exists():
        return path
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.name}-{stamp}")
