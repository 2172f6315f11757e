"""Book-keeping of RL-V2V-GAN's RL phase (Algorithm 1 after line 2): the plateau rule that ends
the critic warm-up, the batch of transitions as DDPG parts (one process's shard under data
parallelism), and what the phase changed in the policy networks.

:mod:`rlvid.v2v.algorithm1` drives the phase; this module holds no networks of its own.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import torch
from torch import nn

from rlvid.results import relative_change
from rlvid.rl.ddpg import Part
from rlvid.rl.replay import Transitions
from rlvid.v2v.training_parts import TrainingData, left_padded

POLICY_NETS = ("Gx", "Gy", "Px", "Py")  # pi = (G, P), the networks the actor step moves

# Alg. 1's passes without gradients (lines 12-24, the fakes of lines 32-35) run in inference
# mode: no autograd bookkeeping, the same values as no_grad to the bit (issue 22; tested in
# tests/test_levers.py). bench/bench_levers.py swaps in torch.no_grad to time the difference.
GRAD_FREE: Callable[[], AbstractContextManager[Any]] = torch.inference_mode


def grad_free() -> AbstractContextManager[Any]:
    """The context of Algorithm 1's passes without gradients (:data:`GRAD_FREE`, looked up
    at each call). Their tensors must not be saved for backward later: copy them first."""
    return GRAD_FREE()


def without_grad(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` run inside :func:`grad_free` (a decorator)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with grad_free():
            return fn(*args, **kwargs)
    return wrapper


def rl_phases(v: Any, critic: str = "warm") -> list[tuple[str, int]]:
    """The RL phase's harness phases at config ``v``: "rl_fill" (m new transitions a step,
    until the buffer holds ``v.replay_start`` x m), "q_warmup" (at most ``v.q_warmup`` critic
    steps; none for an untrained critic), "rl" (``v.rl_iterations`` DDPG updates)."""
    fill = min(v.replay_start, -(-v.buffer_size // (v.rl_batch_size or v.batch_size)))
    return [("rl_fill", fill), ("q_warmup", v.q_warmup if critic == "warm" else 0),
            ("rl", v.rl_iterations)]


class Plateau:
    """The critic warm-up's stop rule: an exponential mean of the TD loss (weight
    ``smoothing`` on the newest) has not improved by a relative ``tolerance`` for
    ``patience`` updates (errata: "until the TD error stops falling")."""

    def __init__(self, patience: int, smoothing: float = 0.1, tolerance: float = 1e-3):
        self.patience, self.smoothing, self.tolerance = patience, smoothing, tolerance
        self.mean: float | None = None
        self.best = math.inf
        self.stale = 0

    @property
    def stopped(self) -> bool:
        return self.stale >= self.patience

    def add(self, loss: float) -> None:
        self.mean = loss if self.mean is None else \
            (1 - self.smoothing) * self.mean + self.smoothing * loss
        if self.mean < self.best * (1 - self.tolerance):
            self.best, self.stale = self.mean, 0
        else:
            self.stale += 1

    def state_dict(self) -> dict[str, Any]:
        return {"mean": self.mean, "best": self.best, "stale": self.stale}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.mean, self.best, self.stale = state["mean"], state["best"], state["stale"]


def snapshot(nets: nn.ModuleDict, names: tuple[str, ...] = POLICY_NETS
             ) -> dict[str, dict[str, torch.Tensor]]:
    """Detached copies of the named networks' parameters θ (the RL phase's starting point;
    BN running statistics are not θ and stay out)."""
    return {k: {p: t.detach().clone() for p, t in nets[k].named_parameters()} for k in names}


def param_changes(start: dict[str, dict[str, torch.Tensor]], nets: nn.ModuleDict
                  ) -> dict[str, float]:
    """‖Δθ‖/‖θ‖ of each snapshotted network, and of all of them together (``"policy"``)."""
    now = {k: {p: t.detach() for p, t in nets[k].named_parameters()} for k in start}
    out = {k: relative_change(old, now[k]) for k, old in start.items()}
    joined_old = {f"{k}.{p}": t for k, sd in start.items() for p, t in sd.items()}
    joined_new = {f"{k}.{p}": t for k, sd in now.items() for p, t in sd.items()}
    out["policy"] = relative_change(joined_old, joined_new)
    return out


def running_index(picks: list[tuple[str, int]]) -> list[int]:
    """Alg. 1 lines 7-11: the row of each pick inside its part (replayed rows count up in
    order; new rows keep their k)."""
    out, replay_row = [], 0
    for kind, j in picks:
        if kind == "buffer":
            out.append(replay_row)
            replay_row += 1
        else:
            out.append(j)
    return out


def prefix_states(data: TrainingData, set_id: torch.Tensor, video: torch.Tensor,
                  p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """s = the first p frames of each transition's video, left-padded to the longest
    (masked padding is exact, so no frame beyond it is computed)."""
    return left_padded([data.videos(int(s))[int(i), :int(k)]
                        for s, i, k in zip(set_id, video, p)], int(p.max()))


def ddpg_parts(data: TrainingData, batch: Transitions, device: torch.device,
               rank: int = 0, world: int = 1) -> list[Part]:
    """The batch as DDPG parts, domain x (X videos) then y (Y and Z videos).

    Under data parallelism (``world`` > 1) this process takes rows ``rank, rank + world,
    ...``, each weighted ``world / m``, so DDP's average of the processes' gradients is the
    whole batch's mean; a domain with rows in the batch but none here gets one row of weight
    0, so that every process calls the same networks (DDP waits for each one's gradient)."""
    frames = data.frames
    rows_of = {"x": batch.set_id == 0, "y": batch.set_id > 0}
    mine = torch.arange(len(batch)) % world == rank
    parts = []
    for domain, rows in rows_of.items():
        if not rows.any():
            continue
        index = (rows & mine).nonzero().flatten()
        weight = None
        if world > 1:
            weight = torch.full((len(index),), world / len(batch))
            if not len(index):  # a zero-weight stand-in
                index, weight = rows.nonzero().flatten()[:1], torch.zeros(1)
            weight = weight.to(device)
        t = batch.select(index)
        s, mask = prefix_states(data, t.set_id, t.video, t.p)
        a = t.action.to(device)
        s_next = torch.cat([s, a[:, None]], 1)  # line 23: s' = (s, a)
        mask_next = torch.cat([mask, mask.new_ones(mask.shape[0], 1)], 1)
        parts.append(Part(domain, (s, mask), a, t.reward.to(device), (s_next, mask_next),
                          (t.p + 1 < frames).float().to(device), len(t), weight))
    return parts
