"""Phasic Policy Gradient for ROVR's pair selector (§6.3), after CleanRL's ``ppg_procgen.py``.

A PPG phase = ``ppg_policy_iterations`` policy iterations (rollout, then PPO's clipped
update of pi plus value regression of V; each rollout's states and returns go to a buffer),
then one auxiliary phase: ``ppg_aux_epochs`` epochs of
``beta_clone * KL(pi_old || pi) + 0.5 (V_aux - R)^2`` on pi and ``0.5 (V - R)^2`` on V over the
whole buffer, which is then cleared. pi and V are separate networks ("dual").

States are (small, target): the downsampled current video (N, T, 3, s, s) and the target index.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from rlvid.config.rovr import ROVRConfig
from rlvid.nn.rovr import (
    CriticNet,
    PolicyNet,
    candidate_log_probs,
    categorical_entropy,
    categorical_kl,
    pair_log_prob,
)


@dataclass
class Batch:
    """Flattened transitions of one rollout (B = videos x T)."""

    small: torch.Tensor  # (B, T, 3, s, s) state: tiled video (as tiles)
    target: torch.Tensor  # (B,) target frame index
    pair: torch.Tensor  # (B, 2) chosen conditioning frames
    log_prob: torch.Tensor  # (B,) pair log-prob under the rollout policy
    value: torch.Tensor  # (B,) V(s) at rollout time
    returns: torch.Tensor  # (B,) rewards-to-go
    advantages: torch.Tensor  # (B,)

    def __len__(self) -> int:
        return self.target.shape[0]

    def index(self, idx: torch.Tensor) -> Batch:
        return Batch(*(getattr(self, f)[idx] for f in self.__dataclass_fields__))


def rewards_to_go(rewards: torch.Tensor) -> torch.Tensor:
    """gamma = 1 (§5.1): R_t = sum_{k >= t} r_k along the last dim ("reverse and sum")."""
    return rewards.flip(-1).cumsum(-1).flip(-1)


def advantages(returns: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """A_t = R_t - V(s_t): the usual sign (the paper prints V - R: errata)."""
    return returns - values


def normalize(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    return (x - x.mean()) / (x.std(unbiased=False) + eps) if x.numel() > 1 else x * 0


def _minibatches(n: int, size: int) -> list[torch.Tensor]:
    perm = torch.randperm(n)
    return [perm[i : i + size] for i in range(0, n, size)]


def _params(policy: nn.Module, critic: nn.Module) -> list[nn.Parameter]:
    return list(policy.parameters()) + list(critic.parameters())


def policy_phase_update(
    policy: PolicyNet, critic: CriticNet, optimizer: torch.optim.Optimizer, batch: Batch,
    cfg: ROVRConfig,
) -> dict[str, float]:
    """E_pi epochs of the clipped surrogate + entropy bonus + value regression (one optimizer,
    as CleanRL). Returns the mean of each logged term."""
    logs: dict[str, list[float]] = {k: [] for k in
                                    ("pg_loss", "value_loss", "entropy", "approx_kl", "clipfrac")}
    adv_all = normalize(batch.advantages) if cfg.norm_advantages else batch.advantages
    for _ in range(cfg.ppg_policy_epochs):
        for idx in _minibatches(len(batch), cfg.ppg_minibatch):
            mb, adv = batch.index(idx), adv_all[idx]
            logits, _ = policy(mb.small, mb.target)
            log_probs = candidate_log_probs(logits, cfg.gumbel_temperature)
            new_lp = pair_log_prob(log_probs, mb.pair, cfg.pair_logprob)
            log_ratio = new_lp - mb.log_prob
            ratio = log_ratio.exp()
            pg_loss = torch.max(-adv * ratio,
                                -adv * ratio.clamp(1 - cfg.clip, 1 + cfg.clip)).mean()
            entropy = categorical_entropy(log_probs).mean()
            value_loss = 0.5 * (critic(mb.small, mb.target) - mb.returns).pow(2).mean()
            loss = pg_loss - cfg.entropy_coef * entropy + cfg.value_coef * value_loss
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(_params(policy, critic), cfg.max_grad_norm)
            optimizer.step()
            with torch.no_grad():
                logs["pg_loss"].append(float(pg_loss.detach()))
                logs["value_loss"].append(float(value_loss.detach()))
                logs["entropy"].append(float(entropy.detach()))
                logs["approx_kl"].append(float(((ratio - 1) - log_ratio).mean()))
                logs["clipfrac"].append(float(((ratio - 1).abs() > cfg.clip).float().mean()))
    return {k: sum(v) / max(len(v), 1) for k, v in logs.items()}


def auxiliary_phase(
    policy: PolicyNet, critic: CriticNet, optimizer: torch.optim.Optimizer,
    small: torch.Tensor, target: torch.Tensor, returns: torch.Tensor, cfg: ROVRConfig,
) -> dict[str, float]:
    """PPG's auxiliary phase over the buffered states (CleanRL: E_aux = 6, beta_clone = 1)."""
    with torch.no_grad():
        old = torch.cat([
            candidate_log_probs(policy(small[i], target[i])[0], cfg.gumbel_temperature)
            for i in _chunks(len(target), cfg.ppg_minibatch)
        ])
    logs: dict[str, list[float]] = {"kl_clone": [], "aux_value_loss": [], "value_loss_aux": []}
    for _ in range(cfg.ppg_aux_epochs):
        for idx in _minibatches(len(target), cfg.ppg_minibatch):
            logits, aux_value = policy(small[idx], target[idx])
            new = candidate_log_probs(logits, cfg.gumbel_temperature)
            kl = categorical_kl(old[idx], new).mean()
            aux_value_loss = 0.5 * (aux_value - returns[idx]).pow(2).mean()
            value_loss = 0.5 * (critic(small[idx], target[idx]) - returns[idx]).pow(2).mean()
            loss = aux_value_loss + cfg.beta_clone * kl + value_loss
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(_params(policy, critic), cfg.max_grad_norm)
            optimizer.step()
            logs["kl_clone"].append(float(kl.detach()))
            logs["aux_value_loss"].append(float(aux_value_loss.detach()))
            logs["value_loss_aux"].append(float(value_loss.detach()))
    return {k: sum(v) / max(len(v), 1) for k, v in logs.items()}


def _chunks(n: int, size: int) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]
