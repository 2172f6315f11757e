"""The ``PYTHONSTARTUP`` file of every kernel :func:`rlvid.book.notebooks.run_notebook` starts:
it turns on :func:`rlvid.book.figure_check.record_figures` for the report the run names."""

import os as _os

from rlvid.book.figure_check import record_figures as _record_figures
from rlvid.paths import FIGURE_REPORT_ENV as _FIGURE_REPORT_ENV

if _os.environ.get(_FIGURE_REPORT_ENV):
    _record_figures(_os.environ[_FIGURE_REPORT_ENV])
del _os, _record_figures, _FIGURE_REPORT_ENV
