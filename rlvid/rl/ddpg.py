"""DDPG (Lillicrap et al. 2016) as Algorithm 1 of RL-V2V-GAN uses it, in CleanRL's order.

:func:`ddpg_update` is the whole update, lines 26-31 of Algorithm 1:

1. critic target under ``no_grad``: ``r_hat = r + gamma max_k Q'(b, pi'_k(b))`` with the
   bootstrap state ``b`` = ``s`` (the paper's line 27) or ``s'`` (DDPG's usual choice,
   times ``not_done``): ``bootstrap="s"`` or ``"s_next"``;
2. TD loss ``L_Q = 1/m sum (r_hat - Q(s, a))^2`` and a critic step (line 28);
3. actor objective ``-mean_k Q(s, pi_k(s))`` (the deterministic policy gradient, lines
   29-30) with the critics frozen, and an actor step;
4. Polyak soft update of every target network (line 31), every call.

A policy may propose several candidate actions (RL-V2V-GAN's a1 = P(s) and
a2 = G'(P(G(s))), line 13); the target takes the best candidate under Q', and the actor
objective sums over candidates. Plain DDPG is the case of one candidate. A batch comes in
parts (:class:`Part`), one per critic/actor pair (RL-V2V-GAN: domain x and domain y);
each part's losses are weighted by its share of the batch, or by per-row weights (a
process's shard under data parallelism, where DDP averages the processes' gradients).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

# critic(key, state, action) -> Q (n,); actor(key, state) -> candidate actions, each (n, ...)
Critic = Callable[[str, Any, torch.Tensor], torch.Tensor]
Actor = Callable[[str, Any], Sequence[torch.Tensor]]
BOOTSTRAPS = ("s", "s_next")


@dataclass
class Part:
    """The transitions of one critic/actor pair (``key``): ``state`` and ``next_state`` are
    passed to the networks as they are (e.g. a video prefix and its mask)."""

    key: str
    state: Any
    action: torch.Tensor
    reward: torch.Tensor  # (n,)
    next_state: Any
    not_done: torch.Tensor  # (n,) float: 0 where s' is terminal
    count: int
    # (n,) per-row loss weights, or None: each row 1 / (the batch's rows). A data-parallel
    # shard weights its rows world_size / m, so DDP's average is the whole batch's mean
    weight: torch.Tensor | None = None

    def scaled(self, loss: torch.Tensor, total: int) -> torch.Tensor:
        """This part's loss as its share of the batch's (already so with row weights)."""
        return loss * self.count / total if self.weight is None else loss


def td_target(reward: torch.Tensor, gamma: float, next_q: torch.Tensor,
              not_done: torch.Tensor | None = None) -> torch.Tensor:
    """Alg. 1 line 27: ``r + gamma * Q'(., pi'(.))`` (times ``not_done`` when given)."""
    bootstrap = next_q if not_done is None else next_q * not_done
    return reward + gamma * bootstrap.detach()


def _mean(values: torch.Tensor, weight: torch.Tensor | None) -> torch.Tensor:
    return values.mean() if weight is None else (values * weight).sum()


def critic_loss(q: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None
                ) -> torch.Tensor:
    """Alg. 1 line 28: ``L_Q = 1/m sum (r_hat - Q(s, a))^2`` (``weight``: per-row 1/m)."""
    return _mean((target.detach() - q) ** 2, weight)


def actor_loss(q_of_policy: torch.Tensor, weight: torch.Tensor | None = None) -> torch.Tensor:
    """Alg. 1 line 30: descending ``-mean Q(s, pi(s))`` applies
    ``grad_a Q(s, a)|_{a = pi(s)} grad_theta pi(s)``, the deterministic policy gradient."""
    return -_mean(q_of_policy, weight)


@torch.no_grad()
def soft_update(target: nn.Module, source: nn.Module, tau: float) -> None:
    """Alg. 1 line 31: ``theta' <- tau theta + (1 - tau) theta'`` (buffers are copied)."""
    for t, s in zip(target.parameters(), source.parameters()):
        t.mul_(1 - tau).add_(s, alpha=tau)
    for t, s in zip(target.buffers(), source.buffers()):
        t.copy_(s)


def _set_requires_grad(modules: Sequence[nn.Module], flag: bool) -> None:
    for m in modules:
        for p in m.parameters():
            p.requires_grad_(flag)


def ddpg_update(critic: Critic, critic_target: Critic, actor: Actor, actor_target: Actor,
                critic_opt: torch.optim.Optimizer | None, actor_opt: torch.optim.Optimizer,
                batch: Sequence[Part], gamma: float, tau: float,
                critics: Sequence[nn.Module], targets: Sequence[tuple[nn.Module, nn.Module]],
                bootstrap: str = "s_next", frozen_critic: Critic | None = None
                ) -> dict[str, float]:
    """One DDPG update on ``batch`` (lines 26-31); returns ``loss_q``, ``loss_actor`` and
    ``q_mean`` (mean Q(s, a) over the batch).

    ``critics`` are frozen during the actor step; ``targets`` are ``(target, source)``
    module pairs for the soft update with ``tau``. ``critic_opt=None`` skips the critic step
    (the TD loss is still reported). ``frozen_critic``: the critic as the actor step calls it
    (the modules themselves where ``critic`` calls DDP wrappers; default ``critic``).
    """
    total = sum(part.count for part in batch)
    loss_q, q_mean = critic_step(critic, critic_target, actor_target, critic_opt, batch, gamma,
                                 bootstrap)  # lines 27-28
    # ---- actor: deterministic policy gradient through every candidate (lines 29-30)
    _set_requires_grad(critics, False)
    q_of = frozen_critic or critic
    loss_pi: Any = 0.0
    for part in batch:
        candidates = actor(part.key, part.state)
        objective = actor_loss(q_of(part.key, part.state, candidates[0]), part.weight)
        for a in candidates[1:]:
            objective = objective + actor_loss(q_of(part.key, part.state, a), part.weight)
        loss_pi = loss_pi + part.scaled(objective, total)
    actor_opt.zero_grad(set_to_none=True)
    loss_pi.backward()
    actor_opt.step()
    _set_requires_grad(critics, True)
    # ---- Polyak soft update of the targets (line 31)
    for target_net, source in targets:
        soft_update(target_net, source, tau)
    return {"loss_q": loss_q, "loss_actor": float(loss_pi.detach()), "q_mean": q_mean}


def critic_step(critic: Critic, critic_target: Critic, actor_target: Actor,
                critic_opt: torch.optim.Optimizer | None, batch: Sequence[Part], gamma: float,
                bootstrap: str = "s_next") -> tuple[float, float]:
    """Lines 27-28 alone: TD targets from the target networks (no_grad), one critic step.
    Returns the TD loss before the step and mean Q(s, a). The critic warm-up (our reading of
    §4's pretrained theta_Q, errata) repeats this with the policy frozen."""
    if bootstrap not in BOOTSTRAPS:
        raise ValueError(f"bootstrap must be one of {BOOTSTRAPS}, got {bootstrap!r}")
    total = sum(part.count for part in batch)
    loss_q: Any = 0.0
    q_values = []
    for part in batch:
        with torch.no_grad():
            if bootstrap == "s":  # the paper: r_hat = r + gamma Q'(s, pi'(s))
                b, not_done = part.state, None
            else:  # DDPG: r_hat = r + gamma Q'(s', pi'(s')), 0 past the last frame
                b, not_done = part.next_state, part.not_done
            candidates = actor_target(part.key, b)  # pi'(b)
            next_q = critic_target(part.key, b, candidates[0])
            for a in candidates[1:]:
                next_q = torch.maximum(next_q, critic_target(part.key, b, a))
            target = td_target(part.reward, gamma, next_q, not_done)
        q = critic(part.key, part.state, part.action)
        q_values.append(q.detach() if part.weight is None else q.detach()[part.weight > 0])
        loss_q = loss_q + part.scaled(critic_loss(q, target, part.weight), total)  # line 28
    if critic_opt is not None:  # None: a frozen critic (the untrained-Q ablation)
        critic_opt.zero_grad(set_to_none=True)
        loss_q.backward()
        critic_opt.step()
    return float(loss_q.detach()), float(torch.cat(q_values).mean())
