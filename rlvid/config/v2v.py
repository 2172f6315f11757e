"""RL-V2V-GAN and baseline hyperparameters per profile (§4, §5, §6.2, Alg. 1).

The RL-V2V-GAN issue owns this file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class V2VConfig:
    channels: tuple[int, ...] = (8, 16, 32)  # RPB/URB widths (Table 1: 3 RPB, 3 URB)
    batch_size: int = 4  # mini-batch m
    lr: float = 2e-4  # learning rate alpha
    weight_decay: float = 1e-3  # L2 1e-3 (§6.2)
    pretrain_iterations: int = 200  # GAN pretraining (Alg. 1 line 2)
    rl_iterations: int = 100  # Algorithm 1 outer iterations
    eps1: float = 0.8  # Bernoulli: replay vs new transition (Alg. 1 line 8)
    eps2: float = 0.8  # Bernoulli: argmax-Q vs random action (Alg. 1 line 14)
    tau: float = 1e-3  # soft target update (Alg. 1 line 31)
    gamma: float = 0.99  # discount
    buffer_size: int = 10_000  # replay buffer capacity
    lambda_v: float = 1.0
    lambda_rr: float = 0.1
    lambda_rc: float = 0.1
    log_every: int = 10
    checkpoint_every: int = 50


PROFILES: dict[str, V2VConfig] = {
    "smoke": V2VConfig(channels=(4, 8, 8), batch_size=2, pretrain_iterations=3,
                       rl_iterations=3, log_every=1, checkpoint_every=2),
    "cpu": V2VConfig(),
    "paper": V2VConfig(channels=(32, 64, 128), batch_size=8, pretrain_iterations=20_000,
                       rl_iterations=20_000, log_every=100, checkpoint_every=1000),
}
