"""RL-V2V-GAN and baseline hyperparameters per profile (§4, §5, §6.2, Alg. 1).

The RL-V2V-GAN issue owns this file. Choices the paper leaves open are explained on the
errata page (book/errata/v2v.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class V2VConfig:
    # networks (Table 1, §6.2)
    channels: tuple[int, ...] = (8, 16, 16)  # the 3 RPB (and mirrored 3 URB) widths
    tail_channels: tuple[int, ...] = (16, 16)  # D/Q: the 2 extra RPB widths
    fc_hidden: int = 32  # D/Q: width of the first FC layer
    kernel_size: int = 3
    critic_input_norm: bool = False  # BN in D/Q's first RPB (errata: D must see colour)
    q_output: Literal["relu", "neg_relu", "linear"] = "neg_relu"  # errata: ReLU Q
    # optimisation (§6.2)
    batch_size: int = 4  # mini-batch m
    lr: float = 2e-4  # learning rate alpha (G, P, D; and the DDPG actor)
    q_lr: float = 1e-3  # critic learning rate (DDPG's usual 10x the actor's)
    actor_lr: float = 0.0  # DDPG actor step size on G and P (Alg. 1 line 30); 0: lr
    weight_decay: float = 1e-3  # L2 1e-3 on every trainable parameter (§6.2)
    betas: tuple[float, ...] = (0.5, 0.999)  # Adam, as in CycleGAN / Recycle-GAN
    # total loss (10): weights of the recurrent, recycle and video terms
    lambda_rrx: float = 10.0
    lambda_rry: float = 10.0
    lambda_rcx: float = 10.0
    lambda_rcy: float = 10.0
    lambda_vx: float = 1.0
    lambda_vy: float = 1.0
    recycle_positions: int = 1  # t's per step for eqs. (5)-(6); 0 = every t (exact sum)
    # Algorithm 1
    pretrain_iterations: int = 50  # GAN pretraining steps (Alg. 1 line 2)
    rl_iterations: int = 20  # videos v processed by Alg. 1 (one mini-batch each)
    eps1: float = 0.8  # P(replay a stored transition) (line 8)
    eps2: float = 0.8  # P(greedy action over Q) (line 14)
    tau: float = 0.01  # soft target update (line 31)
    gamma: float = 0.99  # discount
    buffer_size: int = 2000  # replay buffer capacity (FIFO)
    lambda_v: float = 1.0  # reward weights (Alg. 1 input, lines 20 and 22)
    lambda_rr: float = 10.0
    lambda_rc: float = 10.0
    bootstrap: Literal["s", "s_next"] = "s_next"  # line 27: paper's Q'(s, .) or DDPG's s'
    # baselines (same data, same harness)
    baseline_channels: tuple[int, ...] = (24, 48, 48)  # frame G_A ~ Gy parameters (77k/72k)
    baseline_iterations: int = 0  # 0: pretrain_iterations + rl_iterations
    lambda_cycle: float = 10.0  # CycleGAN cycle-consistency weight
    lambda_recycle: float = 10.0  # Recycle-GAN recurrent and recycle weights
    # bookkeeping
    log_every: int = 10
    checkpoint_every: int = 50


PROFILES: dict[str, V2VConfig] = {
    "smoke": V2VConfig(channels=(4, 8, 8), tail_channels=(8, 8), fc_hidden=8, batch_size=2,
                       baseline_channels=(12, 24, 24), pretrain_iterations=3,
                       rl_iterations=3, buffer_size=64, log_every=1, checkpoint_every=2),
    # cpu: few steps, so a larger step size (Adam moves a weight by at most ~lr per step:
    # at 2e-4, and still at 1e-3, the outputs stayed near grey after 150 steps; errata),
    # batch 2 for more steps per minute; the DDPG actor at DDPG's 1e-4 (3e-3 on a critic
    # trained for 20 steps undid the pretraining's background colours)
    "cpu": V2VConfig(lr=3e-3, actor_lr=1e-4, batch_size=2, pretrain_iterations=150,
                     rl_iterations=20),
    "paper": V2VConfig(channels=(32, 64, 128), tail_channels=(128, 128), fc_hidden=256,
                       baseline_channels=(96, 192, 256), batch_size=8,
                       pretrain_iterations=20_000, rl_iterations=20_000, tau=1e-3,
                       buffer_size=10_000, log_every=100, checkpoint_every=1000),
}
