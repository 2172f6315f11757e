"""``rlvid run`` keeps stderr clean: ipykernel's "running over TCP without encryption"
warning (logged by every papermill kernel) is dropped, and nothing else is. ``rlvid run
NOTEBOOK --help`` lists the notebook's parameters as ``papermill --help-notebook`` does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rlvid.cli import main
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


TINY = '''# %% tags=["parameters"]
from typing import Optional

profile: str = "cpu"  # smoke | cpu | paper
seeds: Optional[list] = None  # training seeds
steps = 3
label = "a" + "b"  # not a literal

# %%
print(profile)
'''


def test_run_help_lists_the_notebooks_parameters(tmp_path: Path, capsys):
    notebook = tmp_path / "tiny.py"
    notebook.write_text(TINY)
    with pytest.raises(SystemExit) as stop:
        main(["run", str(notebook), "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: rlvid run")
    params = out.split("Parameters of notebook 'tiny' (set each with -p NAME VALUE):\n")[1]
    # laid out as papermill --help-notebook: help from column 34, on its own line when the
    # name, type and default take more than 30 characters
    assert params.splitlines() == [
        '  profile: str (default "cpu")    smoke | cpu | paper',
        "  seeds: Optional[list] (default None)",
        f"{34 * ' '}training seeds",
        "  steps: int (default 3)",
        '  label: Unknown type (default "a" + "b")',
        f"{34 * ' '}not a literal",
    ]


def test_run_help_of_every_notebook_shows_name_type_default_and_help(capsys):
    from rlvid.book.notebooks import notebook_sources, parameter_help

    for source in notebook_sources():
        with pytest.raises(SystemExit):
            main(["run", source.stem, "-h"])
        out = capsys.readouterr().out
        for name, kind, default, text in parameter_help(source):
            assert f"  {name}: {kind} (default {default})" in out, (source.stem, name)
            assert text in out


def test_run_help_without_a_notebook_and_with_an_unknown_one(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    assert "usage: rlvid run" in out and "Parameters of notebook" not in out
    assert main(["run", "99_nothing", "--help"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("rlvid: error: no notebook '99_nothing'")
    assert captured.err.count("\n") == 1
