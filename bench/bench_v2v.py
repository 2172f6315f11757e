"""RL-V2V-GAN vs Recycle-GAN: frames/s of one training iteration, peak memory, T scaling.

One RL-V2V-GAN iteration = one GAN step (pretraining, Alg. 1 line 2) + one Algorithm 1 step
(DDPG + discriminator update). Both methods see the same data and resolution; the ratio is
measured in this one run. Peak memory: torch.cuda.max_memory_allocated on a GPU, else the
growth of the peak resident set size (getrusage) of a fresh worker process over its size
after the data and imports are loaded (each method and T in its own process).

    python bench/bench_v2v.py --profile cpu [--repeats 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time

import torch

from rlvid.config import load_config
from rlvid.data import load_v2v_dataset
from rlvid.runtime import device_description, resolve_device, seed_everything
from rlvid.v2v.algorithm1 import RLV2VGAN
from rlvid.v2v.baselines import RecycleGAN
from rlvid.v2v.training_parts import TrainingData


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def measure(method: str, profile: str, t_len: int, repeats: int, threads: int
            ) -> tuple[float, float, int]:
    """In a fresh process: seconds per iteration (median of ``repeats`` after one warm-up
    iteration, which also fills the replay buffer), peak MB and frames per mini-batch."""
    torch.set_num_threads(threads)
    device = resolve_device("auto")
    cfg = load_config(profile, {"data.video_len": t_len})
    data = TrainingData.from_dataset(load_v2v_dataset("synthetic", cfg.data, seed=0), device)
    seed_everything(0)
    rss0 = _current_rss_mb()
    if method == "rlv2v":
        rl = RLV2VGAN(cfg, data, device)
        steps = (rl.pretrain_step, rl.rl_step)
    else:
        steps = (RecycleGAN(cfg, data, device).train_step,)
    for step in steps:
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for step in steps:
            step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    if device.type == "cuda":
        peak = torch.cuda.max_memory_allocated() / 2**20
    else:
        peak = _rss_mb() - rss0
    return sorted(times)[len(times) // 2], peak, cfg.v2v.batch_size * t_len


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lengths", default="4,8,16", help="T values for the scaling table")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"device: {device_description(resolve_device('auto'))}; profile {args.profile}; "
          f"{args.threads} thread(s); frames = batch x T source frames per iteration")
    size = load_config(args.profile).data.size
    ctx = mp.get_context("spawn")
    for t_len in [int(v) for v in args.lengths.split(",")]:
        with ctx.Pool(1, maxtasksperchild=1) as pool:
            rl_s, rl_mb, frames = pool.apply(measure, ("rlv2v", args.profile, t_len,
                                                       args.repeats, args.threads))
        with ctx.Pool(1, maxtasksperchild=1) as pool:
            rc_s, rc_mb, _ = pool.apply(measure, ("recycle", args.profile, t_len,
                                                  args.repeats, args.threads))
        print(f"T={t_len:2d} {size}x{size}: "
              f"RL-V2V-GAN {rl_s:.3f} s/iter ({frames / rl_s:.1f} frames/s, peak {rl_mb:.0f} MB)"
              f" | Recycle-GAN {rc_s:.3f} s/iter ({frames / rc_s:.1f} frames/s, "
              f"peak {rc_mb:.0f} MB) | speed ratio Recycle/RL-V2V {rl_s / rc_s:.1f}x")


if __name__ == "__main__":
    main()
