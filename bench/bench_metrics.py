"""Seconds per call of each metric on one video, and model load times, on this machine.

    python bench/bench_metrics.py [--size 64] [--frames 20] [--threads 1] [--repeats 3]

Prints the median of ``--repeats`` calls after one warm-up call, with the active backends.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from rlvid.metrics import (
    flow_recovery,
    metric_backends,
    optical_flow,
    perceptual_distance,
    psnr,
    ssim,
    vgg16_features,
    warping_error,
)
from rlvid.metrics import perceptual as perceptual_module
from rlvid.metrics.demo import box_masks, demo_video, perturb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    start = time.perf_counter()
    perceptual_module.perceptual_model()
    print(f"perceptual model load (first call, incl. import): {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    vgg16_features()
    print(f"vgg16_features load: {time.perf_counter() - start:.2f} s")
    print("backends:", metric_backends())

    video = demo_video(args.size, args.frames, seed=0)
    noisy = perturb(video, "noise", 0.05)
    corrupted = video.masked_fill(box_masks(tuple(video.shape), 0.1), 0.0)
    calls = {
        "psnr": lambda: psnr(noisy, video),
        "ssim": lambda: ssim(noisy, video),
        "perceptual (all frames)": lambda: perceptual_distance(noisy, video),
        "optical_flow (one pair)": lambda: optical_flow(video[0], video[1]),
        "warping_error": lambda: warping_error(noisy, video),
        "flow_recovery": lambda: flow_recovery(noisy, video, corrupted),
    }
    print(f"video {args.frames}x3x{args.size}x{args.size}, {args.threads} torch thread(s)")
    for name, call in calls.items():
        call()
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        print(f"{name:>24}: {statistics.median(times) * 1000:9.1f} ms")


if __name__ == "__main__":
    main()
