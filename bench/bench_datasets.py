"""Time to generate every dataset of a profile (no cache), on this machine.

    python bench/bench_datasets.py [--profile cpu] [--seed 0]

Target (issue 3): every ``cpu`` dataset in well under a minute on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import time

import torch

from rlvid.config import load_config
from rlvid.data import V2V_NAMES, load_v2v_dataset, make_masked_set


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    cfg = load_config(args.profile).data
    rows: list[tuple[str, float, str]] = []
    for name in V2V_NAMES:
        start = time.perf_counter()
        data = load_v2v_dataset(name, cfg, args.seed, use_cache=False)
        frames = sum(t.shape[0] * (t.shape[1] if t.dim() == 5 else 1)
                     for k, t in data.counts().items() for t in [getattr(data, k)]
                     if not k.endswith("_fg"))
        rows.append((name, time.perf_counter() - start, f"{frames} frames"))
    for split in ("train", "test"):
        start = time.perf_counter()
        masked = make_masked_set(cfg, split, args.seed, use_cache=False)
        rows.append((f"masked-{split}", time.perf_counter() - start,
                     f"{masked.videos.shape[0] * masked.videos.shape[1]} frames"))
    total = sum(seconds for _, seconds, _ in rows)
    print(f"profile {args.profile} (frames {cfg.size}px, ROVR {cfg.rovr_size}px), seed "
          f"{args.seed}, 1 torch thread")
    for name, seconds, what in rows:
        print(f"{name:>14}: {seconds:6.2f} s  ({what})")
    print(f"{'total':>14}: {total:6.2f} s  (target: well under 60 s; ratio to 60 s: "
          f"{total / 60:.2f})")


if __name__ == "__main__":
    main()
