"""DDPG pieces used by Algorithm 1 (Lillicrap et al. 2016): TD targets, the critic loss,
the deterministic policy-gradient actor loss and soft target updates (lines 27-31)."""

from __future__ import annotations

import torch
from torch import nn


def td_target(reward: torch.Tensor, gamma: float, next_q: torch.Tensor,
              not_done: torch.Tensor | None = None) -> torch.Tensor:
    """Alg. 1 line 27: ``r + gamma * Q'(., pi'(.))`` (times ``not_done`` when given)."""
    bootstrap = next_q if not_done is None else next_q * not_done
    return reward + gamma * bootstrap.detach()


def critic_loss(q: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Alg. 1 line 28: ``L_Q = 1/m sum (r_hat - Q(s, a))^2``."""
    return ((target.detach() - q) ** 2).mean()


def actor_loss(q_of_policy: torch.Tensor) -> torch.Tensor:
    """Alg. 1 line 30: descending ``-mean Q(s, pi(s))`` applies
    ``grad_a Q(s, a)|_{a = pi(s)} grad_theta pi(s)``, the deterministic policy gradient."""
    return -q_of_policy.mean()


@torch.no_grad()
def soft_update(target: nn.Module, source: nn.Module, tau: float) -> None:
    """Alg. 1 line 31: ``theta' <- tau theta + (1 - tau) theta'`` (buffers are copied)."""
    for t, s in zip(target.parameters(), source.parameters()):
        t.mul_(1 - tau).add_(s, alpha=tau)
    for t, s in zip(target.buffers(), source.buffers()):
        t.copy_(s)
