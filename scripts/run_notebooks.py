"""Execute every notebook (or those named) with papermill at one profile.

    python scripts/run_notebooks.py --profile smoke
    python scripts/run_notebooks.py --profile cpu 10_synthetic

Executed copies go to build/<profile>/notebooks/, logs to build/<profile>/logs/.
"""

from __future__ import annotations

import argparse
import sys
import time

from rlvid.book.notebooks import build_root, notebook_sources, run_notebook
from rlvid.config import default_profile, profile_config
from rlvid.errors import RlvidError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook names (default: all)")
    parser.add_argument("--profile", default=None, help="smoke | cpu | paper")
    parser.add_argument("--keep-going", action="store_true", help="run the rest after a failure")
    args = parser.parse_args()

    profile_config(args.profile or default_profile())  # a bad profile stops here, in one line
    names = args.names or [p.stem for p in notebook_sources()]
    failures = []
    for name in names:
        start = time.perf_counter()
        try:
            out = run_notebook(name, profile=args.profile)
        except RlvidError as exc:
            print(f"FAIL {name}: {exc}", flush=True)
            failures.append(name)
            if not args.keep_going:
                break
        else:
            print(f"ok   {name} ({time.perf_counter() - start:.0f} s) -> {out}", flush=True)
    if failures:
        print(f"{len(failures)} notebook(s) failed: {', '.join(failures)}")
        return 1
    if args.profile:
        print(f"all notebooks executed into {build_root(args.profile) / 'notebooks'}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RlvidError as exc:
        print(f"rlvid: error: {exc}", file=sys.stderr)
        sys.exit(2)
