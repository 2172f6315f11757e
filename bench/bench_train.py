"""Every trainer's step: steps/s, achieved GFLOP/s, and that as a share of this machine's
conv peak, all measured in this one run.

For each trainer step (V2V pretraining, the DDPG update, CycleGAN, Recycle-GAN, Γ, imitation,
PPG policy and auxiliary updates) at the ``cpu`` profile's sizes, and with ``--paper`` one
step at the paper's frame sizes:

- steps/s: median wall time of ``--repeats`` steps after ``--warmup`` steps;
- GFLOP/s: FLOPs of one step (``torch.utils.flop_counter``, counted on a separate step so the
  counter's overhead stays out of the timing) times steps/s;
- peak: a 3x3 conv forward and backward (the FLOPs the counter gives it, over its time) on
  the trainer's own largest conv input shape, at the same thread count; the share is
  GFLOP/s over that peak. It can pass 100 % where a step's FLOPs sit in wider convs than
  its largest input (PPG: the VGG16 of the perceptual reward).

    python bench/bench_train.py [--threads 2] [--repeats 5] [--only v2v|rovr] [--paper]
                                [--profile cpu] [--ddpg]

``--ddpg`` times RL-V2V-GAN's DDPG update alone, the code before issue 13 against now.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode


@dataclass
class Bench:
    name: str
    step: Callable[[], Any]  # one training step


def flops_of(fn: Callable[[], Any]) -> float:
    with FlopCounterMode(display=False) as counter:
        fn()
    return float(counter.get_total_flops())


def timed(fn: Callable[[], Any], warmup: int, repeats: int) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def conv_peak(shape: tuple[int, int, int, int], repeats: int) -> float:
    """GFLOP/s of a 3x3 conv forward and backward on ``shape`` (C -> C channels)."""
    n, c, h, w = shape
    conv = torch.nn.Conv2d(c, c, 3, padding=1)
    x = torch.randn(n, c, h, w, requires_grad=True)

    def step() -> None:
        conv(x).sum().backward()

    return flops_of(step) / timed(step, 2, repeats) / 1e9


def largest_conv_input(step: Callable[[], Any]) -> tuple[int, int, int, int]:
    """The (N, C, H, W) of the conv2d call with the most input elements during ``step``."""
    seen: list[tuple[int, int, int, int]] = []

    def hook(module: torch.nn.Module, args: tuple[torch.Tensor, ...]) -> None:
        seen.append(tuple(args[0].shape))  # type: ignore[arg-type]

    handle = torch.nn.modules.module.register_module_forward_pre_hook(
        lambda m, a: hook(m, a) if isinstance(m, torch.nn.Conv2d) else None)
    try:
        step()
    finally:
        handle.remove()
    return max(seen, key=lambda s: s[0] * s[1] * s[2] * s[3])


# one step at the paper's frame sizes needs only a few videos and a small replay buffer (the
# paper's holds 10,000 transitions of 10x3x128x128 floats: 20 GB); bench/paper_steps.py
from paper_steps import FEW_MASKED, FEW_VIDEOS  # noqa: E402


def v2v_benches(profile: str) -> list[Bench]:
    from rlvid.config import load_config
    from rlvid.data import load_v2v_dataset
    from rlvid.runtime import seed_everything
    from rlvid.v2v.train import make_method
    from rlvid.v2v.training_parts import TrainingData

    cfg = load_config(profile, FEW_VIDEOS if profile == "paper" else {})
    data = TrainingData.from_dataset(load_v2v_dataset("synthetic", cfg.data, seed=0),
                                     torch.device("cpu"))
    out = []
    seed_everything(0)
    rl = make_method("rlv2v", cfg, data, torch.device("cpu"))
    out.append(Bench("V2V pretrain step (Alg. 1 line 2)", rl.pretrain_step))
    for _ in range(4):  # fill the replay buffer before timing the DDPG update
        rl.rl_step()
    out.append(Bench("DDPG update (Alg. 1 one video)", rl.rl_step))
    for name, label in (("cyclegan", "CycleGAN step"), ("recycle", "Recycle-GAN step")):
        trainer = make_method(name, cfg, data, torch.device("cpu"))
        out.append(Bench(label, lambda t=trainer: t.step(0)))
    return out


def _rl_trainer(profile: str, overrides: dict[str, Any], legacy: bool) -> Any:
    """An RL-V2V-GAN trainer at the start of its DDPG updates (targets synced, buffer full).
    ``legacy``: the code before issue 13's speed-up (ConvLSTM cell stepped frame by frame
    over padding too, weights in the default memory format)."""
    from rlvid.config import load_config
    from rlvid.data import load_v2v_dataset
    from rlvid.nn.convlstm import ConvLSTM
    from rlvid.runtime import seed_everything
    from rlvid.v2v.train import make_method
    from rlvid.v2v.training_parts import TrainingData, left_padded

    cfg = load_config(profile, overrides)
    data = TrainingData.from_dataset(load_v2v_dataset("synthetic", cfg.data, seed=0),
                                     torch.device("cpu"))
    seed_everything(0)
    rl = make_method("rlv2v", cfg, data, torch.device("cpu"))
    if legacy:
        rl.nets.to(memory_format=torch.contiguous_format)
        rl.target.to(memory_format=torch.contiguous_format)
        rl.states = lambda set_id, video, p: left_padded(  # the old states: T-1 frames each
            [data.videos(int(s))[int(i), :int(k)] for s, i, k in zip(set_id, video, p)],
            rl.T - 1)
    for module in [*rl.nets.modules(), *rl.target.modules()]:
        if isinstance(module, ConvLSTM):
            module.legacy = legacy
    rl.start_rl()
    while len(rl.buffer) < min(rl.buffer.capacity, rl.v.replay_start * rl.v.batch_size):
        rl.fill_step()
    return rl


def ddpg_throughput(profile: str, repeats: int) -> None:
    """DDPG transitions/s (one video of Algorithm 1, m transitions, per update) for the code
    before issue 13 at the old ``cpu`` batch (m = 2) and for the current code, timed
    interleaved in this run so all see the same machine load; the fastest of ``repeats``
    updates (the least disturbed by other processes) and the median. "now" includes the
    ConvLSTM's where-held padding and no NaN fill of new tensors (after issue 12)."""
    m2 = {"v2v.batch_size": 2, "v2v.rl_batch_size": 2}  # the old cpu profile's m
    variants = {"before issue 13 (m=2)": _rl_trainer(profile, m2, True),
                "now (m=2)": _rl_trainer(profile, m2, False),
                "now (profile m)": _rl_trainer(profile, {}, False)}
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(repeats + 1):
        for name, rl in variants.items():
            # the old code ran with deterministic mode's NaN fill of every new tensor
            torch.utils.deterministic.fill_uninitialized_memory = name.startswith("before")
            start = time.perf_counter()
            rl.rl_step()
            times[name].append(time.perf_counter() - start)
    base = None
    print(f"\nDDPG updates (Alg. 1 lines 5-35), {profile} profile sizes, interleaved")
    print(f"{'code':24s} {'m':>3s} {'s/update min':>13s} {'median':>7s} "
          f"{'transitions/s':>14s} {'ratio':>6s}")
    for name, rl in variants.items():
        fastest, median = min(times[name][1:]), statistics.median(times[name][1:])
        rate = rl.m / fastest
        base = base or rate
        print(f"{name:24s} {rl.m:3d} {fastest:13.3f} {median:7.3f} {rate:14.2f} "
              f"{rate / base:6.2f}", flush=True)


def rovr_benches(profile: str) -> list[Bench]:
    from rlvid.config import load_config
    from rlvid.rovr.imitation import ImitationTrainer
    from rlvid.rovr.local import LocalTrainer
    from rlvid.rovr.ppg_stage import PPGTrainer
    from rlvid.runtime import seed_everything

    cfg = load_config(profile, FEW_MASKED if profile == "paper" else {})
    seed_everything(0)
    local = LocalTrainer(cfg)
    steps = iter(range(10**9))
    state = local.state_dict()
    imitation = ImitationTrainer(cfg, state, "bce", "top2")
    ppg = PPGTrainer(cfg, state, None, flow_reward=True)

    def auxiliary() -> None:
        ppg.step(0)  # a rollout refills the buffer B that the auxiliary phase empties
        ppg.ppg.auxiliary_iteration()

    return [Bench("Gamma step (§6.1)", lambda: local.step(next(steps))),
            Bench("imitation step (§6.2, BCE)", lambda: imitation.step(0)),
            Bench("PPG policy iteration (rollout + PPO)", lambda: ppg.step(0)),
            Bench("PPG rollout + auxiliary phase", auxiliary)]


_PPG_RATE = """
import sys, time, torch
sys.path.insert(0, sys.argv[1])
torch.set_num_threads(int(sys.argv[2]))
from rlvid.config import load_config
from rlvid.rovr.local import LocalTrainer
from rlvid.rovr.ppg_stage import PPGTrainer
from rlvid.runtime import seed_everything
cfg = load_config(sys.argv[3])
seed_everything(0)
ppg = PPGTrainer(cfg, LocalTrainer(cfg).state_dict(), None, flow_reward=True)
ppg.step(0)  # loads the perceptual backbone and the reward's caches
steps = [i for i in range(1, 100) if ppg.phase_of(i) == "policy"][: int(sys.argv[4])]
for i in steps:
    start = time.perf_counter()
    out = ppg.step(i)
    print(out.samples, time.perf_counter() - start, flush=True)
"""


def ppg_throughput(profile: str, repeats: int, before: str, threads: int) -> None:
    """ROVR PPG transitions/s (a policy iteration: rollout with Gamma's fine-tuning, PPO
    update), the code at commit ``before`` against the working tree, each in a fresh process
    of this run, the old one first. The old tree is exported with ``git archive``."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    print(f"\nROVR PPG policy iterations, {profile} profile, {threads} threads")
    print(f"{'code':28s} {'transitions':>11s} {'s/iteration':>12s} {'transitions/s':>14s} "
          f"{'ratio':>6s}")
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(root), "archive", before, "rlvid"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        for name, tree in ((f"before ({before[:8]})", tmp), ("now (working tree)", str(root))):
            out = subprocess.run([sys.executable, "-c", _PPG_RATE, tree, str(threads), profile,
                                  str(repeats)], check=True, capture_output=True, text=True,
                                 cwd=str(root)).stdout.split()
            samples = [int(x) for x in out[0::2]]
            seconds = statistics.median(float(x) for x in out[1::2])
            rate = samples[-1] / seconds
            base = base or rate
            print(f"{name:28s} {samples[-1]:11d} {seconds:12.2f} {rate:14.1f} "
                  f"{rate / base:6.1f}", flush=True)


def report(benches: list[Bench], warmup: int, repeats: int, label: str) -> None:
    print(f"\n{label}")
    print(f"{'trainer step':32s} {'steps/s':>9s} {'GFLOP/step':>11s} {'GFLOP/s':>9s} "
          f"{'peak GFLOP/s':>13s} {'share of peak':>14s}  conv shape")
    for b in benches:
        shape = largest_conv_input(b.step)
        flops = flops_of(b.step)
        seconds = timed(b.step, warmup, repeats)
        achieved = flops / seconds / 1e9
        peak = conv_peak(shape, repeats)
        print(f"{b.name:32s} {1 / seconds:9.2f} {flops / 1e9:11.3f} {achieved:9.2f} "
              f"{peak:13.1f} {achieved / peak:13.1%}  {shape}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--only", choices=("v2v", "rovr"), default=None)
    parser.add_argument("--paper", action="store_true",
                        help="also one step at the paper's frame sizes (for a GPU or a larger "
                             "machine: on this 24 GB one the V2V step was killed for memory)")
    parser.add_argument("--profile", default="cpu", help="the profile of the main table")
    parser.add_argument("--paper-only", action="store_true", help="only the paper-size step")
    parser.add_argument("--ddpg", action="store_true",
                        help="only DDPG transitions/s, before issue 13 against now")
    parser.add_argument("--ppg", metavar="COMMIT", default=None,
                        help="only ROVR PPG transitions/s, the code at COMMIT against now "
                             "(issue 14: c8f0257 is the code before it)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    if args.ddpg:
        ddpg_throughput(args.profile, max(args.repeats, 3))
        return
    if args.ppg:
        ppg_throughput(args.profile, max(args.repeats, 1), args.ppg, args.threads)
        return
    kinds = [args.only] if args.only else ["v2v", "rovr"]
    make = {"v2v": v2v_benches, "rovr": rovr_benches}
    for kind in kinds:
        if not args.paper_only:
            report(make[kind](args.profile), args.warmup, args.repeats,
                   f"{kind}: {args.profile} profile sizes")
        if args.paper or args.paper_only:
            report(make[kind]("paper"), 0, 1, f"{kind}: one step at the paper's frame sizes")


if __name__ == "__main__":
    main()
