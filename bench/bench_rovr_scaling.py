"""ROVR's scaling claim (R5), measured: one whole masked video of T frames, Gamma included,
for T = 100 ... 2,000 and four selectors (``rlvid.rovr.scaling``):

- ``rovr-paper-state``: the paper's state, the whole tiled video re-encoded every step;
- ``rovr-incremental``: what ``rlvid inpaint`` runs (one frame re-encoded per step, the FC
  layer's per-frame block cached);
- ``attention``: self-attention over all frames every step (O(T^2) per step);
- ``attention-query``: one softmax query per step over every frame's cached key (O(T)).

The exponent k of time ~ T^k is the least-squares log-log slope over every (T, repeat) point,
with a 95% Student-t CI; it is fitted on CPU seconds of the timing process (contention from
other processes does not count) and, beside it, on wall seconds. Per-step selection and
Gamma times (medians) are columns per T. Networks have random weights at the profile's
sizes; frames are the profile's ROVR frame size (``data.rovr_size``: 32 px at ``cpu``, so a
T = 2,000 video is 25 MB a copy). Each (selector, repeat) runs in one of ``--jobs``
processes, one torch thread each.

Usage (5.6 CPU-minutes in all: about 3 min on 2 idle cores; 12 min at load 8)::

    python bench/bench_rovr_scaling.py --profile cpu

writes ``results/<profile>/rovr_scaling.json`` (and ``.csv``) with provenance; ``--out DIR``
writes elsewhere, ``--lengths 100 200 400`` times fewer lengths.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time
from concurrent.futures import ProcessPoolExecutor

import torch

from rlvid.config import load_config
from rlvid.rovr.scaling import LENGTHS, SELECTORS, Timing, build_nets, measure, summarise


def run_task(profile: str, selector: str, repeat: int, lengths: list[int], size: int
             ) -> list[Timing]:
    """One repeat of one selector over every T, in this process, one torch thread."""
    torch.set_num_threads(1)
    nets = build_nets(load_config(profile).rovr)  # same seed: same weights in every process
    measure(selector, nets, lengths[0], size, repeat=0)  # warm-up (allocator, kernels)
    return [measure(selector, nets, n, size, repeat) for n in lengths]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="cpu", help="network and frame sizes")
    parser.add_argument("--lengths", type=int, nargs="+", default=list(LENGTHS))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--size", type=int, default=None,
                        help="frame side in pixels (default: the profile's data.rovr_size)")
    parser.add_argument("--selectors", nargs="+", default=list(SELECTORS), choices=SELECTORS)
    parser.add_argument("--jobs", type=int, default=2, help="processes (one selector repeat each)")
    parser.add_argument("--out", default=None,
                        help="folder for rovr_scaling.json (default results/<profile>)")
    args = parser.parse_args()
    cfg = load_config(args.profile)
    size, rc = args.size or cfg.data.rovr_size, cfg.rovr
    lengths = sorted(args.lengths)
    print(f"profile {args.profile}: {size}x{size} frames, Gamma {rc.unet_channels}, tiles "
          f"{rc.tile_size}px, policy CNN {rc.policy_channels}, hidden {rc.policy_hidden}; "
          f"T = {lengths}, {args.repeats} repeats, {args.jobs} processes", flush=True)
    start = time.perf_counter()
    # (selector, repeat) tasks, the longest first: attention, then the paper's state
    tasks = [(s, r) for s in sorted(args.selectors, key=lambda s: (s != "attention",
                                                                   s != "rovr-paper-state"))
             for r in range(args.repeats)]
    with ProcessPoolExecutor(args.jobs, mp_context=mp.get_context("spawn")) as pool:
        futures = {task: pool.submit(run_task, args.profile, *task, lengths, size)
                   for task in tasks}
        timings = [t for s in args.selectors for r in range(args.repeats)
                   for t in futures[(s, r)].result()]
    rows = summarise(timings)
    print(f"{'selector':>18} " + " ".join(f"{'T=' + str(n):>8}" for n in lengths)
          + "   exponent [95% CI]   selection/step")
    for row in rows:
        lo, hi = row["exponent_ci95"]
        print(f"{row['selector']:>18} "
              + " ".join(f"{row[f'video_s_T{n}']:8.3f}" for n in lengths)
              + f"   {row['exponent']:.3f} [{lo:.3f}, {hi:.3f}]"
              + f"   T^{row['exponent_step_selection']:.2f}")
    print(f"(CPU seconds per whole video, median of {args.repeats}; "
          f"{time.perf_counter() - start:.0f} s in all)")
    from rlvid.results import write_table

    notes = (f"CPU seconds per whole video (Gamma included) at {size}x{size} frames, "
             f"{args.profile}-size networks with random weights, one torch thread per "
             f"process, {args.jobs} processes; exponent: log-log least-squares slope over every "
             f"(T, repeat) point, T = {lengths[0]}-{lengths[-1]}, 95% Student-t CI; "
             "exponent_wall: the same on wall seconds; exponent_selection: selection time "
             "only; exponent_step_selection: median selection time per step; *_ms_T<n>: "
             "per-step medians (wall); exponent_top: slope between the two longest videos")
    path = write_table("rovr_scaling", rows, cfg, notes=notes, directory=args.out)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
