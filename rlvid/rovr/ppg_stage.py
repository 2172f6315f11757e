"""Stage 3: end-to-end PPG on ROVR's MDP (§6.3).

The update is :mod:`rlvid.rl.ppg`'s (policy phase, then auxiliary phase); what is ROVR's is
here: the rollout (:func:`collect_rollout`: one episode per video with the stochastic Gumbel
top-2 policy, Gamma training on L_R at every step when ``ppg_train_local``) and the reward
(perceptual improvement per step, plus ``flow_reward_coef`` * O at the end, eq. 3).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from rlvid.config import Config
from rlvid.config.rovr import ROVRConfig
from rlvid.harness import StepOutput
from rlvid.nn.rovr import CriticNet, PolicyNet, candidate_log_probs, pair_log_prob, sample_pair
from rlvid.rl.ppg import Batch, PhasicPolicyGradient, rollout_batch
from rlvid.rovr.env import InpaintEnv
from rlvid.rovr.losses import reconstruction_loss
from rlvid.rovr.runs import (
    StageResult,
    build_critic,
    build_policy,
    load_local,
    masked_set,
    run_stage,
    stage_dir,
)


def collect_rollout(env: InpaintEnv, policy: PolicyNet, critic: CriticNet,
                    local_opt: torch.optim.Optimizer | None,
                    rcfg: ROVRConfig) -> tuple[Batch, dict[str, float]]:
    """One episode per video with the stochastic policy; Gamma trains on L_R at every step
    when ``local_opt`` is given (§6.3). Returns (Batch, logs)."""
    smalls, targets, pairs, log_probs, values, rewards, local_losses = [], [], [], [], [], [], []
    env.reset()
    while not env.done:
        small, target = env.observe()
        with torch.no_grad():
            lp = candidate_log_probs(policy(small, target)[0], rcfg.gumbel_temperature)
            pair = sample_pair(lp)
            log_probs.append(pair_log_prob(lp, pair, rcfg.pair_logprob))
            values.append(critic(small, target))
        if local_opt is not None:
            env.local.train()
            x_hat = env.reconstruct(pair)
            loss, lp, _ = reconstruction_loss(x_hat, env.videos[:, env.t], rcfg.lambda_max)
            local_opt.zero_grad()
            loss.backward()
            local_opt.step()
            local_losses.append(float(loss.detach()))
            rewards.append(env.step(pair, x_hat, lp))
        else:
            rewards.append(env.step(pair))
        smalls.append(small)
        targets.append(target)
        pairs.append(pair)
    batch = rollout_batch(smalls, targets, pairs, log_probs, values, rewards)
    reward = torch.stack(rewards, 1)  # (N, T)
    logs = {"episode_return": float(batch.returns.view(env.n, -1)[:, 0].mean()),
            "flow_recovery": float(env.flow_recovery.mean()),
            "perceptual_reward": float(reward.sum(1).mean()
                                       - env.flow_coef * env.flow_recovery.mean())}
    if local_losses:
        logs["local_L_R"] = sum(local_losses) / len(local_losses)
    return batch, logs


class PPGTrainer:
    """pi, V and Gamma with their optimizers; a step is a policy iteration (a rollout and
    its PPO update) or, after every ``ppg_policy_iterations`` of them, the auxiliary phase."""

    def __init__(self, cfg: Config, local_state: dict[str, Any],
                 warm_start: dict[str, Any] | None, flow_reward: bool):
        rcfg = self.rcfg = cfg.rovr
        self.cfg, self.flow_reward, self.warm = cfg, flow_reward, warm_start is not None
        # seeded by the harness first; the same construction order as every earlier run
        self.policy, self.critic = build_policy(rcfg), build_critic(rcfg)
        self.local = load_local(cfg, local_state)
        if warm_start is not None:
            self.policy.load_state_dict(warm_start["policy"])
        self.opt = torch.optim.Adam([*self.policy.parameters(), *self.critic.parameters()],
                                    lr=rcfg.ppg_lr, eps=1e-5)
        self.local_opt = torch.optim.Adam(self.local.parameters(), lr=rcfg.ppg_local_lr)
        self.ppg = PhasicPolicyGradient(self.policy, self.critic, self.opt, rcfg)
        self.data = masked_set(cfg, "train")
        self.flow_coef = rcfg.flow_reward_coef if flow_reward else 0.0

    def phase_of(self, index: int) -> str:
        return self.ppg.phase_of(index)

    def step(self, index: int) -> StepOutput:
        rcfg, data = self.rcfg, self.data
        if self.phase_of(index) == "auxiliary":
            logs, updates, states = self.ppg.auxiliary_iteration()
            return StepOutput(logs, "auxiliary", updates, states)
        idx = torch.randperm(data.videos.shape[0])[: rcfg.ppg_rollout_videos]
        env = InpaintEnv(self.local, data.videos[idx], data.masks[idx], data.corrupted[idx],
                         rcfg, self.flow_coef)
        batch, logs = collect_rollout(env, self.policy, self.critic,
                                      self.local_opt if rcfg.ppg_train_local else None, rcfg)
        ppo_logs, updates = self.ppg.policy_iteration(batch)
        local_updates = env.num_frames if rcfg.ppg_train_local else 0
        return StepOutput({**logs, **ppo_logs}, "policy", updates + local_updates, len(batch))

    def state_dict(self) -> dict[str, Any]:
        return {"policy": self.policy.state_dict(), "critic": self.critic.state_dict(),
                "local": self.local.state_dict(), "opt": self.opt.state_dict(),
                "local_opt": self.local_opt.state_dict(), "buffer": self.ppg.buffer,
                "stage": "ppg", "flow_reward": self.flow_reward, "warm_start": self.warm,
                "config": self.cfg.to_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for module, key in ((self.policy, "policy"), (self.critic, "critic"),
                            (self.local, "local"), (self.opt, "opt"),
                            (self.local_opt, "local_opt")):
            module.load_state_dict(state[key])
        self.ppg.buffer = state["buffer"]


def train_ppg(cfg: Config, seed: int, local_state: dict[str, Any],
              warm_start: dict[str, Any] | None = None, flow_reward: bool = True,
              run_dir: str | Path | None = None, stop_after: int | None = None,
              progress: bool = True, name: str | None = None) -> StageResult:
    """PPG on the MDP (§6.3). ``warm_start``: an imitation checkpoint state (or None: cold
    start); ``flow_reward``: add ``flow_reward_coef`` * O at the end of each episode."""
    name = name or f"ppg-{'flow' if flow_reward else 'noflow'}-{'warm' if warm_start else 'cold'}"
    run_dir = Path(run_dir) if run_dir is not None else stage_dir(cfg, seed, name)
    return run_stage(lambda: PPGTrainer(cfg, local_state, warm_start, flow_reward), cfg, seed,
                     run_dir, PhasicPolicyGradient.total_steps(cfg.rovr), "ppg", stop_after,
                     progress, log_every=1)
