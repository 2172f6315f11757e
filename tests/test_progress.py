"""Progress bars: shown in a terminal or a Jupyter kernel, hidden under RLVID_PROGRESS=0."""

from __future__ import annotations

import io
import sys

import pytest

from rlvid import progress as progress_module
from rlvid.progress import progress, progress_enabled


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_shows_bars_and_the_variable_hides_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", _Tty())
    monkeypatch.delenv("RLVID_PROGRESS", raising=False)
    assert progress_enabled()
    bar = progress(range(3), desc="work")
    assert not bar.disable and list(bar) == [0, 1, 2]
    assert "work" in sys.stderr.getvalue()
    assert progress(range(3), enabled=False).disable
    monkeypatch.setenv("RLVID_PROGRESS", "0")
    assert not progress_enabled() and progress(range(3)).disable


def test_a_pipe_hides_bars_unless_in_a_jupyter_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.delenv("RLVID_PROGRESS", raising=False)
    monkeypatch.setattr(progress_module, "_in_jupyter_kernel", lambda: False)
    assert not progress_enabled()
    monkeypatch.setattr(progress_module, "_in_jupyter_kernel", lambda: True)
    assert progress_enabled()
