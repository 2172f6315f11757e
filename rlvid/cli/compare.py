"""``rlvid compare REFERENCE RUN``: a reference result table beside a fresh one."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    compare = subparsers.add_parser("compare",
                                    help="set a reference result table beside a new one")
    compare.add_argument("reference", help="a results JSON file, e.g. results/cpu/synthetic.json")
    compare.add_argument("run", help="the JSON file of a fresh run")
    compare.add_argument("--rtol", type=float, default=0.05, help="relative tolerance")
    compare.add_argument("--atol", type=float, default=1e-6, help="absolute tolerance")
    compare.add_argument("--strict", action="store_true", help="exit 1 if any number differs")
    compare.add_argument("--include-timings", action="store_true",
                         help="also compare wall-clock columns (train_s, fps, ...)")
    compare.set_defaults(func=_cmd_compare)


def _cmd_compare(args: argparse.Namespace) -> int:
    from rlvid.results import compare_tables, load_table

    report = compare_tables(load_table(args.reference), load_table(args.run),
                            rtol=args.rtol, atol=args.atol,
                            include_timings=args.include_timings)
    print(report.render())
    return 0 if report.ok or not args.strict else 1
