"""Every place the kit reads or writes, in one module.

| what | where | override |
|---|---|---|
| the checkout | the folder holding ``pyproject.toml`` above this package, else the cwd | |
| training runs (the CLI's) | ``<project>/runs`` | ``$RLVID_RUNS`` |
| a profile's build: executed notebooks, logs, runs | ``<project>/build/<profile>`` | |
| a fresh run's result tables | ``<project>/build/<profile>/results`` | ``$RLVID_RESULTS`` |
| the figure check's report of each notebook | ``<project>/build/<profile>/figures`` | |
| committed reference results | ``<project>/results/<profile>`` | |
| generated datasets | ``<project>/.cache/rlvid`` | ``$RLVID_CACHE`` |
| notebook sources | ``<project>/notebooks`` | |
"""

from __future__ import annotations

import os
from pathlib import Path

RUNS_ENV = "RLVID_RUNS"
RESULTS_ENV = "RLVID_RESULTS"
CACHE_ENV = "RLVID_CACHE"
FIGURE_REPORT_ENV = "RLVID_FIGURE_REPORT"  # set: rlvid.book.figure_check records every figure


def project_root() -> Path:
    """The checkout holding this package (where ``pyproject.toml`` is), else the cwd.

    Default locations hang off it, so a notebook executed with another working directory
    still writes to the same places.
    """
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


def _env(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value) if value else None


def runs_root() -> Path:
    """``$RLVID_RUNS`` or ``<project>/runs``."""
    return _env(RUNS_ENV) or project_root() / "runs"


def build_root(profile: str) -> Path:
    """``<project>/build/<profile>``: executed notebooks, their logs and their runs."""
    return project_root() / "build" / profile


def results_dir(profile: str) -> Path:
    """Where a fresh run writes its tables: ``$RLVID_RESULTS``, else ``build/<profile>/results``."""
    return _env(RESULTS_ENV) or build_root(profile) / "results"


def reference_path(name: str, profile: str) -> Path:
    """The committed reference table ``results/<profile>/<name>.json``."""
    return project_root() / "results" / profile / f"{name}.json"


def cache_dir() -> Path:
    """``$RLVID_CACHE`` if set, else ``<project>/.cache/rlvid``."""
    return _env(CACHE_ENV) or project_root() / ".cache" / "rlvid"


def notebook_dir() -> Path:
    return project_root() / "notebooks"
