"""What every ``rlvid`` command shares: the one-line argparse parser, argument types, and
``--profile``/``-p NAME VALUE`` turned into a :class:`~rlvid.config.Config`."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import NoReturn

from rlvid.config import Config, load_config, parse_value
from rlvid.errors import RlvidError

EXIT_STOPPED = 75  # a training stopped early and resumable (sysexits' EX_TEMPFAIL: retry)


class UsageError(RlvidError):
    """A command line that argparse refuses (unknown option, bad value)."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``rlvid: error: ...``, exit code 2) in place of the
    usage block; subcommand parsers inherit it."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("rlvid").strip()
        where = f"{command}: " if command else ""
        raise UsageError(f"{where}{message} (see rlvid {command} --help)".replace("  ", " "))


def frame_rate(text: str) -> float:
    """argparse type: frames per second in the range a video file can hold."""
    from rlvid.data.io import MAX_FPS, MIN_FPS

    value = positive_number(text)
    if not MIN_FPS <= value <= MAX_FPS:
        raise argparse.ArgumentTypeError(f"must be between {MIN_FPS:g} and {MAX_FPS:g} frames "
                                         f"per second, got {text!r}")
    return value


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


def add_video_output_args(parser: argparse.ArgumentParser) -> None:
    """``-o/--output`` and ``--fps``, as ``rlvid translate`` and ``rlvid inpaint`` take them."""
    parser.add_argument("-o", "--output", required=True,
                        help="output video (.mp4, .avi, .mov, .mkv, .webm, .gif, or a folder)")
    parser.add_argument("--fps", type=frame_rate, default=None,
                        help="output frame rate (default: the input's, or 8 for a frame folder)")


def add_run_dir_args(parser: argparse.ArgumentParser, default_help: str) -> None:
    """``--run-dir DIR`` and ``--force-new`` (start over in a new folder beside DIR)."""
    parser.add_argument("--run-dir", default=None, help=default_help)
    parser.add_argument("--force-new", action="store_true",
                        help="start a new run in a new folder beside RUN_DIR "
                             "(RUN_DIR-<date>-<time>) instead of resuming RUN_DIR")


def add_config_args(parser: argparse.ArgumentParser) -> None:
    """``--profile P`` and repeated ``-p NAME VALUE`` (dotted config names)."""
    parser.add_argument("--profile", default=None,
                        help="smoke | cpu | paper (default: $RLVID_PROFILE or cpu)")
    parser.add_argument("-p", "--set", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"),
                        help="override a config field, e.g. -p v2v.lr 1e-3")


def config_from_args(args: argparse.Namespace) -> Config:
    """The profile's config with the ``-p`` overrides; sets torch's thread count."""
    overrides = {name: parse_value(value) for name, value in getattr(args, "set", [])}
    cfg = load_config(args.profile, overrides)
    if cfg.torch_threads:
        import torch

        torch.set_num_threads(cfg.torch_threads)
    return cfg
