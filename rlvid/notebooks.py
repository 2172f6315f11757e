"""Execute the kit's notebooks headless with papermill.

The jupytext ``.py`` file is the source; papermill gets it as an in-memory notebook
and writes the executed copy to ``build/<profile>/notebooks/<name>.ipynb`` with a log
beside it (``build/<profile>/logs/<name>.log``). Parameters are checked against the
notebook's ``parameters`` cell first, so a mistyped name or a value of the wrong type
stops with one line instead of a traceback half-way through.
"""

from __future__ import annotations

import ast
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rlvid.config import ENV_VAR, default_profile, profile_config
from rlvid.errors import RlvidError
from rlvid.runtime import project_root

NOTEBOOK_DIR = "notebooks"


def notebook_sources() -> list[Path]:
    """Every notebook source, in book order (``NN_name.py``)."""
    return sorted((project_root() / NOTEBOOK_DIR).glob("[0-9][0-9]_*.py"))


def find_notebook(name: str | Path) -> Path:
    """A path, or a bare name such as ``00_toolkit``, resolved to its ``.py`` source."""
    path = Path(name)
    if path.is_file():
        return path.resolve()
    stem = path.stem
    for candidate in notebook_sources():
        if candidate.stem == stem or candidate.stem.split("_", 1)[-1] == stem:
            return candidate
    known = ", ".join(p.stem for p in notebook_sources())
    raise RlvidError(f"no notebook {str(name)!r}; known: {known}")


def build_root(profile: str) -> Path:
    return project_root() / "build" / profile


def declared_parameters(source: Path) -> dict[str, Any]:
    """Names and default values assigned in the notebook's ``parameters`` cell."""
    import jupytext

    nb = jupytext.read(source)
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            params: dict[str, Any] = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                        and isinstance(node.targets[0], ast.Name):
                    try:
                        params[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError:
                        params[node.targets[0].id] = None
            return params
    raise RlvidError(f"{source.name} has no cell tagged 'parameters'")


def check_parameters(source: Path, parameters: Mapping[str, Any]) -> None:
    """Refuse unknown names and values whose type differs from the default's."""
    declared = declared_parameters(source)
    for name, value in parameters.items():
        if name not in declared:
            raise RlvidError(
                f"{source.stem} has no parameter {name!r}; its parameters: "
                f"{', '.join(declared)}"
            )
        default = declared[name]
        if default is None or value is None:
            continue
        ok = isinstance(value, type(default)) or (
            isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool)
        ) or (isinstance(default, (list, tuple)) and isinstance(value, (list, tuple)))
        if not ok or (isinstance(value, bool) != isinstance(default, bool)):
            raise RlvidError(
                f"{source.stem} parameter {name!r} must be {type(default).__name__} "
                f"(default {default!r}), got {type(value).__name__} {value!r}"
            )


def run_notebook(
    name: str | Path,
    profile: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    build_dir: str | Path | None = None,
) -> Path:
    """Execute one notebook at ``profile``; return the executed ``.ipynb`` path.

    Raises :class:`RlvidError` with one line (the failing cell's error and the log path)
    when a cell fails.
    """
    import jupytext
    import papermill
    from papermill.exceptions import PapermillExecutionError

    profile = profile or default_profile()
    profile_config(profile)  # refuses an unknown profile in one line
    source = find_notebook(name)
    params = {"profile": profile, **dict(parameters or {})}
    check_parameters(source, params)

    root = Path(build_dir) if build_dir else build_root(profile)
    out_dir, log_dir = root / "notebooks", root / "logs"
    out_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / f"{source.stem}.ipynb"
    log_path = log_dir / f"{source.stem}.log"

    env = {ENV_VAR: profile, "RLVID_RESULTS": str(root / "results")}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits these
    start = time.perf_counter()
    try:
        with open(log_path, "w") as log:
            papermill.execute_notebook(
                _with_python_kernel(jupytext.read(source)), str(output), parameters=params,
                cwd=str(source.parent), kernel_name="python3", language="python",
                progress_bar=False,
                stdout_file=log, stderr_file=log, log_output=False,
            )
    except PapermillExecutionError as exc:
        raise RlvidError(
            f"{source.name} failed in cell {exc.exec_count}: {exc.ename}: "
            f"{str(exc.evalue).splitlines()[0] if exc.evalue else ''} (log: {log_path})"
        ) from None
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    with open(log_path, "a") as log:
        log.write(f"\n[rlvid] {source.name} at profile {profile}: "
                  f"{time.perf_counter() - start:.1f} s\n")
    return output


def _with_python_kernel(nb: Any) -> Any:
    """Every notebook runs on the ``python3`` kernel (the active environment's)."""
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata.setdefault("language_info", {"name": "python"})
    return nb
