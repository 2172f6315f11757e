"""Stage 3: end-to-end PPG on ROVR's MDP (§6.3).

The update is :mod:`rlvid.rl.ppg`'s (policy phase, then auxiliary phase), with its
hyperparameters from the ROVR config (:func:`ppg_config`) and ROVR's networks read through
:func:`policy_distribution` (the pair, or k-set, distribution of §5.2) and
:func:`critic_value`; states are (small, target), the downsampled current video and the
target index. What is ROVR's is here: the rollout (:func:`collect_rollout`: one episode per
video with the stochastic Gumbel top-2 policy, Gamma training on L_R at every step when
``ppg.train_local``) and the reward (perceptual improvement per step, plus
``ppg.flow_reward_coef`` * O at the end, eq. 3). Returns are rewards-to-go with gamma = 1 (§5.1)
and A_t = R_t - V(s_t), the usual sign (the paper prints V - R: errata).

Data-parallel under torchrun (:meth:`PPGTrainer.distribute`): every process draws the same
episode list and rolls out its share of it; its actions are the ones one process would draw
for those episodes (:func:`act`), Gamma's fine-tuning rows are drawn for the whole rollout
and each process trains (Gamma in DDP) on the ones it holds, and the PPG update is
:mod:`rlvid.rl.ppg`'s data-parallel one. The loss curve follows one process's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import torch

from rlvid.config import Config
from rlvid.config.rovr import ROVRConfig
from rlvid.harness import StepOutput
from rlvid.nn.rovr import CriticNet
from rlvid.nn.rovr_pair import Dist, action_dist
from rlvid.parallel.distributed import ONE, Context
from rlvid.rl.ppg import Batch, PhasicPolicyGradient, PPGConfig, rollout_batch
from rlvid.rovr.dataset import masked_set
from rlvid.rovr.env import InpaintEnv, make_env
from rlvid.rovr.losses import reward_loss
from rlvid.rovr.nets import build_critic, build_policy, load_local
from rlvid.rovr.runs import stage_dir
from rlvid.rovr.stage_runner import StageResult, run_stage

States = tuple[torch.Tensor, torch.Tensor]  # (small (N, T, C, s, s) tiles, target (N,))


def ppg_config(rcfg: ROVRConfig) -> PPGConfig:
    """PPG's hyperparameters as the ROVR config's ``ppg`` section sets them (§6.3; the
    errata's scaled-down CleanRL counts): the fields of the same names."""
    return PPGConfig(**{f.name: getattr(rcfg.ppg, f.name) for f in fields(PPGConfig)})


def policy_distribution(rcfg: ROVRConfig
                        ) -> Callable[[torch.nn.Module, States], tuple[Dist, torch.Tensor]]:
    """PPG's ``distribution(pi, states)``: the pair (k-set) distribution of
    :func:`rlvid.nn.rovr_pair.action_dist` at temperature ``gumbel_temperature`` (§5.2),
    and pi's auxiliary value."""
    return lambda policy, states: action_dist(policy, *states, rcfg.gumbel_temperature,
                                              rcfg.pair_logprob)


def critic_value(critic: torch.nn.Module, states: States) -> torch.Tensor:
    """PPG's ``value(V, states)``: V(small, target)."""
    return critic(*states)


def act(policy: torch.nn.Module, small: torch.Tensor, target: torch.Tensor,
        rcfg: ROVRConfig, ctx: Context = ONE) -> tuple[torch.Tensor, torch.Tensor]:
    """Sampled actions and their log-probs at states (small, target). Data-parallel, pi runs
    on world_size copies of this process's states: its sampler draws the whole rollout's
    random numbers (their count depends on the shape alone), and this process keeps its
    copy's, the actions one process draws for these episodes (pi is small beside Gamma
    and the reward network)."""
    if ctx.active:
        small = small.repeat(ctx.world_size, *[1] * (small.dim() - 1))
        target = target.repeat(ctx.world_size)
    dist, _ = policy_distribution(rcfg)(policy, (small, target))
    pair = dist.sample()
    return ctx.shard(pair), ctx.shard(dist.log_prob(pair))


def collect_rollout(env: InpaintEnv, policy: torch.nn.Module, critic: CriticNet,
                    local_opt: torch.optim.Optimizer | None, rcfg: ROVRConfig,
                    ctx: Context = ONE, local: torch.nn.Module | None = None
                    ) -> tuple[Batch, dict[str, float]]:
    """One episode per video of ``env`` (all stepped together) with the stochastic policy;
    when ``local_opt`` is given Gamma takes one step on L_R at every time step, on
    ``ppg.local_batch`` of the videos (§6.3). Returns (Batch, logs). Data-parallel
    (``ctx``): ``env`` holds this process's share of the episodes and ``local`` is Gamma
    in DDP."""
    states, pairs, log_probs, values, rewards, local_losses = [], [], [], [], [], []
    env.reset()
    while not env.done:
        small, target = env.observe()
        with torch.no_grad():
            pair, log_prob = act(policy, small, target, rcfg, ctx)
            log_probs.append(log_prob)
            values.append(critic(small, target))
        if local_opt is not None:
            local_losses.append(tune_local(env, pair, local_opt, rcfg, ctx, local))
        rewards.append(env.step(pair))
        states.append((small, target))
        pairs.append(pair)
    batch = rollout_batch(states, pairs, log_probs, values, rewards)
    reward = torch.stack(rewards, 1)  # (N, T)
    logs = {"episode_return": float(batch.returns.view(env.n, -1)[:, 0].mean()),
            "flow_recovery": float(env.flow_recovery.mean()),
            "perceptual_reward": float(reward.sum(1).mean()
                                       - env.flow_coef * env.flow_recovery.mean())}
    if local_losses:
        logs["local_L_R"] = sum(local_losses) / len(local_losses)
    return batch, logs


def tune_local(env: InpaintEnv, pair: torch.Tensor, local_opt: torch.optim.Optimizer,
               rcfg: ROVRConfig, ctx: Context = ONE,
               local: torch.nn.Module | None = None) -> float:
    """One step of Gamma on L_R at the env's time step (§6.3), on ``ppg.local_batch`` of the
    videos; data-parallel, the rows are drawn for the whole rollout and each process trains
    ``local`` (Gamma in DDP) on the ones it holds. Returns the loss."""
    env.local.train()
    rows = torch.randperm(env.n * ctx.world_size)[: rcfg.ppg.local_batch]
    count = len(rows)
    rows = ctx.local_rows(rows, [env.n])
    loss = reward_loss(env.reconstruct(pair[rows], rows, local), env.videos[rows, env.t], rcfg,
                       lambda x: ctx.global_mean(x, count))
    local_opt.zero_grad()
    loss.backward()
    local_opt.step()
    env.local.eval()
    return float(loss.detach())


class PPGTrainer:
    """pi, V and Gamma with their optimizers; a step is a policy iteration (a rollout and
    its PPO update) or, after every ``ppg.policy_iterations`` of them, the auxiliary phase.
    Data-parallel under torchrun: see the module's docstring."""

    def __init__(self, cfg: Config, local_state: dict[str, Any],
                 warm_start: dict[str, Any] | None, flow_reward: bool):
        rcfg = self.rcfg = cfg.rovr
        self.cfg, self.flow_reward, self.warm = cfg, flow_reward, warm_start is not None
        # seeded by the harness first; the same construction order as every earlier run
        self.policy, self.critic = build_policy(rcfg), build_critic(rcfg)
        self.local = load_local(cfg, local_state)
        if warm_start is not None:
            self.policy.load_state_dict(warm_start["policy"])
        # pi at the start of PPG, for the relative parameter change the claims check
        self.policy_start = {k: v.clone() for k, v in self.policy.state_dict().items()}
        self.opt = torch.optim.Adam([*self.policy.parameters(), *self.critic.parameters()],
                                    lr=rcfg.ppg.lr, eps=1e-5)
        self.local_opt = torch.optim.Adam(self.local.parameters(), lr=rcfg.ppg.local_lr)
        self.ppg = PhasicPolicyGradient(self.policy, self.critic, self.opt, ppg_config(rcfg),
                                        policy_distribution(rcfg), critic_value)
        self.data = masked_set(cfg, "train")
        self.flow_coef = rcfg.ppg.flow_reward_coef if flow_reward else 0.0
        self.ctx, self.local_ddp = ONE, self.local

    def distribute(self, ctx: Context) -> None:
        """Under torchrun (the harness calls this): pi and V in DDP for the PPG update, Gamma
        in DDP for its fine-tuning in the rollouts, each process its share of the episodes."""
        self.ctx = ctx
        self.ppg.distribute(ctx)
        if self.rcfg.ppg.train_local:
            self.local_ddp = ctx.wrap(self.local)

    def phase_of(self, index: int) -> str:
        return self.ppg.phase_of(index)

    def step(self, index: int) -> StepOutput:
        rcfg, data = self.rcfg, self.data
        if self.phase_of(index) == "auxiliary":
            logs, updates, states = self.ppg.auxiliary_iteration()
            return StepOutput(logs, "auxiliary", updates, states)
        # ppg.rollout_videos episodes, drawn with replacement when it exceeds the set
        idx = torch.randint(data.videos.shape[0], (rcfg.ppg.rollout_videos,))
        env = make_env(self.local, data, self.ctx.shard(idx), rcfg, self.flow_coef)
        batch, logs = collect_rollout(env, self.policy, self.critic,
                                      self.local_opt if rcfg.ppg.train_local else None, rcfg,
                                      self.ctx, self.local_ddp)
        ppo_logs, updates = self.ppg.policy_iteration(batch)
        local_updates = env.num_frames if rcfg.ppg.train_local else 0
        return StepOutput({**logs, **ppo_logs}, "policy", updates + local_updates, len(batch))

    def state_dict(self) -> dict[str, Any]:
        return {"policy": self.policy.state_dict(), "critic": self.critic.state_dict(),
                "local": self.local.state_dict(), "opt": self.opt.state_dict(),
                "local_opt": self.local_opt.state_dict(), "buffer": self.ppg.whole_buffer(),
                "policy_start": self.policy_start,
                "stage": "ppg", "action": self.rcfg.action, "flow_reward": self.flow_reward,
                "warm_start": self.warm,
                "config": self.cfg.to_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for module, key in ((self.policy, "policy"), (self.critic, "critic"),
                            (self.local, "local"), (self.opt, "opt"),
                            (self.local_opt, "local_opt")):
            module.load_state_dict(state[key])
        self.ppg.buffer = state["buffer"]
        self.policy_start = state["policy_start"]


def train_ppg(cfg: Config, seed: int, local_state: dict[str, Any],
              warm_start: dict[str, Any] | None = None, flow_reward: bool = True,
              run_dir: str | Path | None = None, stop_after: int | None = None,
              progress: bool = True, name: str | None = None) -> StageResult:
    """PPG on the MDP (§6.3). ``warm_start``: an imitation checkpoint state (or None: cold
    start); ``flow_reward``: add ``ppg.flow_reward_coef`` * O at the end of each episode."""
    name = name or ppg_name(flow_reward, warm_start is not None)
    run_dir = Path(run_dir) if run_dir is not None else stage_dir(cfg, seed, name)
    return run_stage(lambda: PPGTrainer(cfg, local_state, warm_start, flow_reward), cfg, seed,
                     run_dir, ppg_config(cfg.rovr).total_steps, "ppg", stop_after,
                     progress, log_every=1, variant=name)


def ppg_name(flow_reward: bool, warm: bool) -> str:
    """The default folder name of a PPG run: ``ppg-{flow|noflow}-{warm|cold}``."""
    return f"ppg-{'flow' if flow_reward else 'noflow'}-{'warm' if warm else 'cold'}"
