"""Phasic Policy Gradient for ROVR's pair selector (§6.3), in the order of CleanRL's
``ppg_procgen.py`` and of Cobbe et al., "Phasic Policy Gradient" (2020), Algorithm 1.

    for phase = 1, 2, ...                                   (``ppg_phases``)
        POLICY PHASE, N_pi times (``ppg_policy_iterations``):
            collect a rollout with pi (environment-specific: ``rlvid.rovr.ppg_stage``),
            returns and advantages (:func:`rollout_batch`),
            E_pi epochs of PPO's clipped objective + value loss over minibatches
            (:func:`policy_phase`), rollout states and returns into the buffer B;
        AUXILIARY PHASE (:func:`auxiliary_phase`):
            snapshot pi_old over all of B first, then E_aux epochs (``ppg_aux_epochs``) of
            0.5 (V_aux - R)^2 + beta_clone * KL(pi_old || pi) on pi and 0.5 (V - R)^2 on V;
            clear B.

:class:`PhasicPolicyGradient` holds the schedule (which harness step is which phase) and the
buffer. pi and V are separate networks ("dual"), with one optimizer, as CleanRL's single Adam;
PPG's paper gives the dual variant separate ones. States are (small, target): the downsampled
current video (N, T, 3, s, s) and the target index. gamma = 1 with rewards-to-go (ROVR
§5.1), no GAE.

Data-parallel under torchrun (:meth:`PhasicPolicyGradient.distribute`): each process holds
its share of every rollout's episodes (returns per episode, so its own), advantages are
normalised with the whole rollout's mean and std (:meth:`rlvid.distributed.Context.sum`),
and every process draws the same minibatch permutation of the whole rollout (or buffer) and
trains on the rows of each minibatch it holds; pi and V run in one DDP module
(``Context.wrap_loss``), each loss term is the minibatch's mean over every process's rows
(``Context.global_mean``), so DDP's averaged gradient, its clipping and the step are the
one-process run's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import torch
import torch.nn as nn

from rlvid.config.rovr import ROVRConfig
from rlvid.distributed import ONE, Context
from rlvid.nn.rovr import CriticNet
from rlvid.nn.rovr_pair import action_dist


@dataclass
class Batch:
    """Flattened transitions of one rollout (B = videos x T)."""

    small: torch.Tensor  # (B, T, 3, s, s) state: tiled video (as tiles)
    target: torch.Tensor  # (B,) target frame index
    pair: torch.Tensor  # (B, k) chosen conditioning frames (k = 2: the paper's pair)
    log_prob: torch.Tensor  # (B,) their log-prob under the rollout policy
    value: torch.Tensor  # (B,) V(s) at rollout time
    returns: torch.Tensor  # (B,) rewards-to-go
    advantages: torch.Tensor  # (B,)

    def __len__(self) -> int:
        return self.target.shape[0]

    def index(self, idx: torch.Tensor) -> Batch:
        return Batch(*(getattr(self, f)[idx] for f in self.__dataclass_fields__))


# ---------------------------------------------------------------- returns and advantages


def rewards_to_go(rewards: torch.Tensor) -> torch.Tensor:
    """gamma = 1 (§5.1): R_t = sum_{k >= t} r_k along the last dim ("reverse and sum")."""
    return rewards.flip(-1).cumsum(-1).flip(-1)


def advantages(returns: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """A_t = R_t - V(s_t): the usual sign (the paper prints V - R: errata)."""
    return returns - values


def rollout_batch(smalls: list[torch.Tensor], targets: list[torch.Tensor],
                  pairs: list[torch.Tensor], log_probs: list[torch.Tensor],
                  values: list[torch.Tensor], rewards: list[torch.Tensor]) -> Batch:
    """One rollout's per-step tensors (each (N, ...), one per step t) -> a flat Batch with
    rewards-to-go and A_t = R_t - V(s_t)."""
    returns = rewards_to_go(torch.stack(rewards, 1))  # (N, T)
    value = torch.stack(values, 1)
    return Batch(
        small=torch.stack(smalls, 1).flatten(0, 1), target=torch.stack(targets, 1).flatten(),
        pair=torch.stack(pairs, 1).flatten(0, 1), log_prob=torch.stack(log_probs, 1).flatten(),
        value=value.flatten(), returns=returns.flatten(),
        advantages=advantages(returns, value).flatten(),
    )


def normalize(x: torch.Tensor, eps: float = 1e-8, ctx: Context = ONE) -> torch.Tensor:
    """(x - mean) / std over ``x`` on every process (two passes of ``ctx.sum``)."""
    if not ctx.active:
        return (x - x.mean()) / (x.std(unbiased=False) + eps) if x.numel() > 1 else x * 0
    wide = x.double()
    n = ctx.sum(torch.tensor(float(x.numel()), dtype=torch.float64))
    mean = ctx.sum(wide.sum()) / n
    std = (ctx.sum((wide - mean).pow(2).sum()) / n).sqrt()
    return ((wide - mean) / (std + eps)).to(x.dtype) if n > 1 else x * 0


def _minibatches(n: int, size: int) -> list[torch.Tensor]:
    perm = torch.randperm(n)
    return [perm[i : i + size] for i in range(0, n, size)]


def _params(policy: nn.Module, critic: nn.Module) -> list[nn.Parameter]:
    return list(policy.parameters()) + list(critic.parameters())


# ---------------------------------------------------------------- POLICY PHASE (PPO)

Call = Callable[..., Any]  # call(fn, *args) = fn(policy, critic, *args): Context.wrap_loss
Mean = Callable[[torch.Tensor], torch.Tensor]


def policy_phase(
    policy: nn.Module, critic: CriticNet, optimizer: torch.optim.Optimizer, batch: Batch,
    cfg: ROVRConfig, ctx: Context = ONE, call: Call | None = None,
) -> dict[str, float]:
    """E_pi epochs of the clipped surrogate + entropy bonus + value regression (one optimizer,
    as CleanRL). Returns the mean of each logged term. ``ctx``, ``call``: data-parallel
    (``batch``: this process's share of the rollout; see the module's docstring)."""
    call = call or ctx.wrap_loss(policy, critic)
    logs: dict[str, list[float]] = {k: [] for k in
                                    ("pg_loss", "value_loss", "entropy", "approx_kl", "clipfrac")}
    adv_all = normalize(batch.advantages, ctx=ctx) if cfg.norm_advantages \
        else batch.advantages
    for _ in range(cfg.ppg_policy_epochs):
        for idx in _minibatches(len(batch) * ctx.world_size, cfg.ppg_minibatch):
            mine = ctx.local_rows(idx, [len(batch)])
            mb, adv = batch.index(mine), adv_all[mine]
            loss, terms = call(_ppo_loss, mb, adv, cfg,
                               partial(ctx.global_mean, count=len(idx)))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(_params(policy, critic), cfg.max_grad_norm)
            optimizer.step()
            for key, value in zip(logs, terms):
                logs[key].append(float(value))
    return {k: sum(v) / max(len(v), 1) for k, v in logs.items()}


def _ppo_loss(policy: nn.Module, critic: CriticNet, mb: Batch, adv: torch.Tensor,
              cfg: ROVRConfig, mean: Mean) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """One minibatch's loss, and (pg_loss, value_loss, entropy, approx_kl, clipfrac)."""
    dist, _ = action_dist(policy, mb.small, mb.target, cfg.gumbel_temperature,
                          cfg.pair_logprob)
    new_lp = dist.log_prob(mb.pair)
    log_ratio = new_lp - mb.log_prob
    ratio = log_ratio.exp()
    # L^clip (PPO; PPG paper eq. 1), an entropy bonus, and L^value on V (eq. 3)
    pg_loss = mean(torch.max(-adv * ratio, -adv * ratio.clamp(1 - cfg.clip, 1 + cfg.clip)))
    entropy = mean(dist.entropy())
    value_loss = 0.5 * mean((critic(mb.small, mb.target) - mb.returns).pow(2))
    loss = pg_loss - cfg.entropy_coef * entropy + cfg.value_coef * value_loss
    with torch.no_grad():
        approx_kl = mean((ratio - 1) - log_ratio)
        clipfrac = mean(((ratio - 1).abs() > cfg.clip).float())
    return loss, (pg_loss.detach(), value_loss.detach(), entropy.detach(), approx_kl,
                  clipfrac)


# ---------------------------------------------------------------- AUXILIARY PHASE


def auxiliary_phase(
    policy: nn.Module, critic: CriticNet, optimizer: torch.optim.Optimizer,
    small: torch.Tensor, target: torch.Tensor, returns: torch.Tensor, cfg: ROVRConfig,
    ctx: Context = ONE, call: Call | None = None, blocks: list[int] | None = None,
) -> dict[str, float]:
    """PPG's auxiliary phase over the buffered states (CleanRL: E_aux = 6, beta_clone = 1):
    pi_old's log-probs over the whole buffer first, then E_aux epochs of minibatches.
    Data-parallel: the states are this process's share of each rollout, ``blocks`` their
    counts per rollout (see the module's docstring)."""
    call = call or ctx.wrap_loss(policy, critic)
    blocks = blocks or [len(target)]
    with torch.no_grad():  # the old-policy snapshot (PPG Algorithm 1, line "compute pi_old")
        old = [action_dist(policy, small[i], target[i], cfg.gumbel_temperature,
                           cfg.pair_logprob)[0] for i in _chunks(len(target), cfg.ppg_minibatch)]
        old_table = torch.cat([d.clone_table() for d in old])
    logs: dict[str, list[float]] = {"kl_clone": [], "aux_value_loss": [], "value_loss_aux": []}
    for _ in range(cfg.ppg_aux_epochs):
        for idx in _minibatches(len(target) * ctx.world_size, cfg.ppg_minibatch):
            mine = ctx.local_rows(idx, blocks)
            loss, terms = call(_aux_loss, small[mine], target[mine], returns[mine],
                               old_table[mine], cfg, partial(ctx.global_mean, count=len(idx)))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(_params(policy, critic), cfg.max_grad_norm)
            optimizer.step()
            for key, value in zip(logs, terms):
                logs[key].append(float(value))
    return {k: sum(v) / max(len(v), 1) for k, v in logs.items()}


def _aux_loss(policy: nn.Module, critic: CriticNet, small: torch.Tensor, target: torch.Tensor,
              returns: torch.Tensor, old_table: torch.Tensor, cfg: ROVRConfig, mean: Mean
              ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """One minibatch's joint loss, and (kl_clone, aux_value_loss, value_loss_aux)."""
    new, aux_value = action_dist(policy, small, target, cfg.gumbel_temperature,
                                 cfg.pair_logprob)
    kl = mean(new.clone_kl(old_table))
    aux_value_loss = 0.5 * mean((aux_value - returns).pow(2))
    value_loss = 0.5 * mean((critic(small, target) - returns).pow(2))
    # L^joint = L^aux + beta_clone KL(pi_old || pi) on pi (PPG eq. 2), L^value on V
    loss = aux_value_loss + cfg.beta_clone * kl + value_loss
    return loss, (kl.detach(), aux_value_loss.detach(), value_loss.detach())


def _chunks(n: int, size: int) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def n_minibatches(n: int, size: int) -> int:
    return -(-n // size)


# ---------------------------------------------------------------- the phase schedule


class PhasicPolicyGradient:
    """The PPG loop as harness steps: each phase is ``N_pi`` policy steps then one auxiliary
    step, so harness step ``i`` is :meth:`phase_of` (i). Holds the buffer B (states and
    returns of this phase's rollouts), which a checkpoint keeps."""

    def __init__(self, policy: nn.Module, critic: CriticNet,
                 optimizer: torch.optim.Optimizer, cfg: ROVRConfig):
        self.policy, self.critic, self.optimizer, self.cfg = policy, critic, optimizer, cfg
        self.buffer: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []
        self.ctx = ONE
        self.call = self.ctx.wrap_loss(policy, critic)

    def distribute(self, ctx: Context) -> None:
        """Train data-parallel: pi and V in one DDP module; a buffer already loaded (a
        checkpoint's, the whole rollouts') is cut to this process's share."""
        self.ctx, self.call = ctx, ctx.wrap_loss(self.policy, self.critic)
        self.buffer = [tuple(ctx.shard(x) for x in entry) for entry in self.buffer]

    def whole_buffer(self) -> list[tuple[torch.Tensor, ...]]:
        """B as one process holds it, every process's share gathered (a collective): what a
        checkpoint keeps, so it resumes on any number of processes."""
        return [tuple(self.ctx.gather(x) for x in entry) for entry in self.buffer]

    @staticmethod
    def total_steps(cfg: ROVRConfig) -> int:
        return cfg.ppg_phases * (cfg.ppg_policy_iterations + 1)

    def phase_of(self, index: int) -> str:
        n_pi = self.cfg.ppg_policy_iterations
        return "auxiliary" if index % (n_pi + 1) == n_pi else "policy"

    def policy_iteration(self, batch: Batch) -> tuple[dict[str, float], int]:
        """PPO update on one rollout; its states and returns go to B. Returns (logs, updates)."""
        logs = policy_phase(self.policy, self.critic, self.optimizer, batch, self.cfg,
                            self.ctx, self.call)
        self.buffer.append((batch.small, batch.target, batch.returns))
        n = len(batch) * self.ctx.world_size
        return logs, self.cfg.ppg_policy_epochs * n_minibatches(n, self.cfg.ppg_minibatch)

    def auxiliary_iteration(self) -> tuple[dict[str, float], int, int]:
        """The auxiliary phase over B, then B cleared. Returns (logs, updates, states)."""
        blocks = [len(entry[1]) for entry in self.buffer]
        small, target, returns = (torch.cat(x) for x in zip(*self.buffer))
        logs = auxiliary_phase(self.policy, self.critic, self.optimizer, small, target,
                               returns, self.cfg, self.ctx, self.call, blocks)
        self.buffer = []
        n = len(target)
        updates = n_minibatches(n * self.ctx.world_size, self.cfg.ppg_minibatch)
        return logs, self.cfg.ppg_aux_epochs * updates, n
