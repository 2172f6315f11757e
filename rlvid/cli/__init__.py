"""The ``rlvid`` command line: entry points only, and nothing in the library imports it.

Every command lives in its own module and is added here by a plain call, in the order
``rlvid --help`` lists them:

- ``info`` (:mod:`rlvid.cli.info`), ``run`` (:mod:`rlvid.cli.run`), ``compare``
  (:mod:`rlvid.cli.compare`);
- ``train v2v``, ``eval``, ``translate`` (:mod:`rlvid.cli.v2v`); ``train rovr``, ``inpaint``
  (:mod:`rlvid.cli.rovr`); ``data make``, ``data show`` (:mod:`rlvid.cli.data`).

Shared argparse helpers are in :mod:`rlvid.cli.common`. Exit codes (README, "Exit codes"):

- 0: finished; 1: ``compare --strict`` found a difference;
- 2: any :class:`RlvidError` (a bad option or input, a full disk or read-only folder, a
  diverged training): one ``rlvid: error:`` line, nothing left under an output's name;
- 75 (:data:`~rlvid.cli.common.EXIT_STOPPED`): a training stopped early and resumable
  (SIGINT, SIGTERM, ``--max-steps``); run the same command again to go on;
- 130 / 143: another command stopped by SIGINT / SIGTERM, its temporary files removed.
"""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import warnings
from typing import Any

from rlvid.cli import compare, data, info, rovr, run, v2v
from rlvid.cli.common import Parser
from rlvid.config import parse_value
from rlvid.errors import RlvidError, RlvidWarning

__all__ = ["build_parser", "main", "parse_value"]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="rlvid",
        description="Reproducibility kit for RL-V2V-GAN and ROVR (reinforcement learning "
                    "for video-to-video work).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    info.register(sub)
    run.register(sub)
    compare.register(sub)

    train = sub.add_parser("train", help="train a model (v2v or rovr)")
    train_sub = train.add_subparsers(dest="trainer", metavar="TRAINER")
    v2v.register_train(train_sub)
    rovr.register_train(train_sub)

    data.register(sub)
    v2v.register(sub)
    rovr.register(sub)
    return parser


# what an OS error the user's setup can cause looks like (full disk, read-only, no rights)
USER_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM,
               errno.EFBIG, errno.ENOTDIR, errno.EISDIR, errno.ENOENT}


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like SIGINT's KeyboardInterrupt so every ``finally`` removes its
    temporary files (a training loop turns both into a checkpoint and a stop instead)."""


def _one_line_warnings(show: Any) -> Any:
    """``warnings.showwarning`` printing the kit's own warnings as one ``rlvid: warning:``
    line and passing others to ``show``."""

    def shown(message: Warning | str, category: type[Warning], filename: str, lineno: int,
              file: Any = None, line: str | None = None) -> None:
        if issubclass(category, RlvidWarning):
            print(f"rlvid: warning: {' '.join(str(message).split())}", file=sys.stderr)
        else:
            show(message, category, filename, lineno, file, line)

    return shown


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    show = warnings.showwarning
    warnings.showwarning = _one_line_warnings(show)
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread
        previous = None
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 0 if args.command is None else 2
        return int(args.func(args) or 0)
    except RlvidError as exc:
        return _error(str(exc))
    except OSError as exc:  # full disk, read-only folder: the user's to fix, in one line
        if exc.errno not in USER_ERRNOS:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        return _error(f"{where}{exc.strerror or exc}")
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        print(f"rlvid: {'terminated' if terminated else 'interrupted'}; nothing was left "
              "half-written", file=sys.stderr)
        return 143 if terminated else 130
    finally:
        warnings.showwarning = show
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _error(text: str) -> int:
    message = " ".join(text.split())  # always one line
    print(f"rlvid: error: {message}", file=sys.stderr)
    return 2
