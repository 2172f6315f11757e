"""PPG for ROVR (§6.3): returns, advantages, clipped policy phase, auxiliary phase."""

from dataclasses import replace

import torch

from rlvid.config import load_config
from rlvid.nn.rovr import (
    CriticNet,
    PolicyNet,
    candidate_log_probs,
    categorical_kl,
    pair_log_prob,
    sample_pair,
)
from rlvid.rl.ppg import Batch, advantages, auxiliary_phase, policy_phase, rewards_to_go

GOOD = torch.tensor([1, 2])


def test_rewards_to_go_gamma_one_and_advantage_sign():
    rewards = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 5.0]])
    assert torch.equal(rewards_to_go(rewards), torch.tensor([[6.0, 5.0, 3.0], [5.0, 5.0, 5.0]]))
    # R - V: positive when the return beats the critic (the paper prints V - R: errata)
    assert torch.equal(advantages(torch.tensor([3.0]), torch.tensor([1.0])), torch.tensor([2.0]))


def _bandit_batch(policy, critic, small, target, kind):
    with torch.no_grad():
        lp = candidate_log_probs(policy(small, target)[0], 0.7)
        pair = sample_pair(lp)
        value = critic(small, target)
    reward = (pair.sort(1).values == GOOD).all(1).float()
    return Batch(small, target, pair, pair_log_prob(lp, pair, kind), value, reward,
                 advantages(reward, value))


def _good_prob(policy, small, target):
    with torch.no_grad():
        lp = candidate_log_probs(policy(small, target)[0], 0.7)
        return pair_log_prob(lp, GOOD.expand(len(target), 2), "exact").exp().mean().item()


def test_policy_phase_learns_a_pair_bandit_with_both_log_probs():
    cfg = load_config("smoke", {"rovr.ppg_minibatch": 32, "rovr.ppg_policy_epochs": 2}).rovr
    for kind in ("geometric", "exact"):
        torch.manual_seed(0)
        policy, critic = PolicyNet((4, 8), 16), CriticNet((4, 8), 16)
        opt = torch.optim.Adam([*policy.parameters(), *critic.parameters()], lr=3e-3)
        small, target = torch.rand(64, 6, 3, 8, 8), torch.zeros(64, dtype=torch.long)
        before = _good_prob(policy, small, target)
        for _ in range(25):
            batch = _bandit_batch(policy, critic, small, target, kind)
            logs = policy_phase(policy, critic, opt, batch,
                                       replace(cfg, pair_logprob=kind))
        after = _good_prob(policy, small, target)
        assert after > before + 0.2, (kind, before, after)
        assert 0 <= logs["clipfrac"] <= 1 and logs["entropy"] > 0


def test_auxiliary_phase_fits_values_and_keeps_the_policy():
    torch.manual_seed(0)
    cfg = load_config("smoke", {"rovr.ppg_aux_epochs": 30, "rovr.ppg_minibatch": 16}).rovr
    policy, critic = PolicyNet((4, 8), 16), CriticNet((4, 8), 16)
    opt = torch.optim.Adam([*policy.parameters(), *critic.parameters()], lr=3e-3)
    small = torch.rand(32, 6, 3, 8, 8)
    target = torch.randint(6, (32,))
    returns = small.mean(dim=(1, 2, 3, 4)) * 4  # learnable from the state
    with torch.no_grad():
        old = candidate_log_probs(policy(small, target)[0], 0.7)
        aux_before = 0.5 * (policy(small, target)[1] - returns).pow(2).mean().item()
        v_before = 0.5 * (critic(small, target) - returns).pow(2).mean().item()
    logs = auxiliary_phase(policy, critic, opt, small, target, returns, cfg)
    with torch.no_grad():
        new = candidate_log_probs(policy(small, target)[0], 0.7)
        aux_after = 0.5 * (policy(small, target)[1] - returns).pow(2).mean().item()
        v_after = 0.5 * (critic(small, target) - returns).pow(2).mean().item()
    assert aux_after < 0.5 * aux_before and v_after < 0.5 * v_before
    assert categorical_kl(old, new).mean().item() < 0.05  # beta_clone keeps pi in place
    assert set(logs) == {"kl_clone", "aux_value_loss", "value_loss_aux"}
