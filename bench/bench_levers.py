"""Issue 22's throughput levers, each timed "before" against "now" in one run.

    python bench/bench_levers.py [--repeats 10] [--threads 1] [--profile cpu]
                                 [--only convlstm_unbind,inference_mode]
                                 [--out results/cpu/bench_levers.json]

A lever is timed on two copies of one prepared RL-V2V-GAN trainer (``cpu`` profile, synthetic
data, RL phase started, replay buffer filled to ``replay_start`` x m), stepped in pairs
through the harness's ``trainer.step(i)``: before each step of a pair every RNG is reset to
the same state, so both copies draw the same videos, prefixes and D-step lengths and do the
same work; the order inside a pair alternates, so the machine's load falls on both alike.
The levers are bit-identical, so the copies stay equal: each pair's losses are compared
(``identical``), and the copies' whole states after the lever (``identical_state``). A
pair's ratio is (seconds before) / (seconds now); reported per lever and phase: the median
ratio, its quartiles and extremes, the ratio of the fastest steps, the median seconds.

Levers (the "before" variant is patched in here; "now" is the code as it is):

- ``convlstm_unbind``: the ConvLSTM's steps take ``gx.unbind(1)`` and ``g.split`` (now)
  instead of slicing ``gx[:, t]``, ``g[:, :3h]`` (before: the step of commit 9b4e323's
  parent, copied below), on GAN pretraining steps (Alg. 1 line 2) and Algorithm 1 steps;
- ``inference_mode``: Algorithm 1's passes without gradients (new transitions, rewards, the
  D step's fakes) in ``torch.inference_mode`` (now) instead of ``torch.no_grad`` (before;
  the fakes' clone for D's backward, which only inference mode needs, runs in both), on
  buffer-filling steps (all new transitions) and Algorithm 1 steps.

Not a lever here: packing DDPG rows by prefix length. One call per length would change the
result beyond float rounding (the policy and critics run in train mode, and sequence-wise
BN takes its statistics over all of a part's real frames at once) and multiply the calls,
which set the time at these sizes; and dropping a part's rows altogether (8 -> 5 of m = 8,
about the 35 % of padded frames) made a DDPG update only ~1.2x faster on this CPU.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import random
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import torch
import torch.nn.functional as F

from rlvid.nn.convlstm import ConvLSTM, State

LEVERS = ("convlstm_unbind", "inference_mode")
PHASES = {"convlstm_unbind": ("pretrain", "rl"), "inference_mode": ("rl_fill", "rl")}


def sliced_forward(self: ConvLSTM, x: torch.Tensor, state: State | None = None,
                   mask: torch.Tensor | None = None) -> tuple[torch.Tensor, State]:
    """ConvLSTM.forward before issue 22's drop-in: the gates of step t by slicing."""
    gx, w_h, partial = self.input_gates(x, mask)
    steps, pad, hidden = x.shape[1], self.cell.gates.padding, self.cell.hidden_channels
    zero_state = state is None
    h, c = self.cell.initial_state(x[:, 0]) if state is None else state
    outputs = []
    for t in range(steps):
        g = gx[:, t]
        if not zero_state:
            g = g + F.conv2d(h, w_h, None, padding=pad)
        ifo = torch.sigmoid(g[:, :3 * hidden])
        i, f, o = ifo.chunk(3, dim=1)
        c_new = torch.addcmul(f * c, i, torch.tanh(g[:, 3 * hidden:]))
        h_new = o * torch.tanh(c_new)
        if partial[t]:
            keep = mask[:, t].view(-1, 1, 1, 1)  # type: ignore[index]
            h_new, c_new = torch.where(keep, h_new, h), torch.where(keep, c_new, c)
        h, c = h_new, c_new
        zero_state = False
        outputs.append(h)
    return torch.stack(outputs, dim=1), (h, c)


def before(lever: str) -> contextlib.AbstractContextManager[Any]:
    """The code before the lever, patched in for the duration of one step."""
    if lever == "convlstm_unbind":
        return mock.patch.object(ConvLSTM, "forward", sliced_forward)
    from rlvid.v2v import rl_phase

    return mock.patch.object(rl_phase, "GRAD_FREE", torch.no_grad)


def prepared_trainer(profile: str) -> Any:
    """An RL-V2V-GAN trainer, seeded 0, with its RL phase started and the buffer filled."""
    from rlvid.config import load_config
    from rlvid.data import load_v2v_dataset
    from rlvid.runtime import seed_everything
    from rlvid.v2v.train import make_method
    from rlvid.v2v.training_parts import TrainingData

    cfg = load_config(profile)
    data = TrainingData.from_dataset(
        load_v2v_dataset("synthetic", cfg.data, seed=cfg.v2v.data_seed), torch.device("cpu"))
    seed_everything(0)
    rl = make_method("rlv2v", cfg, data, torch.device("cpu"))
    rl.start_rl()
    while len(rl.buffer) < min(rl.buffer.capacity, rl.v.replay_start * rl.m):
        rl.fill_step()
    return rl


@contextlib.contextmanager
def same_draws(states: tuple[Any, Any, Any]) -> Iterator[None]:
    """Every RNG the trainer draws from set to ``states`` (torch, numpy, random)."""
    torch.set_rng_state(states[0])
    np.random.set_state(states[1])
    random.setstate(states[2])
    yield


def same_state(a: Any, b: Any) -> bool:
    """The two copies' networks, targets, optimisers and replay buffers equal to the bit."""
    flat_a, flat_b = (torch.utils._pytree.tree_leaves(t.state_dict()) for t in (a, b))
    return len(flat_a) == len(flat_b) and all(
        torch.equal(x, y) if isinstance(x, torch.Tensor) else x == y
        for x, y in zip(flat_a, flat_b))


def paired(lever: str, phase: str, copies: dict[str, Any], warmup: int, repeats: int
           ) -> dict[str, Any]:
    """``repeats`` pairs (after ``warmup``) of one harness step of ``phase`` on each copy."""
    index = next(i for i in range(copies["now"].total_steps)
                 if copies["now"].phase_of(i) == phase)
    seconds: dict[str, list[float]] = {"before": [], "now": []}
    identical = True
    for k in range(warmup + repeats):
        states = (torch.get_rng_state(), np.random.get_state(), random.getstate())
        order = ("before", "now") if k % 2 == 0 else ("now", "before")
        losses = {}
        for name in order:
            patch = before(lever) if name == "before" else contextlib.nullcontext()
            with same_draws(states), patch:
                start = time.perf_counter()
                out = copies[name].step(index)
                elapsed = time.perf_counter() - start
            losses[name] = out.losses
            if k >= warmup:
                seconds[name].append(elapsed)
        identical = identical and losses["before"] == losses["now"]
    ratios = [b / n for b, n in zip(seconds["before"], seconds["now"])]
    q1, _, q3 = statistics.quantiles(ratios, n=4)
    return {"median_ratio": statistics.median(ratios), "ratio_q1": q1, "ratio_q3": q3,
            "ratio_min": min(ratios), "ratio_max": max(ratios),
            # the fastest step of each (the least disturbed by other processes)
            "ratio_of_fastest": min(seconds["before"]) / min(seconds["now"]),
            "median_s_before": statistics.median(seconds["before"]),
            "median_s_now": statistics.median(seconds["now"]),
            "pairs": len(ratios), "identical": identical, "ratios": ratios}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--only", default=",".join(LEVERS), help="levers, comma-separated")
    parser.add_argument("--out", default="results/cpu/bench_levers.json")
    args = parser.parse_args()
    levers = [name for name in args.only.split(",") if name]
    unknown = set(levers) - set(LEVERS)
    if unknown:
        parser.error(f"unknown levers {sorted(unknown)}; known: {', '.join(LEVERS)}")
    torch.set_num_threads(args.threads)
    from rlvid.config import load_config
    from rlvid.runtime import provenance
    from rlvid.storage.files import write_json

    load_start = os.getloadavg()
    base = prepared_trainer(args.profile)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {args.profile} "
          f"profile, {args.repeats} pairs after {args.warmup}; load average {load_start[0]:.2f}")
    print(f"{'lever':16s} {'phase':9s} {'ratio':>6s} {'q1':>6s} {'q3':>6s} {'min':>6s} "
          f"{'max':>6s} {'fastest':>7s} {'s before':>9s} {'s now':>7s} identical")
    results: dict[str, dict[str, Any]] = {}
    for lever in levers:
        copies: dict[str, Any] = {name: copy.deepcopy(base) for name in ("before", "now")}
        results[lever] = {}
        for phase in PHASES[lever]:
            r = paired(lever, phase, copies, args.warmup, args.repeats)
            results[lever][phase] = r
            print(f"{lever:16s} {phase:9s} {r['median_ratio']:6.3f} {r['ratio_q1']:6.3f} "
                  f"{r['ratio_q3']:6.3f} {r['ratio_min']:6.3f} {r['ratio_max']:6.3f} "
                  f"{r['ratio_of_fastest']:7.3f} "
                  f"{r['median_s_before']:9.3f} {r['median_s_now']:7.3f} {r['identical']}",
                  flush=True)
        results[lever]["identical_state"] = same_state(copies["before"], copies["now"])
    record = {"provenance": provenance(load_config(args.profile)),
              "threads": torch.get_num_threads(), "repeats": args.repeats,
              "warmup": args.warmup, "load_average_start": list(load_start),
              "load_average_end": list(os.getloadavg()), "levers": results}
    print(f"wrote {write_json(Path(args.out), record)}")


if __name__ == "__main__":
    main()
