"""rlvid.rl.ppg as a generic algorithm: a categorical bandit with its own networks and
distribution, the rollout batch, and the phase schedule."""

import torch
import torch.nn as nn

from rlvid.rl.ppg import PhasicPolicyGradient, PPGConfig, rollout_batch


class Categorical:
    """The distribution interface PPG reads, over one categorical of logits (B, A)."""

    def __init__(self, logits: torch.Tensor):
        self.lp = torch.log_softmax(logits, -1)

    def log_prob(self, action: torch.Tensor) -> torch.Tensor:
        return self.lp.gather(-1, action[:, None]).squeeze(-1)

    def entropy(self) -> torch.Tensor:
        return -(self.lp.exp() * self.lp).sum(-1)

    def clone_table(self) -> torch.Tensor:
        return self.lp

    def clone_kl(self, table: torch.Tensor) -> torch.Tensor:
        return (table.exp() * (table - self.lp)).sum(-1)


class Policy(nn.Module):
    """Logits over 4 arms and an auxiliary value from a (B, 2) state."""

    def __init__(self):
        super().__init__()
        self.body = nn.Linear(2, 5)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.body(x)
        return out[:, :4], out[:, 4]


def distribution(policy: nn.Module, states: tuple[torch.Tensor, ...]):
    logits, aux = policy(*states)
    return Categorical(logits), aux


def value(critic: nn.Module, states: tuple[torch.Tensor, ...]) -> torch.Tensor:
    return critic(*states).squeeze(-1)


def _rollout(ppg: PhasicPolicyGradient, episodes: int, steps: int):
    """Each step: state (1, s) with s ~ U(0, 1); arm 2 pays 1 + s, the others 0."""
    states, actions, log_probs, values, rewards = [], [], [], [], []
    for _ in range(steps):
        s = torch.cat([torch.ones(episodes, 1), torch.rand(episodes, 1)], 1)
        with torch.no_grad():
            dist, _ = distribution(ppg.policy, (s,))
            a = torch.multinomial(dist.lp.exp(), 1).squeeze(1)
            log_probs.append(dist.log_prob(a))
            values.append(value(ppg.critic, (s,)))
        rewards.append((a == 2).float() * (1 + s[:, 1]))
        states.append((s,))
        actions.append(a)
    return rollout_batch(states, actions, log_probs, values, rewards)


def test_rollout_batch_is_episode_major_with_rewards_to_go_and_r_minus_v():
    states = [(torch.tensor([[0.0], [1.0]]),), (torch.tensor([[2.0], [3.0]]),)]
    actions = [torch.tensor([0, 1]), torch.tensor([2, 3])]
    batch = rollout_batch(states, actions, [torch.zeros(2)] * 2,
                          [torch.tensor([1.0, 0.0]), torch.tensor([0.5, 0.0])],
                          [torch.tensor([1.0, 0.0]), torch.tensor([2.0, 4.0])])
    # episode 0 is rows 0-1 (steps 0, 1), episode 1 rows 2-3
    assert batch.states[0].flatten().tolist() == [0.0, 2.0, 1.0, 3.0]
    assert batch.action.tolist() == [0, 2, 1, 3]
    assert batch.returns.tolist() == [3.0, 2.0, 4.0, 4.0]
    assert batch.advantages.tolist() == [2.0, 1.5, 4.0, 4.0]
    assert len(batch) == 4 and batch.index(torch.tensor([3])).returns.tolist() == [4.0]


def test_the_schedule_is_n_pi_policy_steps_then_one_auxiliary_step():
    cfg = PPGConfig(phases=3, policy_iterations=2)
    ppg = PhasicPolicyGradient(Policy(), nn.Linear(2, 1), None, cfg, distribution, value)
    assert cfg.total_steps == 9
    assert [ppg.phase_of(i) for i in range(6)] == ["policy", "policy", "auxiliary"] * 2


def test_ppg_learns_a_bandit_with_its_own_networks_and_distribution():
    torch.manual_seed(0)
    policy, critic = Policy(), nn.Linear(2, 1)
    opt = torch.optim.Adam([*policy.parameters(), *critic.parameters()], lr=3e-2, eps=1e-5)
    cfg = PPGConfig(phases=3, policy_iterations=4, policy_epochs=2, aux_epochs=3,
                    minibatch=16)
    ppg = PhasicPolicyGradient(policy, critic, opt, cfg, distribution, value)
    probe = (torch.tensor([[1.0, 0.5]]),)
    with torch.no_grad():
        before = distribution(policy, probe)[0].lp.exp()[0, 2].item()
    for step in range(cfg.total_steps):
        if ppg.phase_of(step) == "policy":
            batch = _rollout(ppg, episodes=8, steps=5)  # 40 transitions
            logs, updates = ppg.policy_iteration(batch)
            assert updates == 2 * 3  # E_pi x ceil(40 / 16)
            assert set(logs) == {"pg_loss", "value_loss", "entropy", "approx_kl", "clipfrac"}
        else:
            with torch.no_grad():
                old = distribution(policy, probe)[0].clone_table()
            logs, updates, states = ppg.auxiliary_iteration()
            assert (updates, states, ppg.buffer) == (3 * 10, 160, [])  # E_aux x ceil(160/16)
            with torch.no_grad():  # beta_clone keeps pi where it was
                assert distribution(policy, probe)[0].clone_kl(old).item() < 0.05
    with torch.no_grad():
        after = distribution(policy, probe)[0].lp.exp()[0, 2].item()
        v = value(critic, probe).item()
    assert before < 0.4 and after > 0.9, (before, after)
    # V cannot see the step t, so it fits the mean over t of R_t = p (1 + s) + (4 - t) 1.5 p:
    # p (1.5 + 3) at s = 0.5, p = pi(arm 2)
    assert abs(v - after * 4.5) < 0.5, (v, after)
