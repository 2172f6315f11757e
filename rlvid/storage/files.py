"""Writes that are true: every output goes to a temporary file of the kit's own naming beside
its target, is checked, and is renamed over it; a write error is one line, and nothing is
left under the target's name.

Temporary names are ``.<target name>.rlvid-<pid>-<random>.tmp[<suffix>]``: the pid says
which process owns one, so :func:`sweep_stale_temps` removes only the kit's own temporaries
of processes that are gone, never a user's ``.*.tmp`` file. New files and folders get the
ordinary modes the umask allows (``mkstemp`` alone would give 0600 and 0700).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from rlvid.errors import RlvidError

# Tests only: the path of a marker file. Each write of a file named CHECKPOINT_NAME (or
# $PAUSE_TARGET_ENV) then stops after its temporary file is complete and before the rename:
# it creates the marker and waits until the marker is removed, so a test can kill or signal
# the process at that moment.
PAUSE_ENV = "RLVID_TEST_PAUSE_IN_CHECKPOINT_WRITE"
PAUSE_TARGET_ENV = "RLVID_TEST_PAUSE_TARGET"
CHECKPOINT_NAME = "checkpoint.pt"
KIT_TEMP = re.compile(r"\..+\.rlvid-(\d+)-[A-Za-z0-9_]+\.tmp(\.[A-Za-z0-9]+)?")


class OutputError(RlvidError, OSError):
    """An output that could not be written (full disk, read-only folder, encoder error)."""


def output_error(path: str | Path, exc: BaseException) -> OutputError:
    """One line naming ``path`` and why its write failed."""
    if isinstance(exc, OutputError):
        return exc
    why = getattr(exc, "strerror", None) or (str(exc).strip().splitlines() or [""])[0]
    return OutputError(f"{path}: cannot write ({why or type(exc).__name__}); "
                       "nothing was written under that name")


def umask() -> int:
    """The process's umask (read without changing it where ``/proc`` allows)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def ordinary_mode(path: str | Path, folder: bool = False) -> None:
    """Give ``path`` the mode a plain ``open``/``mkdir`` would: 0666 or 0777 less the umask."""
    os.chmod(path, (0o777 if folder else 0o666) & ~umask())


def temp_prefix(path: Path) -> str:
    return f".{path.name}.rlvid-{os.getpid()}-"


def make_temp(path: Path, suffix: str = "", folder: bool = False) -> Path:
    """A new, empty temporary file (or folder) of the kit's naming beside ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if folder:
        tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(path), suffix=".tmp" + suffix,
                                    dir=path.parent))
    else:
        fd, name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp" + suffix,
                                    dir=path.parent)
        os.close(fd)
        tmp = Path(name)
    ordinary_mode(tmp, folder)
    return tmp


def remove(path: Path) -> None:
    """Remove a file or a folder tree, if it is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def temp_beside(path: str | Path, suffix: str = "", folder: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it is removed whatever happens, so the caller
    renames it into place (``os.replace``) before leaving. OS errors become one line."""
    path = Path(path)
    sweep_stale_temps(path.parent)
    try:
        tmp = make_temp(path, suffix, folder)
    except OSError as exc:
        raise output_error(path, exc) from None
    try:
        yield tmp
    except OSError as exc:
        raise output_error(path, exc) from None
    finally:
        remove(tmp)


def atomic_write_bytes(path: str | Path, write: Callable[[Any], Any]) -> Path:
    """Call ``write(file)`` on a temporary file beside ``path``, flush it to disk, then
    rename it over ``path``. A kill mid-write leaves the old ``path`` untouched; a full
    disk raises :class:`OutputError` (one line) and leaves nothing under ``path``."""
    path = Path(path)
    with temp_beside(path) as tmp:
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        pause_for_tests(path)
        os.replace(tmp, path)
    return path


def pause_for_tests(path: Path, timeout: float = 120.0) -> None:
    """Before ``path``'s temporary is renamed: with :data:`PAUSE_ENV` set and ``path`` the
    target named there, create the marker and wait until it is removed."""
    marker = os.environ.get(PAUSE_ENV)
    if not marker or path.name != os.environ.get(PAUSE_TARGET_ENV, CHECKPOINT_NAME):
        return
    marker = Path(marker)
    marker.touch()
    deadline = time.monotonic() + timeout
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(0.01)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    except OverflowError:
        return False
    return True


def sweep_stale_temps(folder: str | Path) -> list[Path]:
    """Remove the kit's own temporaries in ``folder`` whose process is gone; return them.
    Anything else (a user's ``.notes.tmp``, a live process's temporary) is left alone."""
    folder, swept = Path(folder), []
    try:
        entries = list(folder.iterdir())
    except OSError:  # not there (yet), or not readable: nothing of ours to sweep
        return swept
    for entry in entries:
        match = KIT_TEMP.fullmatch(entry.name)
        if match and int(match.group(1)) != os.getpid() and not _alive(int(match.group(1))):
            remove(entry)
            swept.append(entry)
    return swept


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
    """``obj`` as indented JSON, written atomically (numpy, tensors and paths converted)."""
    data = json.dumps(obj, indent=2, sort_keys=False, default=_json_default).encode()
    return atomic_write_bytes(path, lambda fh: fh.write(data + b"\n"))


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if hasattr(obj, "tolist"):  # numpy arrays, torch tensors
        return obj.tolist()
    return str(obj)
