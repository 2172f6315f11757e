"""Phasic Policy Gradient (Cobbe et al., "Phasic Policy Gradient", ICML 2021), in the order of
its Algorithm 1 and of CleanRL's ``ppg_procgen.py``:

    for phase = 1, 2, ...                                   (``PPGConfig.phases``)
        POLICY PHASE, N_pi times (``policy_iterations``):
            collect a rollout with pi (the caller's environment),
            returns and advantages (:func:`rollout_batch`),
            E_pi epochs of PPO's clipped objective + value loss over minibatches
            (:func:`policy_phase`), rollout states and returns into the buffer B;
        AUXILIARY PHASE (:func:`auxiliary_phase`):
            snapshot pi_old over all of B first, then E_aux epochs (``aux_epochs``) of
            0.5 (V_aux - R)^2 + beta_clone * KL(pi_old || pi) on pi and 0.5 (V - R)^2 on V;
            clear B.

The algorithm knows the networks only through two callables, as :mod:`rlvid.rl.ddpg` does:
``distribution(pi, states)`` -> (pi's :class:`ActionDistribution` at the states, pi's
auxiliary value V_aux(s)) and ``value(V, states)`` -> V(s). States are a tuple of tensors
whose first dim is the transition (indexed, stacked and buffered as they are). pi and V are
separate networks ("dual"), with one optimizer, as CleanRL's single Adam; PPG's paper gives
the dual variant separate ones. Returns are rewards-to-go with gamma = 1, no GAE.

:class:`PhasicPolicyGradient` holds the schedule (which harness step is which phase) and the
buffer.

Data-parallel under torchrun (:meth:`PhasicPolicyGradient.distribute`): each process holds
its share of every rollout's episodes (returns per episode, so its own), advantages are
normalised with the whole rollout's mean and std (:meth:`rlvid.parallel.distributed.Context.sum`),
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
from typing import Any, Protocol

import torch
import torch.nn as nn

from rlvid.parallel.distributed import ONE, Context


@dataclass(frozen=True)
class PPGConfig:
    """PPG's hyperparameters; defaults are CleanRL's ``ppg_procgen.py`` (Procgen)."""

    phases: int = 47  # outer loop of Algorithm 1 (CleanRL: 25M steps / (N_pi x 16,384))
    policy_iterations: int = 32  # N_pi: rollouts (and PPO updates) per phase
    policy_epochs: int = 1  # E_pi: epochs over each rollout
    aux_epochs: int = 6  # E_aux: epochs over the buffer B in the auxiliary phase
    minibatch: int = 2048  # transitions per minibatch, both phases
    clip: float = 0.2  # epsilon of L^clip (eq. 1)
    entropy_coef: float = 0.01  # weight of pi's entropy bonus in the policy phase
    value_coef: float = 0.5  # weight of L^value (eq. 3) beside L^clip (one optimizer)
    beta_clone: float = 1.0  # beta_clone of L^joint (eq. 2)
    max_grad_norm: float = 0.5  # gradients clipped to this global norm before each step
    norm_advantages: bool = True  # A_t normalised over the rollout (mean 0, std 1)

    @property
    def total_steps(self) -> int:
        """Harness steps of a run: each phase is N_pi policy steps and one auxiliary step."""
        return self.phases * (self.policy_iterations + 1)


class ActionDistribution(Protocol):
    """What PPG reads of pi's distribution at a batch of states (one row per state)."""

    def log_prob(self, action: torch.Tensor) -> torch.Tensor: ...  # (B,)

    def entropy(self) -> torch.Tensor: ...  # (B,); called after log_prob

    def clone_table(self) -> torch.Tensor: ...  # (B, ...) what pi_old keeps for the KL

    def clone_kl(self, table: torch.Tensor) -> torch.Tensor: ...  # (B,) KL(old || self)


States = tuple[torch.Tensor, ...]
Distribution = Callable[[nn.Module, States], tuple[ActionDistribution, torch.Tensor]]
Value = Callable[[nn.Module, States], torch.Tensor]
Call = Callable[..., Any]  # call(fn, *args) = fn(policy, critic, *args): Context.wrap_loss
Mean = Callable[[torch.Tensor], torch.Tensor]


@dataclass
class Batch:
    """Flattened transitions of one rollout (B = episodes x steps)."""

    states: States  # each (B, ...)
    action: torch.Tensor  # (B, ...) the actions taken
    log_prob: torch.Tensor  # (B,) their log-prob under the rollout policy
    value: torch.Tensor  # (B,) V(s) at rollout time
    returns: torch.Tensor  # (B,) rewards-to-go
    advantages: torch.Tensor  # (B,)

    def __len__(self) -> int:
        return self.returns.shape[0]

    def index(self, idx: torch.Tensor) -> Batch:
        return Batch(tuple(x[idx] for x in self.states), self.action[idx], self.log_prob[idx],
                     self.value[idx], self.returns[idx], self.advantages[idx])


# ---------------------------------------------------------------- returns and advantages


def rewards_to_go(rewards: torch.Tensor) -> torch.Tensor:
    """gamma = 1: R_t = sum_{k >= t} r_k along the last dim ("reverse and sum")."""
    return rewards.flip(-1).cumsum(-1).flip(-1)


def advantages(returns: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """A_t = R_t - V(s_t)."""
    return returns - values


def rollout_batch(states: list[States], actions: list[torch.Tensor],
                  log_probs: list[torch.Tensor], values: list[torch.Tensor],
                  rewards: list[torch.Tensor]) -> Batch:
    """One rollout's per-step tensors (each (N, ...), one per step t; ``states`` one tuple
    per step) -> a flat Batch (episode-major) with rewards-to-go and A_t = R_t - V(s_t)."""
    returns = rewards_to_go(torch.stack(rewards, 1))  # (N, T)
    value = torch.stack(values, 1)

    def flat(xs: list[torch.Tensor] | tuple[torch.Tensor, ...]) -> torch.Tensor:
        return torch.stack(xs, 1).flatten(0, 1)

    return Batch(states=tuple(flat(x) for x in zip(*states)), action=flat(actions),
                 log_prob=flat(log_probs), value=value.flatten(), returns=returns.flatten(),
                 advantages=advantages(returns, value).flatten())


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


def _chunks(n: int, size: int) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def n_minibatches(n: int, size: int) -> int:
    return -(-n // size)


def _step(loss: torch.Tensor, optimizer: torch.optim.Optimizer, policy: nn.Module,
          critic: nn.Module, max_grad_norm: float) -> None:
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_([*policy.parameters(), *critic.parameters()], max_grad_norm)
    optimizer.step()


# ---------------------------------------------------------------- POLICY PHASE (PPO)


def policy_phase(
    policy: nn.Module, critic: nn.Module, optimizer: torch.optim.Optimizer, batch: Batch,
    cfg: PPGConfig, distribution: Distribution, value: Value, ctx: Context = ONE,
    call: Call | None = None,
) -> dict[str, float]:
    """E_pi epochs of the clipped surrogate + entropy bonus + value regression (one optimizer,
    as CleanRL). Returns the mean of each logged term. ``ctx``, ``call``: data-parallel
    (``batch``: this process's share of the rollout; see the module's docstring)."""
    call = call or ctx.wrap_loss(policy, critic)
    logs: dict[str, list[float]] = {k: [] for k in
                                    ("pg_loss", "value_loss", "entropy", "approx_kl", "clipfrac")}
    adv_all = normalize(batch.advantages, ctx=ctx) if cfg.norm_advantages \
        else batch.advantages
    for _ in range(cfg.policy_epochs):
        for idx in _minibatches(len(batch) * ctx.world_size, cfg.minibatch):
            mine = ctx.local_rows(idx, [len(batch)])
            mb, adv = batch.index(mine), adv_all[mine]
            loss, terms = call(_ppo_loss, mb, adv, cfg, distribution, value,
                               partial(ctx.global_mean, count=len(idx)))
            _step(loss, optimizer, policy, critic, cfg.max_grad_norm)
            for key, term in zip(logs, terms):
                logs[key].append(float(term))
    return {k: sum(v) / max(len(v), 1) for k, v in logs.items()}


def _ppo_loss(policy: nn.Module, critic: nn.Module, mb: Batch, adv: torch.Tensor,
              cfg: PPGConfig, distribution: Distribution, value: Value, mean: Mean
              ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """One minibatch's loss, and (pg_loss, value_loss, entropy, approx_kl, clipfrac)."""
    dist, _ = distribution(policy, mb.states)
    new_lp = dist.log_prob(mb.action)
    log_ratio = new_lp - mb.log_prob
    ratio = log_ratio.exp()
    # L^clip (PPO; eq. 1), an entropy bonus, and L^value on V (eq. 3)
    pg_loss = mean(torch.max(-adv * ratio, -adv * ratio.clamp(1 - cfg.clip, 1 + cfg.clip)))
    entropy = mean(dist.entropy())
    value_loss = 0.5 * mean((value(critic, mb.states) - mb.returns).pow(2))
    loss = pg_loss - cfg.entropy_coef * entropy + cfg.value_coef * value_loss
    with torch.no_grad():
        approx_kl = mean((ratio - 1) - log_ratio)
        clipfrac = mean(((ratio - 1).abs() > cfg.clip).float())
    return loss, (pg_loss.detach(), value_loss.detach(), entropy.detach(), approx_kl,
                  clipfrac)


# ---------------------------------------------------------------- AUXILIARY PHASE


def auxiliary_phase(
    policy: nn.Module, critic: nn.Module, optimizer: torch.optim.Optimizer, states: States,
    returns: torch.Tensor, cfg: PPGConfig, distribution: Distribution, value: Value,
    ctx: Context = ONE, call: Call | None = None, blocks: list[int] | None = None,
) -> dict[str, float]:
    """PPG's auxiliary phase over the buffered states: pi_old's clone tables over the whole
    buffer first, then E_aux epochs of minibatches. Data-parallel: the states are this
    process's share of each rollout, ``blocks`` their counts per rollout (see the module's
    docstring)."""
    call = call or ctx.wrap_loss(policy, critic)
    n = len(returns)
    blocks = blocks or [n]
    with torch.no_grad():  # the old-policy snapshot (Algorithm 1, "compute pi_old")
        old_table = torch.cat([distribution(policy, tuple(x[i] for x in states))[0].clone_table()
                               for i in _chunks(n, cfg.minibatch)])
    logs: dict[str, list[float]] = {"kl_clone": [], "aux_value_loss": [], "value_loss_aux": []}
    for _ in range(cfg.aux_epochs):
        for idx in _minibatches(n * ctx.world_size, cfg.minibatch):
            mine = ctx.local_rows(idx, blocks)
            loss, terms = call(_aux_loss, tuple(x[mine] for x in states), returns[mine],
                               old_table[mine], cfg, distribution, value,
                               partial(ctx.global_mean, count=len(idx)))
            _step(loss, optimizer, policy, critic, cfg.max_grad_norm)
            for key, term in zip(logs, terms):
                logs[key].append(float(term))
    return {k: sum(v) / max(len(v), 1) for k, v in logs.items()}


def _aux_loss(policy: nn.Module, critic: nn.Module, states: States, returns: torch.Tensor,
              old_table: torch.Tensor, cfg: PPGConfig, distribution: Distribution,
              value: Value, mean: Mean) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """One minibatch's joint loss, and (kl_clone, aux_value_loss, value_loss_aux)."""
    new, aux_value = distribution(policy, states)
    kl = mean(new.clone_kl(old_table))
    aux_value_loss = 0.5 * mean((aux_value - returns).pow(2))
    value_loss = 0.5 * mean((value(critic, states) - returns).pow(2))
    # L^joint = L^aux + beta_clone KL(pi_old || pi) on pi (eq. 2), L^value on V (eq. 3)
    loss = aux_value_loss + cfg.beta_clone * kl + value_loss
    return loss, (kl.detach(), aux_value_loss.detach(), value_loss.detach())


# ---------------------------------------------------------------- the phase schedule


class PhasicPolicyGradient:
    """The PPG loop as harness steps: each phase is ``N_pi`` policy steps then one auxiliary
    step, so harness step ``i`` is :meth:`phase_of` (i). Holds the buffer B, one
    ``(*states, returns)`` tuple per rollout of this phase, which a checkpoint keeps."""

    def __init__(self, policy: nn.Module, critic: nn.Module,
                 optimizer: torch.optim.Optimizer, cfg: PPGConfig,
                 distribution: Distribution, value: Value):
        self.policy, self.critic, self.optimizer, self.cfg = policy, critic, optimizer, cfg
        self.distribution, self.value = distribution, value
        self.buffer: list[tuple[torch.Tensor, ...]] = []
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

    def phase_of(self, index: int) -> str:
        n_pi = self.cfg.policy_iterations
        return "auxiliary" if index % (n_pi + 1) == n_pi else "policy"

    def policy_iteration(self, batch: Batch) -> tuple[dict[str, float], int]:
        """PPO update on one rollout; its states and returns go to B. Returns (logs, updates)."""
        logs = policy_phase(self.policy, self.critic, self.optimizer, batch, self.cfg,
                            self.distribution, self.value, self.ctx, self.call)
        self.buffer.append((*batch.states, batch.returns))
        n = len(batch) * self.ctx.world_size
        return logs, self.cfg.policy_epochs * n_minibatches(n, self.cfg.minibatch)

    def auxiliary_iteration(self) -> tuple[dict[str, float], int, int]:
        """The auxiliary phase over B, then B cleared. Returns (logs, updates, states)."""
        blocks = [len(entry[-1]) for entry in self.buffer]
        *states, returns = (torch.cat(x) for x in zip(*self.buffer))
        logs = auxiliary_phase(self.policy, self.critic, self.optimizer, tuple(states),
                               returns, self.cfg, self.distribution, self.value, self.ctx,
                               self.call, blocks)
        self.buffer = []
        n = len(returns)
        updates = n_minibatches(n * self.ctx.world_size, self.cfg.minibatch)
        return logs, self.cfg.aux_epochs * updates, n
