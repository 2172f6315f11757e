"""The ``rlvid`` command line: entry points only, and nothing in the library imports it.

Every command lives in its own module and is added here by a plain call, in the order
``rlvid --help`` lists them:

- ``info`` (:mod:`rlvid.cli.info`), ``run`` (:mod:`rlvid.cli.run`), ``compare``
  (:mod:`rlvid.cli.compare`);
- ``train v2v``, ``eval``, ``translate`` (:mod:`rlvid.cli.v2v`); ``train rovr``, ``inpaint``
  (:mod:`rlvid.cli.rovr`); ``data make``, ``data show`` (:mod:`rlvid.cli.data`).

Shared argparse helpers are in :mod:`rlvid.cli.common`. Any :class:`RlvidError` (a bad
option included) ends the command with one ``rlvid: error:`` line and exit code 2.
"""

from __future__ import annotations

import argparse
import sys

from rlvid.cli import compare, data, info, rovr, run, v2v
from rlvid.cli.common import Parser, parse_value
from rlvid.errors import RlvidError

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
