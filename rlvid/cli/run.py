"""``rlvid run NOTEBOOK``: execute one notebook with papermill into the build folder.

``rlvid run NOTEBOOK --help`` also lists the notebook's parameters (name, type, default and
help, laid out as ``papermill --help-notebook`` does), read from its ``parameters`` cell.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rlvid.config import parse_value

# ipykernel logs this on its stderr, which the kernel inherits from us, whenever a kernel
# talks over local TCP without CurveZMQ (always, for papermill's kernels)
KERNEL_TCP_WARNING = b"Kernel is running over TCP without encryption"


def register(subparsers: Any) -> None:
    run = subparsers.add_parser(
        "run", help="execute one notebook with papermill into the build folder",
        add_help=False, epilog="rlvid run NOTEBOOK --help also lists NOTEBOOK's parameters.")
    run.add_argument("-h", "--help", action=NotebookHelp,
                     help="show this help message (and NOTEBOOK's parameters) and exit")
    run.add_argument("notebook", help="path or name, e.g. notebooks/00_toolkit.py or 00_toolkit")
    run.add_argument("--profile", default=None, help="smoke | cpu | paper")
    run.add_argument("-p", "--param", nargs=2, action="append", default=[],
                     metavar=("NAME", "VALUE"), help="a papermill parameter")
    run.add_argument("--build-dir", default=None, help="default: build/notebooks/<profile>")
    run.set_defaults(func=_cmd_run)


def _cmd_run(args: argparse.Namespace) -> int:
    from rlvid.book.notebooks import run_notebook

    params = {name: parse_value(value) for name, value in args.param}
    with _without_stderr_lines(KERNEL_TCP_WARNING):
        out = run_notebook(args.notebook, profile=args.profile, parameters=params,
                           build_dir=args.build_dir)
    print(f"executed: {out}")
    return 0


# ---------------------------------------------------------------- --help with parameters

class NotebookHelp(argparse.Action):
    """``-h``/``--help``: the usual help, then the parameters of the notebook named before
    it on the command line (``rlvid run 10_synthetic --help``)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: Any = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        notebook = getattr(namespace, "notebook", None)
        # read first: an unknown notebook stops with one line, before any help is printed
        lines = notebook_help(notebook) if notebook else []
        parser.print_help()
        if lines:
            print("\n".join(lines))
        parser.exit()


def notebook_help(notebook: str) -> list[str]:
    """The lines ``papermill --help-notebook`` would print for ``notebook``'s parameters:
    ``  name: type (default value)`` and the help comment from column 34 (on a line of its
    own when the definition is longer than 30 characters)."""
    from rlvid.book.notebooks import find_notebook, parameter_help

    source = find_notebook(notebook)
    lines = [f"\nParameters of notebook '{source.stem}' (set each with -p NAME VALUE):"]
    rows = parameter_help(source)
    for name, kind, default, text in rows:
        definition = f"  {name}: {kind or 'Unknown type'} (default {default})"
        if len(definition) > 30:
            lines.append(f"{definition}\n{34 * ' '}{text}" if text else definition)
        else:
            lines.append(f"{definition:<34}{text}".rstrip())
    if not rows:
        lines.append("\n  It declares none.")
    return lines


# ---------------------------------------------------------------- quiet kernel stderr

@contextmanager
def _without_stderr_lines(fragment: bytes) -> Iterator[None]:
    """Pass file descriptor 2 through a pipe that drops lines containing ``fragment``, so a
    child process's one known warning is silenced and everything else still shows."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no stderr to filter
        yield
        return
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)

    def pump() -> None:
        with os.fdopen(read_end, "rb") as lines:
            for line in lines:
                if fragment not in line:
                    os.write(saved, line)

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # closes our copy of the pipe's write end
        thread.join(timeout=10)  # EOF once the kernel, which shares the pipe, has exited
        if not thread.is_alive():  # else leave it to the pump: never close a used fd
            os.close(saved)
