"""RL-V2V-GAN (Ma, Klabjan, Utke 2024): GAN pretraining (Alg. 1 line 2), then Algorithm 1,
DDPG over frame-generating policies (§3.3, §5). One class, :class:`RLV2VGAN`, that the
harness (:func:`rlvid.harness.train`) drives one step at a time.

The paper's symbols in the code:

| paper                      | code                                | what                          |
|----------------------------|-------------------------------------|-------------------------------|
| G_X, G_Y                   | ``nets["Gx"]``, ``nets["Gy"]``      | generators (G_Y: x -> y)      |
| P_X, P_Y                   | ``nets["Px"]``, ``nets["Py"]``      | next-frame predictors         |
| D_X, D_Y                   | ``nets["Dx"]``, ``nets["Dy"]``      | two-headed discriminators     |
| Q_X, Q_Y                   | ``nets["Qx"]``, ``nets["Qy"]``      | critics (DDPG)                |
| Q', pi' (line 3)           | ``target["Qx"]``, ``target["Gy"]``… | target copies of Q, G and P   |
| a1 = P(s), a2 = G'(P(G(s)))| :meth:`RLV2VGAN.candidates`         | actions (line 13)             |
| B                          | ``buffer``                          | replay buffer (FIFO)          |
| m                          | ``self.m`` (``v.rl_batch_size``)    | mini-batch of Algorithm 1     |
| eps1, eps2                 | ``v.eps1``, ``v.eps2``              | P(replay), P(greedy)          |
| gamma, tau                 | ``v.gamma``, ``v.tau``              | discount, soft update         |
| lambda_v                   | ``v.lambda_v``                      | reward weight, line 20        |
| lambda_rr, lambda_rc       | ``v.lambda_rr``, ``v.lambda_rc``    | reward weights, line 22       |
| lambda_rrx … lambda_vy     | ``v.lambda_rrx`` … ``v.lambda_vy``  | weights of the total loss (10)|
| L (eq. 10)                 | :func:`rlvid.v2v.losses.total_loss` | G and P descend, D ascends    |

Hyperparameters: :class:`rlvid.config.v2v.V2VConfig` (``v = cfg.v2v``). Interpretations
of the paper are listed on the errata page (book/errata/v2v.md); the comments cite the
equation or algorithm line they implement.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from rlvid.harness import StepOutput
from rlvid.nn.v2v import SeqToSeq, build_networks
from rlvid.rl.ddpg import Part, critic_step, ddpg_update, soft_update
from rlvid.rl.replay import ReplayBuffer, Transitions
from rlvid.v2v.losses import (
    adversarial_loss_x,
    adversarial_loss_y,
    recurrent_loss_x,
    recurrent_loss_y,
    recycle_loss_xy,
    recycle_loss_yx,
    recycle_positions,
    total_loss,
    video_loss_x,
    video_loss_y,
)
from rlvid.v2v.rl_phase import (
    Plateau,
    ddpg_parts,
    grad_free,
    param_changes,
    prefix_states,
    rl_phases,
    running_index,
    snapshot,
    without_grad,
)
from rlvid.v2v.training_parts import Schedule, TrainingData, adam, set_requires_grad

CRITICS = ("warm", "untrained")  # Q fitted before the first actor step, or left at its init


class RLV2VGAN(Schedule):
    """The eight networks, their target copies, the replay buffer and both phases.

    Phases, in order: "pretrain" (GAN steps, line 2; ``pretrain_steps``, default
    ``v.pretrain_iterations``), then, with ``rl``, "rl_fill" (collect transitions with the
    policy frozen until the buffer holds ``v.replay_start`` x m), "q_warmup" (critic steps
    with the policy frozen, at most ``v.q_warmup``; ``critic="untrained"``: none, and no
    critic steps later either) and "rl" (one video of Algorithm 1 per step). The targets are
    set from the networks when the first non-pretraining step starts (line 3 after line 2).
    A branch from a pretrained checkpoint uses ``pretrain_steps=0``."""

    parallel_phases = ("pretrain", "rl_fill", "q_warmup", "rl")  # every net in DDP

    def __init__(self, cfg: Any, data: TrainingData, device: torch.device, rl: bool = True,
                 pretrain_steps: int | None = None, critic: str = "warm"):
        self.cfg, self.v, self.data, self.device = cfg, cfg.v2v, data, device
        self.T = data.frames
        size = int(data.x.shape[-1])
        # channels-last conv weights: ~1.5x faster conv backward on the CPU at these sizes
        self.nets = build_networks(self.v, size).to(device, memory_format=torch.channels_last)
        n = self.nets
        # Alg. 1 line 3: target networks Q' and pi' (copied again from the pretrained nets
        # when the RL phase starts: start_rl)
        self.target = nn.ModuleDict({k: copy.deepcopy(n[k])
                                     for k in ("Gx", "Gy", "Px", "Py", "Qx", "Qy")}).eval()
        set_requires_grad([self.target], False)
        self.policy = [n["Gx"], n["Gy"], n["Px"], n["Py"]]
        self.discriminators = [n["Dx"], n["Dy"]]
        self.critics = [n["Qx"], n["Qy"]]
        policy_params = [p for m in self.policy for p in m.parameters()]
        self.opt_gp = adam(policy_params, self.v.lr, self.v)
        self.opt_d = adam([p for m in self.discriminators for p in m.parameters()],
                          self.v.lr, self.v)
        self.opt_q = adam([p for m in self.critics for p in m.parameters()], self.v.q_lr, self.v)
        self.opt_actor = adam(policy_params, self.v.actor_lr or self.v.lr, self.v)
        self.buffer = ReplayBuffer(self.v.buffer_size, tuple(data.x.shape[2:]))
        self.order = torch.zeros(0, 2, dtype=torch.long)  # line 5: the epoch's (set, video)
        self.position = 0
        if critic not in CRITICS:
            raise ValueError(f"critic must be one of {CRITICS}, got {critic!r}")
        self.critic_mode = critic
        v = self.v
        self.m = v.rl_batch_size or v.batch_size  # m of Algorithm 1 (GAN steps: batch_size)
        pre = v.pretrain_iterations if pretrain_steps is None else pretrain_steps
        self.phases = [("pretrain", pre)] + (rl_phases(v, critic) if rl else [])
        self.rl_started = False
        self.policy_start: dict[str, Any] = {}  # the policy nets when the RL phase starts
        self.plateau = Plateau(v.q_patience)

    # ---- the translator that evaluation uses: Gy, x -> y
    def translator(self) -> SeqToSeq:
        return self.nets["Gy"]

    def step(self, index: int) -> StepOutput:
        """Harness step ``index``: GAN steps count 3m training videos (X, Y, Z), Algorithm 1
        steps the transitions they collect."""
        phase = self.phase_of(index)
        if phase == "pretrain":
            return StepOutput(self.pretrain_step(), phase, updates=2,
                              samples=3 * self.v.batch_size)
        if not self.rl_started:
            self.start_rl()
        if phase == "rl_fill":
            return StepOutput(self.fill_step(), phase, updates=0, samples=self.m)
        if phase == "q_warmup":
            losses = self.critic_warmup_step()
            return StepOutput(losses, phase, updates=int(losses["q_fitted"]), samples=0)
        losses = self.rl_step()
        if self.last_of_phase(index):
            losses.update({f"dtheta_{k}": c for k, c in  # ‖Δθ‖/‖θ‖ over the RL phase
                           param_changes(self.policy_start, self.nets).items()})
        return StepOutput(losses, phase, updates=3, samples=int(losses["new_transitions"]))

    # ================================================================ pretraining
    def pretrain_step(self) -> dict[str, float]:
        """Alg. 1 line 2: one GAN step of G, P (descend L, eq. 10) and D (ascend L)."""
        n, g, v = self.nets, self.ddp, self.v  # g: G and P as trained (DDP or not)
        batch = {k: self.shard(t) for k, t in self.data.sample(v.batch_size).items()}
        x, y, z = batch["x"], batch["y"], batch["z"]
        self.nets.train()
        # generators and predictors: total loss (10), non-saturating adversarial terms
        set_requires_grad(self.discriminators, False)
        gy_x = g["Gy"](x)
        gx_y, gx_z = g["Gx"](torch.cat([y, z])).chunk(2)
        positions = recycle_positions(self.T, v.recycle_positions)
        terms = {
            "adv_y": adversarial_loss_y(n["Dy"], gy_x, mode="generator"),  # eq. (1)
            "adv_x": adversarial_loss_x(n["Dx"], gx_y, gx_z, mode="generator"),  # eq. (2)
            "rr_x": recurrent_loss_x(g["Px"], x),  # eq. (3)
            "rr_y": recurrent_loss_y(g["Py"], y, z),  # eq. (4)
            "rc_xy": recycle_loss_xy(g["Gx"], g["Py"], x, gy_x, positions),  # eq. (5)
            "rc_yx": recycle_loss_yx(g["Gy"], g["Px"], y, gx_y, z, gx_z, positions),  # eq. (6)
            "v_x": video_loss_x(n["Dx"], gx_y, gx_z, mode="generator"),  # eq. (8)
            "v_y": video_loss_y(n["Dy"], gy_x, mode="generator"),  # eq. (9)
        }
        loss_gp = total_loss(terms, v)  # eq. (10)
        self.opt_gp.zero_grad(set_to_none=True)
        loss_gp.backward()
        self.opt_gp.step()
        set_requires_grad(self.discriminators, True)
        loss_d = self.discriminator_step(batch, gy_x.detach(), gx_y.detach(), gx_z.detach(),
                                         include_video=True)
        return {"loss_gp": float(loss_gp.detach()), "loss_d": loss_d,
                **{f"L_{k}": float(t.detach()) for k, t in terms.items()}}

    def discriminator_step(self, batch: dict[str, torch.Tensor], gy_x: torch.Tensor,
                           gx_y: torch.Tensor, gx_z: torch.Tensor, include_video: bool) -> float:
        """D ascends L (eq. 10), or L - L_v for videos shorter than T (Alg. 1 lines 34-35)."""
        n, v = self.ddp, self.v  # D as trained (DDP or not)
        x, y, z, zbar = batch["x"], batch["y"], batch["z"], batch["zbar"]
        value = (adversarial_loss_y(n["Dy"], gy_x, y, z, zbar)  # eq. (1)
                 + adversarial_loss_x(n["Dx"], gx_y, gx_z, x))  # eq. (2)
        if include_video:
            value = (value + v.lambda_vx * video_loss_x(n["Dx"], gx_y, gx_z, x)  # eq. (8)
                     + v.lambda_vy * video_loss_y(n["Dy"], gy_x, y, z))  # eq. (9)
        loss = -value
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return float(loss.detach())

    # ================================================================ Algorithm 1
    def start_rl(self) -> None:
        """Line 3 after line 2: every target copy set from the (pretrained) networks."""
        self.target.load_state_dict({k: t for k, t in self.nets.state_dict().items()
                                     if k.split(".")[0] in self.target})
        self.policy_start = snapshot(self.nets)
        self.rl_started = True

    def fill_step(self) -> dict[str, float]:
        """Lines 5, 12-25 with the policy frozen: m new transitions of one video, no update
        (updates start once the buffer holds v.replay_start x m)."""
        new = self.new_transitions(*self.next_video(), self.m)
        self.buffer.add(new)
        return {"buffer_size": float(len(self.buffer)), "reward": float(new.reward.mean())}

    def critic_warmup_step(self) -> dict[str, float]:
        """Q pretrained (§4: theta_Q starts pretrained; errata): with the policy frozen, one
        critic step (lines 27-28) on m uniformly drawn buffered transitions, then Q' soft-
        updated (line 31); no more once the TD loss stops falling (:class:`Plateau`)."""
        if self.plateau.stopped:
            return {"loss_q": self.plateau.mean or 0.0, "q_fitted": 0.0}
        batch = self.buffer.get(self.buffer.sample_index(self.m))
        parts = self.parts(batch)
        n, target = self.nets, self.target
        loss_q, q_mean = critic_step(self._critic(self.ddp), self._critic(target),
                                     self._actor(target), self.opt_q, parts, self.v.gamma,
                                     self.v.bootstrap)
        for k in ("Qx", "Qy"):
            soft_update(target[k], n[k], self.v.tau)
        loss_q = self.global_mean(loss_q)  # every process stops the warm-up at one step
        self.plateau.add(loss_q)
        return {"loss_q": loss_q, "q_mean": q_mean, "q_fitted": 1.0}

    def _critic(self, nets: nn.ModuleDict) -> Any:
        return lambda key, state, a: nets["Q" + key](state[0], a, state[1])

    def _actor(self, nets: nn.ModuleDict) -> Any:
        return lambda key, state: self.candidates(key, state[0], state[1], nets)

    def next_video(self) -> tuple[int, int]:
        """Line 5: every video of X ∪ Y ∪ Z once per epoch, in a random order."""
        if self.position >= len(self.order):
            pairs = [(s, i) for s in range(3) for i in range(self.data.videos(s).shape[0])]
            pairs_t = torch.tensor(pairs, dtype=torch.long)
            self.order = pairs_t[torch.randperm(len(pairs_t))]
            self.position = 0
        set_id, index = self.order[self.position].tolist()
        self.position += 1
        return set_id, index

    def candidates(self, domain: str, s: torch.Tensor, mask: torch.Tensor,
                   nets: nn.ModuleDict) -> tuple[torch.Tensor, torch.Tensor]:
        """Line 13: a1 = P(s), a2 = G'(P(G(s))) with P, G, G' chosen by the domain of v."""
        if domain == "x":
            p, g_to, p_other, g_back = nets["Px"], nets["Gy"], nets["Py"], nets["Gx"]
        else:
            p, g_to, p_other, g_back = nets["Py"], nets["Gx"], nets["Px"], nets["Gy"]
        a1 = p(s, mask=mask)[:, -1]  # P.next_frame, through forward (DDP)
        g = g_to(s, mask=mask)
        predicted = p_other(g, mask=mask)[:, -1]
        ones = mask.new_ones(mask.shape[0], 1)
        a2 = g_back(torch.cat([g, predicted[:, None]], 1), mask=torch.cat([mask, ones], 1))[:, -1]
        return a1, a2

    @without_grad  # inference mode (issue 22)
    def rewards(self, domain: str, s: torch.Tensor, mask: torch.Tensor, a: torch.Tensor,
                a_true: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
        """Lines 19-22 on one transition (errata: per-transition losses):
        p = T-1: r = -lambda_v L_v(s'), L_v = -sum_heads log D(s') (video, eqs. 8-9);
        else: r = -(L_g + lambda_rr L_rr + lambda_rc L_rc) with L_g = -log D_0(a) (eqs. 1-2),
        L_rr = ||a_true - a||^2 (eqs. 3-4), L_rc = ||a_true - G'(G(s'))_last||^2 (eqs. 5-6)."""
        n, v = self.nets, self.v
        d = n["Dx"] if domain == "x" else n["Dy"]
        g_to, g_back = (n["Gy"], n["Gx"]) if domain == "x" else (n["Gx"], n["Gy"])
        s_next = torch.cat([s, a[:, None]], 1)  # line 23
        mask_next = torch.cat([mask, mask.new_ones(mask.shape[0], 1)], 1)
        l_v = -F.logsigmoid(d(s_next, mask_next)[:, -1]).sum(-1)
        l_g = -F.logsigmoid(d(a[:, None])[:, 0, 0])
        l_rr = ((a_true - a) ** 2).mean(dim=(1, 2, 3))
        back = g_back(g_to(s_next, mask=mask_next), mask=mask_next)[:, -1]
        l_rc = ((a_true - back) ** 2).mean(dim=(1, 2, 3))
        terminal = p.to(a.device) == self.T - 1
        return torch.where(terminal, -v.lambda_v * l_v,
                           -(l_g + v.lambda_rr * l_rr + v.lambda_rc * l_rc))

    @without_grad  # inference mode (issue 22)
    def new_transitions(self, set_id: int, index: int, count: int) -> Transitions:
        """Lines 12-24 for ``count`` new transitions of video v, in one batched pass."""
        v, domain = self.v, ("x" if set_id == 0 else "y")
        p = torch.randint(1, self.T, (count,))  # line 12
        sets = torch.full((count,), set_id, dtype=torch.long)
        videos = torch.full((count,), index, dtype=torch.long)
        s, mask = prefix_states(self.data, sets, videos, p)
        self.nets.eval()
        a1, a2 = self.candidates(domain, s, mask, self.nets)  # line 13
        q = self.nets["Qx" if domain == "x" else "Qy"]
        greedy_pick = q(s, a1, mask) >= q(s, a2, mask)  # line 16: argmax over {a1, a2}
        greedy = torch.where(greedy_pick.view(-1, 1, 1, 1), a1, a2)
        use_greedy = torch.rand(count) < v.eps2  # line 14
        random_frames = self.data.random_frames(count)  # line 18
        a = torch.where(use_greedy.to(a1.device).view(-1, 1, 1, 1), greedy, random_frames)
        a_true = self.data.videos(set_id)[index, p]  # line 24
        r = self.rewards(domain, s, mask, a, a_true, p)  # lines 19-22
        self.nets.train()
        return Transitions(sets, videos, p, a.cpu(), r.cpu())

    def rl_step(self) -> dict[str, float]:
        """One video v of Algorithm 1 (lines 5-35)."""
        v = self.v
        set_id, index = self.next_video()  # line 5
        # lines 7-11: decide replay (u1 = 1, B non-empty) or new, m times
        picks: list[tuple[str, int]] = []
        stored, fresh = len(self.buffer), 0
        for _ in range(self.m):
            u1 = bool(torch.rand(()) < v.eps1)  # line 8
            if u1 and stored + fresh > 0:  # line 9: transitions made earlier in this loop count
                j = int(torch.randint(stored + fresh, ()))
                picks.append(("buffer", j) if j < stored else ("new", j - stored))
            else:
                picks.append(("new", fresh))
                fresh += 1
        replay_index = torch.tensor([j for kind, j in picks if kind == "buffer"], dtype=torch.long)
        replayed = self.buffer.get(replay_index)  # line 10 (read before new ones overwrite)
        new = (self.new_transitions(set_id, index, fresh) if fresh  # lines 12-24
               else self.buffer.get(torch.zeros(0, dtype=torch.long)))
        self.buffer.add(new)  # line 25
        order = [(replayed if kind == "buffer" else new, i) for kind, i in
                 zip((k for k, _ in picks),
                     running_index(picks))]
        batch = Transitions.cat([part.select(torch.tensor([i])) for part, i in order])
        stats = self.ddpg_update(batch)  # lines 26-31
        stats["loss_d"] = self.rl_discriminator_step()  # lines 32-35
        stats.update(buffer_size=float(len(self.buffer)), new_transitions=float(fresh),
                     reward=float(batch.reward.mean()))
        return stats

    def ddpg_update(self, batch: Transitions) -> dict[str, float]:
        """Lines 26-31 (:func:`rlvid.rl.ddpg.ddpg_update`) on the batch split by domain:
        transitions of X videos train Q_X and pi_x, those of Y and Z videos Q_Y and pi_y.
        With ``critic="untrained"`` Q stays at its initialisation (no critic step)."""
        n, target = self.nets, self.target
        frozen = self.critic_mode == "untrained"
        return ddpg_update(self._critic(self.ddp), self._critic(target),
                           self._actor(self.ddp), self._actor(target),
                           None if frozen else self.opt_q, self.opt_actor, self.parts(batch),
                           self.v.gamma, self.v.tau, self.critics,
                           [(target[k], n[k]) for k in target], bootstrap=self.v.bootstrap,
                           frozen_critic=self._critic(n))

    def parts(self, batch: Transitions) -> list[Part]:
        """The batch as DDPG parts by domain; this process's shard under torchrun."""
        return ddpg_parts(self.data, batch, self.device, *self.rank_world)

    def rl_discriminator_step(self) -> float:
        """Lines 32-35: a batch of prefixes v_{:t}, t random; the full L when t = T (B̂1),
        L - L_v otherwise (B̂2)."""
        t = int(torch.randint(1, self.T + 1, ()))
        batch = {k: self.shard(v) for k, v in self.data.sample(self.m, length=t).items()}
        n = self.nets
        with grad_free():
            n.eval()
            gy_x = n["Gy"](batch["x"])
            gx_y, gx_z = n["Gx"](torch.cat([batch["y"], batch["z"]])).chunk(2)
            n.train()
        # copies: D's step saves its inputs for backward, which inference-mode tensors refuse
        fakes = [f.clone() for f in (gy_x, gx_y, gx_z)]
        return self.discriminator_step(batch, *fakes, include_video=(t == self.T))

    # ---------------------------------------------------------------- checkpoints
    def state_dict(self) -> dict[str, Any]:
        return {"nets": self.nets.state_dict(), "target": self.target.state_dict(),
                "opt_gp": self.opt_gp.state_dict(), "opt_d": self.opt_d.state_dict(),
                "opt_q": self.opt_q.state_dict(), "opt_actor": self.opt_actor.state_dict(),
                "buffer": self.buffer.state_dict(), "order": self.order.clone(),
                "position": self.position, "rl_started": self.rl_started,
                "policy_start": self.policy_start, "plateau": self.plateau.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.nets.load_state_dict(state["nets"])
        self.target.load_state_dict(state["target"])
        for name in ("opt_gp", "opt_d", "opt_q", "opt_actor"):
            getattr(self, name).load_state_dict(state[name])
        self.buffer.load_state_dict(state["buffer"])
        self.order, self.position = state["order"], state["position"]
        self.rl_started, self.policy_start = state["rl_started"], state["policy_start"]
        self.plateau.load_state_dict(state["plateau"])

    def load_pretrained(self, state: dict[str, Any]) -> None:
        """A branch's start: the networks and the GAN optimizers' moments of a pretraining
        run's final state (the learning rates stay this config's; the buffer is empty, Q's
        and the actor's optimizers fresh: pretraining never steps them)."""
        self.nets.load_state_dict(state["nets"])
        for name in ("opt_gp", "opt_d"):
            opt = getattr(self, name)
            rates = [g["lr"] for g in opt.param_groups]
            opt.load_state_dict(state[name])
            for group, lr in zip(opt.param_groups, rates):
                group["lr"] = lr
        self.order, self.position = state["order"], state["position"]

