"""Conditioning policies (ROVR, sequential (t-1, t-2), random, oracle) and a rollout of one
through the MDP (:func:`run_selector`); each gives k frames with ``conditioning_frames``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from rlvid.config.rovr import ROVRConfig
from rlvid.nn.rovr import LocalUNet
from rlvid.nn.rovr_pair import action_dist
from rlvid.rovr.env import make_env
from rlvid.rovr.pairs import best_sets, random_pairs, sequential_pairs

Selector = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
"""(small (N,T,3,s,s), target (N,), video index (N,)) -> pair (N, 2), or k frames (N, k)."""


def policy_selector(policy: torch.nn.Module, rcfg: ROVRConfig, greedy: bool = True
                    ) -> Selector:
    def select(small: torch.Tensor, target: torch.Tensor, _n: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            dist, _ = action_dist(policy, small, target, rcfg.gumbel_temperature,
                                  rcfg.pair_logprob)
        return dist.greedy() if greedy else dist.sample()
    return select


def sequential_selector(k: int = 2) -> Selector:
    return lambda small, target, _n: sequential_pairs(target, k)


def random_selector(seed: int, k: int = 2) -> Selector:
    gen = torch.Generator().manual_seed(seed)
    return lambda small, target, _n: random_pairs(target, small.shape[1], gen, k)


def oracle_selector(best_pair: torch.Tensor) -> Selector:
    """The dataset's best pair for each (video, target) (most masked pixels covered, the
    nearest in time among those); the best k-sets of :func:`rlvid.rovr.pairs.best_sets`."""
    return lambda small, target, n: best_pair[n, target]


@dataclass
class Rollout:
    reconstructed: torch.Tensor  # (N, T, 3, H, W)
    pairs: torch.Tensor  # (N, T, k)
    rewards: torch.Tensor  # (N, T) perceptual rewards (+ flow reward at the end if enabled)
    flow_recovery: torch.Tensor  # (N,)


def run_selector(local: LocalUNet, data: Any, selector: Selector, rcfg: ROVRConfig,
                 videos: torch.Tensor | None = None, flow_coef: float = 0.0,
                 rewards: bool = False) -> Rollout:
    """Reconstruct videos ``videos`` (indices; default all) with a conditioning policy;
    ``rewards``: also compute the MDP's rewards (zeros otherwise)."""
    idx = torch.arange(data.videos.shape[0]) if videos is None else videos
    env = make_env(local, data, idx, rcfg, flow_coef, rewards=rewards)
    pairs, rewards_ = [], []
    while not env.done:
        small, target = env.observe()
        pair = selector(small, target, idx)
        pairs.append(pair)
        rewards_.append(env.step(pair))
    return Rollout(env.current, torch.stack(pairs, 1), torch.stack(rewards_, 1),
                   env.flow_recovery)


def expert_states(local: LocalUNet, data: Any, rcfg: ROVRConfig):
    """States visited when the oracle (best pair, best k-set) drives the MDP:
    (small, target, n)."""
    idx = torch.arange(data.videos.shape[0])
    env = make_env(local, data, idx, rcfg, rewards=False, track_flow=False)
    smalls, targets = [], []
    select = oracle_selector(best_sets(data, rcfg.conditioning_frames))
    while not env.done:
        small, target = env.observe()
        smalls.append(small)
        targets.append(target)
        env.step(select(small, target, idx))
    n = idx.repeat(len(targets))
    return torch.cat(smalls), torch.cat(targets), n
