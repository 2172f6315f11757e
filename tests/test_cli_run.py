"""``rlvid run`` keeps stderr clean: ipykernel's "running over TCP without encryption"
warning (logged by every papermill kernel) is dropped, and nothing else is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rlvid.cli.run import KERNEL_TCP_WARNING, _without_stderr_lines

WARNING_LINE = ("[IPKernelApp] WARNING | Kernel is running over TCP without encryption. "
                "All communication (including code and outputs) is sent in plain text.")


def test_stderr_filter_drops_only_the_kernel_warning(capfd: pytest.CaptureFixture[str]):
    child = f"import sys; sys.stderr.write({WARNING_LINE!r} + '\\nanother line\\n')"
    with _without_stderr_lines(KERNEL_TCP_WARNING):
        subprocess.run([sys.executable, "-c", child], check=True)
        print("ours too", file=sys.stderr)
    err = capfd.readouterr().err
    assert "without encryption" not in err
    assert "another line" in err and "ours too" in err


def test_rlvid_run_prints_no_kernel_warning(tmp_path: Path):
    notebook = tmp_path / "tiny.py"
    notebook.write_text('# %% tags=["parameters"]\nprofile = "cpu"\n\n# %%\nprint(profile)\n')
    done = subprocess.run([sys.executable, "-m", "rlvid.cli", "run", str(notebook),
                           "--profile", "smoke", "--build-dir", str(tmp_path / "build")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "without encryption" not in done.stderr
    assert (tmp_path / "build" / "notebooks" / "tiny.ipynb").is_file()
