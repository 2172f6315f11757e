"""PPG for ROVR (§6.3): returns, advantages, clipped policy phase, auxiliary phase."""

import math
from dataclasses import replace

import pytest
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
from rlvid.nn.rovr_pair import PairDist, PairPolicyNet, TopKDist
from rlvid.rl.ppg import Batch, advantages, auxiliary_phase, policy_phase, rewards_to_go
from rlvid.rovr.imitation import pair_contrastive_loss
from rlvid.rovr.ppg_stage import critic_value, policy_distribution, ppg_config

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
    return Batch((small, target), pair, pair_log_prob(lp, pair, kind), value, reward,
                 advantages(reward, value))


def _good_prob(policy, small, target):
    with torch.no_grad():
        lp = candidate_log_probs(policy(small, target)[0], 0.7)
        return pair_log_prob(lp, GOOD.expand(len(target), 2), "exact").exp().mean().item()


def test_policy_phase_learns_a_pair_bandit_with_both_log_probs():
    cfg = load_config("smoke", {"rovr.ppg.minibatch": 32, "rovr.ppg.policy_epochs": 2}).rovr
    for kind in ("geometric", "exact"):
        torch.manual_seed(0)
        policy, critic = PolicyNet((4, 8), 16), CriticNet((4, 8), 16)
        opt = torch.optim.Adam([*policy.parameters(), *critic.parameters()], lr=3e-3)
        small, target = torch.rand(64, 6, 3, 8, 8), torch.zeros(64, dtype=torch.long)
        before = _good_prob(policy, small, target)
        for _ in range(25):
            batch = _bandit_batch(policy, critic, small, target, kind)
            rcfg = replace(cfg, pair_logprob=kind)
            logs = policy_phase(policy, critic, opt, batch, ppg_config(rcfg),
                                policy_distribution(rcfg), critic_value)
        after = _good_prob(policy, small, target)
        assert after > before + 0.2, (kind, before, after)
        assert 0 <= logs["clipfrac"] <= 1 and logs["entropy"] > 0


def test_auxiliary_phase_fits_values_and_keeps_the_policy():
    torch.manual_seed(0)
    cfg = load_config("smoke", {"rovr.ppg.aux_epochs": 30, "rovr.ppg.minibatch": 16}).rovr
    policy, critic = PolicyNet((4, 8), 16), CriticNet((4, 8), 16)
    opt = torch.optim.Adam([*policy.parameters(), *critic.parameters()], lr=3e-3)
    small = torch.rand(32, 6, 3, 8, 8)
    target = torch.randint(6, (32,))
    returns = small.mean(dim=(1, 2, 3, 4)) * 4  # learnable from the state
    with torch.no_grad():
        old = candidate_log_probs(policy(small, target)[0], 0.7)
        aux_before = 0.5 * (policy(small, target)[1] - returns).pow(2).mean().item()
        v_before = 0.5 * (critic(small, target) - returns).pow(2).mean().item()
    logs = auxiliary_phase(policy, critic, opt, (small, target), returns, ppg_config(cfg),
                           policy_distribution(cfg), critic_value)
    with torch.no_grad():
        new = candidate_log_probs(policy(small, target)[0], 0.7)
        aux_after = 0.5 * (policy(small, target)[1] - returns).pow(2).mean().item()
        v_after = 0.5 * (critic(small, target) - returns).pow(2).mean().item()
    assert aux_after < 0.5 * aux_before and v_after < 0.5 * v_before
    assert categorical_kl(old, new).mean().item() < 0.05  # beta_clone keeps pi in place
    assert set(logs) == {"kl_clone", "aux_value_loss", "value_loss_aux"}


# ---------------------------------------------------------------- the pair-aware action


def _mask_state(n=3, t=6, s=8, seed=0):
    gen = torch.Generator().manual_seed(seed)
    small = torch.rand(n, t, 4, s, s, generator=gen)
    small[:, :, 3] = (small[:, :, 3] > 0.5).float()
    return small, torch.tensor([0, 2, 5])[:n]


def test_pair_policy_is_an_exact_distribution_over_allowed_ordered_pairs():
    small, target = _mask_state()
    joint, aux = PairPolicyNet((4, 8), 16, 4, 8, proj=2)(small, target)
    assert joint.shape == (3, 6, 6) and aux.shape == (3,)
    assert torch.allclose(joint.exp().flatten(1).sum(1), torch.ones(3), atol=1e-5)
    for row, t in enumerate(target.tolist()):
        banned = torch.zeros(6, 6, dtype=torch.bool)
        banned[t], banned[:, t] = True, True
        banned.fill_diagonal_(True)
        assert torch.isinf(joint[row][banned]).all() and torch.isfinite(joint[row][~banned]).all()
    dist = PairDist(joint)
    pair = dist.sample(torch.Generator().manual_seed(1))
    assert torch.equal(dist.log_prob(pair), joint[torch.arange(3), pair[:, 0], pair[:, 1]])
    assert (pair[:, 0] != pair[:, 1]).all() and (pair != target[:, None]).all()
    assert torch.allclose(dist.kl(dist), torch.zeros(3), atol=1e-6)
    assert (dist.entropy() > 0).all()


def test_pair_contrastive_loss_is_minus_log_valid_mass():
    joint = torch.log(torch.tensor([[[0.0, 0.5], [0.25, 0.25]]]).clamp_min(1e-30))
    joint[0, 0, 0] = float("-inf")
    valid = torch.tensor([[[False, True], [False, True]]])
    assert math.isclose(float(pair_contrastive_loss(joint, valid)), -math.log(0.75), rel_tol=1e-5)
    assert float(pair_contrastive_loss(joint, torch.ones_like(valid))) == pytest.approx(0, abs=1e-5)


def test_top2_pair_scores_are_two_draws_without_replacement():
    lp = torch.log_softmax(torch.tensor([[0.3, -1.0, 2.0, 0.5]]), -1)
    scores = TopKDist(lp, "exact").pair_scores()
    p = lp.exp()[0]
    assert math.isclose(float(scores[0, 2, 0].exp()), float(p[2] * p[0] / (1 - p[2])), rel_tol=1e-5)
    off = ~torch.eye(4, dtype=torch.bool)
    assert math.isclose(float(scores[0][off].exp().sum()), 1.0, rel_tol=1e-5)
