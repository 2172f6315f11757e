"""The check every 'one clear line' test makes of a command's stderr."""

from __future__ import annotations


def one_error_line(err: str, *words: str) -> str:
    """``err`` is one ``rlvid: error:`` line, with no traceback, naming each of ``words``."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rlvid: error:"), err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]
