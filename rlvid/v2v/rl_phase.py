"""Book-keeping of RL-V2V-GAN's RL phase (Algorithm 1 after line 2): the plateau rule that ends
the critic warm-up, and what the phase changed in the policy networks.

:mod:`rlvid.v2v.algorithm1` drives the phase; this module holds no networks of its own.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from rlvid.results import relative_change

POLICY_NETS = ("Gx", "Gy", "Px", "Py")  # pi = (G, P), the networks the actor step moves


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
