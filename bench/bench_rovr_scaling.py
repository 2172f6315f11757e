"""ROVR's scaling claim, measured: selection time for a whole video vs its length T.

ROVR (§1, §3) claims its policy picks conditioning frames in sub-quadratic time because it
uses no attention. For a whole video the policy runs once per frame (T steps); we time
four selectors at T = 20, 40, 80, 160 and fit the exponent k of time ~ T^k (log-log slope):

- ``rovr-full``: the paper's state, re-encoded from scratch each step (all T tiles through
  the CNN): O(T) per step, so O(T^2) per video;
- ``rovr-incremental``: per-frame embeddings cached, only the frame reconstructed at the
  previous step re-encoded (exact, because the tile CNN is tile-local); the shared FC head
  still scores T candidates per step, O(T) with a tiny constant;
- ``attention-full``: a self-attention selector over all frame embeddings, re-encoding every
  frame each step: O(T) CNN + O(T^2) attention per step;
- ``attention-incremental``: cached embeddings, self-attention recomputed each step:
  O(T^2) per step, O(T^3) per video.

The local network Gamma costs the same per step for every selector (O(T) per video) and is
left out. Usage: ``python bench/bench_rovr_scaling.py [--profile paper] [--threads 1]`` (paper-size
networks, random weights: about a minute on one core).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from rlvid.config import load_config
from rlvid.nn.rovr import AttentionSelector, IncrementalEncoder, PolicyNet

LENGTHS = (20, 40, 80, 160)


def rovr_full(policy: PolicyNet, small: torch.Tensor) -> None:
    for t in range(small.shape[1]):
        policy(small, torch.tensor([t]))
        small[:, t] = small[:, t] * 0.5  # the reconstructed frame replaces the corrupted one


def rovr_incremental(policy: PolicyNet, small: torch.Tensor) -> None:
    enc = IncrementalEncoder(policy.trunk, small)
    for t in range(small.shape[1]):
        target = torch.tensor([t])
        policy.heads(policy.trunk.from_embeddings(enc.emb, small[:, t], target), target)
        small[:, t] = small[:, t] * 0.5
        enc.update(t, small[:, t])


def attention_full(selector: AttentionSelector, small: torch.Tensor) -> None:
    for t in range(small.shape[1]):
        selector.from_embeddings(selector.frame_cnn(small), small[:, t], torch.tensor([t]))
        small[:, t] = small[:, t] * 0.5


def attention_incremental(selector: AttentionSelector, small: torch.Tensor) -> None:
    emb = selector.frame_cnn(small)
    for t in range(small.shape[1]):
        selector.from_embeddings(emb, small[:, t], torch.tensor([t]))
        small[:, t] = small[:, t] * 0.5
        emb = emb.clone()
        emb[:, t] = selector.frame_cnn(small[:, t])


def time_video(fn, net, length: int, tile: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        small = torch.rand(1, length, 3, tile, tile)
        start = time.perf_counter()
        with torch.no_grad():
            fn(net, small)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="paper", help="network sizes (nothing is trained)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=None,
                        help="also write the table rovr_scaling (JSON + CSV) to this folder")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rc = load_config(args.profile).rovr
    policy = PolicyNet(rc.policy_channels, rc.policy_hidden).eval()
    attention = AttentionSelector(rc.policy_channels, rc.policy_hidden,
                                  heads=4 if rc.policy_hidden % 4 == 0 else 1).eval()
    selectors = {"rovr-full": (rovr_full, policy),
                 "rovr-incremental": (rovr_incremental, policy),
                 "attention-full": (attention_full, attention),
                 "attention-incremental": (attention_incremental, attention)}
    print(f"profile {args.profile}: tiles {rc.tile_size}px, CNN {rc.policy_channels}, hidden "
          f"{rc.policy_hidden}, {args.threads} thread(s); seconds per whole video (best of "
          f"{args.repeats})")
    print(f"{'selector':>22} " + " ".join(f"{'T=' + str(t):>9}" for t in LENGTHS) + "  exponent")
    exponents, rows = {}, []
    for name, (fn, net) in selectors.items():
        time_video(fn, net, LENGTHS[0], rc.tile_size, 1)  # warm-up
        times = [time_video(fn, net, t, rc.tile_size, args.repeats) for t in LENGTHS]
        slope = float(np.polyfit(np.log(LENGTHS), np.log(times), 1)[0])
        exponents[name] = slope
        rows.append({"selector": name, "exponent": slope,
                     **{f"t{t}_s": s for t, s in zip(LENGTHS, times)}})
        print(f"{name:>22} " + " ".join(f"{s:9.4f}" for s in times) + f"  {slope:8.2f}")
    print("fitted exponents: " + ", ".join(f"{k} {v:.2f}" for k, v in exponents.items()))
    if exponents["rovr-full"] > 1.5:
        print("re-encoding the whole video every step makes ROVR's selection ~quadratic in T; "
              "the incremental encoder (only the changed frame re-encoded) brings it to "
              f"{exponents['rovr-incremental']:.2f}")
    if args.out:
        from rlvid.results import write_table

        path = write_table("rovr_scaling", rows, load_config(args.profile), directory=args.out,
                           notes=f"seconds per whole video, {args.profile}-size networks with "
                                 f"random weights, {args.threads} CPU thread(s); exponent = "
                                 "log-log slope over T = " + ", ".join(map(str, LENGTHS)))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
