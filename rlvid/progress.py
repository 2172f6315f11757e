"""Progress bars for long work: training, evaluation, data generation, notebooks.

One rule for every bar in the kit: shown in a terminal and in an interactive Jupyter kernel
(JupyterLab renders tqdm's text bar in place), hidden when ``$RLVID_PROGRESS`` is ``0``.
``rlvid run`` and ``make book`` set it to ``0`` for the kernels they start, so the executed
notebooks and the book carry no bars, while ``rlvid run`` shows its own bar over the cells.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any, TypeVar

from tqdm import tqdm

ENV_VAR = "RLVID_PROGRESS"
T = TypeVar("T")


def _in_jupyter_kernel() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    ip = shell.get_ipython()  # type: ignore[attr-defined]
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def progress_enabled() -> bool:
    """False under ``RLVID_PROGRESS=0``; else True in a terminal or a Jupyter kernel."""
    if os.environ.get(ENV_VAR, "").strip() == "0":
        return False
    stream = sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)()) or _in_jupyter_kernel()


def progress(iterable: Iterable[T] | None = None, *, enabled: bool = True,
             **kwargs: Any) -> tqdm:
    """``tqdm(iterable, **kwargs)``, shown only where :func:`progress_enabled` says so."""
    kwargs.setdefault("leave", False)
    kwargs.setdefault("dynamic_ncols", True)
    return tqdm(iterable, disable=not (enabled and progress_enabled()), **kwargs)
