"""The ``rlvid`` command line.

``rlvid info`` prints versions, threads, device and metric backends; ``rlvid run``
executes one notebook through papermill; ``rlvid compare`` sets two result tables
side by side. Each area adds its own commands (data, train, eval, translate, inpaint)
through a ``register`` function, so this file stays a thin dispatcher.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import yaml

from rlvid.config import Config, load_config
from rlvid.errors import RlvidError

# (module, function): each adds its commands to the top-level subparsers.
COMMAND_PLUGINS: tuple[tuple[str, str], ...] = (
    ("rlvid.data.cli", "register"),
    ("rlvid.train.v2v_cli", "register"),
    ("rlvid.train.rovr_cli", "register"),
)
# (module, function): each adds a trainer under ``rlvid train``.
TRAIN_PLUGINS: tuple[tuple[str, str], ...] = (
    ("rlvid.train.v2v_cli", "register_train"),
    ("rlvid.train.rovr_cli", "register_train"),
)


# ---------------------------------------------------------------- shared helpers

class UsageError(RlvidError):
    """A command line that argparse refuses (unknown option, bad value)."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``rlvid: error: ...``, exit code 2) in place of the
    usage block; subcommand parsers inherit it."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("rlvid").strip()
        where = f"{command}: " if command else ""
        raise UsageError(f"{where}{message} (see rlvid {command} --help)".replace("  ", " "))


def positive_number(text: str) -> float:
    """argparse type: a finite number > 0 (fps, for instance)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def whole_number(minimum: int) -> Callable[[str], int]:
    """argparse type: an integer >= ``minimum`` (0 for seeds, 1 for step counts)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {text!r}")
        return value

    return parse


def parse_value(text: str) -> Any:
    """A command-line value parsed as YAML: ``3`` → int, ``1e-3`` → float, ``[1,2]`` → list."""
    value = yaml.safe_load(text)
    if isinstance(value, str):  # YAML reads 1e-3 as a string
        try:
            return float(value)
        except ValueError:
            return value
    return value


def add_config_args(parser: argparse.ArgumentParser) -> None:
    """``--profile P`` and repeated ``-p NAME VALUE`` (dotted config names)."""
    parser.add_argument("--profile", default=None,
                        help="smoke | cpu | paper (default: $RLVID_PROFILE or cpu)")
    parser.add_argument("-p", "--set", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"),
                        help="override a config field, e.g. -p v2v.lr 1e-3")


def config_from_args(args: argparse.Namespace) -> Config:
    overrides = {name: parse_value(value) for name, value in getattr(args, "set", [])}
    cfg = load_config(args.profile, overrides)
    if cfg.torch_threads:
        import torch

        torch.set_num_threads(cfg.torch_threads)
    return cfg


# ---------------------------------------------------------------- built-in commands

def _cmd_info(args: argparse.Namespace) -> int:
    import platform

    import torch

    from rlvid import __version__
    from rlvid.runtime import device_description, package_versions

    print(f"rlvid {__version__} (python {platform.python_version()})")
    for name, version in package_versions().items():
        print(f"  {name:24s} {version}")
    print(f"torch threads: {torch.get_num_threads()}")
    print(f"device: {device_description()}")
    print(f"cuda available: {torch.cuda.is_available()}")
    try:
        from rlvid.metrics import metric_backends
    except ImportError as exc:
        print(f"metric backends: unavailable ({exc})")
    else:
        print("metric backends:")
        for kind, desc in metric_backends().items():
            print(f"  {kind:12s} {desc}")
    return 0


# ipykernel logs this on its stderr, which the kernel inherits from us, whenever a kernel
# talks over local TCP without CurveZMQ (always, for papermill's kernels)
KERNEL_TCP_WARNING = b"Kernel is running over TCP without encryption"


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


def _cmd_run(args: argparse.Namespace) -> int:
    from rlvid.notebooks import run_notebook

    params = {name: parse_value(value) for name, value in args.param}
    with _without_stderr_lines(KERNEL_TCP_WARNING):
        out = run_notebook(args.notebook, profile=args.profile, parameters=params,
                           build_dir=args.build_dir)
    print(f"executed: {out}")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from rlvid.results import compare_tables, load_table

    report = compare_tables(load_table(args.reference), load_table(args.run),
                            rtol=args.rtol, atol=args.atol,
                            include_timings=args.include_timings)
    print(report.render())
    return 0 if report.ok or not args.strict else 1


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="rlvid",
        description="Reproducibility kit for RL-V2V-GAN and ROVR (reinforcement learning "
                    "for video-to-video work).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    info = sub.add_parser("info", help="versions, threads, device and active metric backends")
    info.set_defaults(func=_cmd_info)

    run = sub.add_parser("run", help="execute one notebook with papermill into the build folder")
    run.add_argument("notebook", help="path or name, e.g. notebooks/00_toolkit.py or 00_toolkit")
    run.add_argument("--profile", default=None, help="smoke | cpu | paper")
    run.add_argument("-p", "--param", nargs=2, action="append", default=[],
                     metavar=("NAME", "VALUE"), help="a papermill parameter")
    run.add_argument("--build-dir", default=None, help="default: build/notebooks/<profile>")
    run.set_defaults(func=_cmd_run)

    compare = sub.add_parser("compare", help="set a reference result table beside a new one")
    compare.add_argument("reference", help="a results JSON file, e.g. results/cpu/synthetic.json")
    compare.add_argument("run", help="the JSON file of a fresh run")
    compare.add_argument("--rtol", type=float, default=0.05, help="relative tolerance")
    compare.add_argument("--atol", type=float, default=1e-6, help="absolute tolerance")
    compare.add_argument("--strict", action="store_true", help="exit 1 if any number differs")
    compare.add_argument("--include-timings", action="store_true",
                         help="also compare wall-clock columns (train_s, fps, ...)")
    compare.set_defaults(func=_cmd_compare)

    train = sub.add_parser("train", help="train a model (v2v or rovr)")
    train_sub = train.add_subparsers(dest="trainer", metavar="TRAINER")
    for module, function in TRAIN_PLUGINS:
        _plug(module, function, train_sub)
    for module, function in COMMAND_PLUGINS:
        _plug(module, function, sub)
    return parser


def _plug(module: str, function: str, subparsers: Any) -> None:
    try:
        register: Callable[[Any], None] = getattr(importlib.import_module(module), function)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return  # that area is not part of this build
        raise
    register(subparsers)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 0 if args.command is None else 2
        return int(args.func(args) or 0)
    except RlvidError as exc:
        message = " ".join(str(exc).split())  # always one line
        print(f"rlvid: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rlvid: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
