"""Baselines in the RL-V2V-GAN harness (same data, same :func:`rlvid.v2v.train.fit` loop).

- CycleGAN (Zhu et al. 2017): frame-based; each frame is translated alone. Generators are
  the G/P architecture with per-frame convolutions instead of ConvLSTMs
  (``recurrent=False``), widened (``cfg.v2v.baseline_channels``) to a comparable parameter
  budget; discriminators score single frames. LSGAN, cycle L1 weight 10, Adam 2e-4.
- Recycle-GAN (Bansal et al. 2018): the same frame generators plus temporal predictors
  P(x_t, x_{t+1}) -> x_{t+2} (two frames stacked as 6 channels); recurrent loss
  L1(P_X(x_t, x_{t+1}), x_{t+2}) and recycle loss L1(G_B(P_Y(G_A(x_t), G_A(x_{t+1}))), x_{t+2})
  in both directions, weight 10, LSGAN (as in its reference code); the adversarial loss
  covers every generated frame of each sampled video.

Target-domain samples for both: frames of Y and the style images Zbar (both show the
blue/red backgrounds); Recycle-GAN's target predictor learns on Y videos.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from rlvid.harness import StepOutput
from rlvid.nn.v2v import Discriminator, SeqToSeq, xavier_init
from rlvid.v2v.training_parts import Schedule, TrainingData, adam, set_requires_grad


def _lsgan(logits: torch.Tensor, real: bool) -> torch.Tensor:
    return ((logits - (1.0 if real else 0.0)) ** 2).mean()


def _frames_as_videos(frames: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) -> (N, 1, C, H, W): frame-based networks see one frame at a time."""
    return frames[:, None]


class _FrameGAN(Schedule):
    """What CycleGAN and Recycle-GAN share: G_A (x -> y), G_B (y -> x), frame discriminators.

    ``step(index)`` is one generator step and one discriminator step (phase "train");
    its samples count the videos drawn (CycleGAN: as many frames as 2m videos hold).

    Data-parallel under torchrun (:meth:`Schedule.distribute`): every network in DDP, G in
    the G step, D in the D step; the frozen D of the G step runs as itself."""

    parallel_phases = ("train",)

    def __init__(self, cfg: Any, data: TrainingData, device: torch.device):
        self.cfg, self.v, self.data, self.device = cfg, cfg.v2v, data, device
        size = int(data.x.shape[-1])
        ch = tuple(self.v.baseline_channels)
        crit = dict(channels=tuple(self.v.channels), tail_channels=tuple(self.v.tail_channels),
                    fc_hidden=self.v.fc_hidden, kernel_size=self.v.kernel_size,
                    input_norm=self.v.critic_input_norm)
        self.nets = nn.ModuleDict({
            "G_A": SeqToSeq(ch, kernel_size=self.v.kernel_size, recurrent=False),
            "G_B": SeqToSeq(ch, kernel_size=self.v.kernel_size, recurrent=False),
            "D_A": Discriminator(size, heads=1, **crit),
            "D_B": Discriminator(size, heads=1, **crit),
        })
        iterations = self.v.baseline_iterations or (self.v.pretrain_iterations
                                                     + self.v.rl_iterations)
        self.phases = [("train", iterations)]

    def _finish_init(self) -> None:
        xavier_init(self.nets).to(self.device)
        gens = [m for k, m in self.nets.items() if not k.startswith("D")]
        self.generators = gens
        self.discriminators = [self.nets["D_A"], self.nets["D_B"]]
        self.opt_g = adam([p for m in gens for p in m.parameters()], self.v.lr, self.v)
        self.opt_d = adam([p for m in self.discriminators for p in m.parameters()],
                          self.v.lr, self.v)

    def translator(self) -> SeqToSeq:
        return self.nets["G_A"]

    def target_frames(self, n: int) -> torch.Tensor:
        """n real target-domain frames from Y ∪ Zbar."""
        pool_y = self.data.y.flatten(0, 1)
        pool = torch.cat([pool_y, self.data.zbar])
        return pool[torch.randint(pool.shape[0], (n,))]

    def source_frames(self, n: int) -> torch.Tensor:
        pool = self.data.x.flatten(0, 1)
        return pool[torch.randint(pool.shape[0], (n,))]

    def discriminator_step(self, real_a: torch.Tensor, fake_a: torch.Tensor,
                           real_b: torch.Tensor, fake_b: torch.Tensor) -> float:
        d_a, d_b = self.ddp["D_A"], self.ddp["D_B"]
        loss = 0.5 * (_lsgan(d_a(_frames_as_videos(real_a)), True)
                      + _lsgan(d_a(_frames_as_videos(fake_a.detach())), False)
                      + _lsgan(d_b(_frames_as_videos(real_b)), True)
                      + _lsgan(d_b(_frames_as_videos(fake_b.detach())), False))
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return float(loss.detach())

    def state_dict(self) -> dict[str, Any]:
        return {"nets": self.nets.state_dict(), "opt_g": self.opt_g.state_dict(),
                "opt_d": self.opt_d.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.nets.load_state_dict(state["nets"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])


class CycleGAN(_FrameGAN):
    """Frame-based CycleGAN: adversarial (LSGAN) + cycle-consistency L1."""

    def __init__(self, cfg: Any, data: TrainingData, device: torch.device):
        super().__init__(cfg, data, device)
        self._finish_init()

    def step(self, index: int) -> StepOutput:
        return StepOutput(self.train_step(), "train", updates=2, samples=2 * self.v.batch_size)

    def train_step(self) -> dict[str, float]:
        n, g, v = self.nets, self.ddp, self.v  # g: the generators as trained (DDP or not)
        m = v.batch_size * self.data.frames  # as many frames as a video batch holds
        a, b = self.source_frames(m), self.target_frames(m)
        a, b = self.shard(a), self.shard(b)
        self.nets.train()
        set_requires_grad(self.discriminators, False)
        fake_b = g["G_A"](_frames_as_videos(a))[:, 0]
        fake_a = g["G_B"](_frames_as_videos(b))[:, 0]
        adv = (_lsgan(n["D_B"](_frames_as_videos(fake_b)), True)
               + _lsgan(n["D_A"](_frames_as_videos(fake_a)), True))
        cycle = (F.l1_loss(g["G_B"](_frames_as_videos(fake_b))[:, 0], a)
                 + F.l1_loss(g["G_A"](_frames_as_videos(fake_a))[:, 0], b))
        loss = adv + v.lambda_cycle * cycle
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        set_requires_grad(self.discriminators, True)
        loss_d = self.discriminator_step(a, fake_a, b, fake_b)
        return {"loss_g": float(loss.detach()), "loss_d": loss_d, "L_adv": float(adv.detach()),
                "L_cycle": float(cycle.detach())}


class RecycleGAN(_FrameGAN):
    """Recycle-GAN: adversarial (LSGAN) + recurrent + recycle losses (weights 10)."""

    def __init__(self, cfg: Any, data: TrainingData, device: torch.device):
        super().__init__(cfg, data, device)
        ch = tuple(self.v.baseline_channels)
        self.nets["P_A"] = SeqToSeq(ch, in_channels=6, kernel_size=self.v.kernel_size,
                                    recurrent=False)
        self.nets["P_B"] = SeqToSeq(ch, in_channels=6, kernel_size=self.v.kernel_size,
                                    recurrent=False)
        self._finish_init()

    @staticmethod
    def _predict(p: nn.Module, f0: torch.Tensor, f1: torch.Tensor) -> torch.Tensor:
        return p(_frames_as_videos(torch.cat([f0, f1], dim=1)))[:, 0]

    def step(self, index: int) -> StepOutput:
        return StepOutput(self.train_step(), "train", updates=2, samples=2 * self.v.batch_size)

    def train_step(self) -> dict[str, float]:
        n, g, v = self.nets, self.ddp, self.v  # g: the generators as trained (DDP or not)
        m = v.batch_size
        xa = self.shard(self.data.x[torch.randint(self.data.x.shape[0], (m,))])
        yb = self.shard(self.data.y[torch.randint(self.data.y.shape[0], (m,))])
        T = xa.shape[1]

        def triplets(video: torch.Tensor) -> tuple[torch.Tensor, ...]:
            """Every consecutive (t, t+1, t+2) of the videos, as three frame batches."""
            return tuple(video[:, k:T - 2 + k].flatten(0, 1) for k in range(3))
        a0, a1, a2 = triplets(xa)
        b0, b1, b2 = triplets(yb)
        self.nets.train()
        set_requires_grad(self.discriminators, False)
        # every frame of each video translated once; the adversarial loss covers them all
        fake_b = g["G_A"](xa.flatten(0, 1)[:, None])[:, 0]  # (m*T, C, H, W)
        fake_a = g["G_B"](yb.flatten(0, 1)[:, None])[:, 0]
        fb0, fb1, _ = triplets(fake_b.view(xa.shape))
        fa0, fa1, _ = triplets(fake_a.view(yb.shape))
        adv = (_lsgan(n["D_B"](_frames_as_videos(fake_b)), True)
               + _lsgan(n["D_A"](_frames_as_videos(fake_a)), True))
        recurrent = (F.l1_loss(self._predict(g["P_A"], a0, a1), a2)
                     + F.l1_loss(self._predict(g["P_B"], b0, b1), b2))
        recycle = (F.l1_loss(g["G_B"](_frames_as_videos(self._predict(g["P_B"], fb0, fb1)))[:, 0],
                             a2)
                   + F.l1_loss(g["G_A"](_frames_as_videos(self._predict(g["P_A"], fa0, fa1)))[:, 0],
                               b2))
        loss = adv + v.lambda_recycle * (recurrent + recycle)
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        set_requires_grad(self.discriminators, True)
        real_a = xa.flatten(0, 1)  # D sees every real and every generated frame too
        real_b = self.shard(self.target_frames(m * T))  # drawn whole, as on one process
        loss_d = self.discriminator_step(real_a, fake_a, real_b, fake_b)
        return {"loss_g": float(loss.detach()), "loss_d": loss_d, "L_adv": float(adv.detach()),
                "L_recurrent": float(recurrent.detach()), "L_recycle": float(recycle.detach())}
