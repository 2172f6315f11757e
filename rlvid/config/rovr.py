"""ROVR hyperparameters per profile (§5.2, §6; PPG defaults in the references note).

The ROVR issue owns this file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ROVRConfig:
    tile_size: int = 16  # each frame downsampled to tile_size^2 and tiled 4x5 (Fig. 2)
    unet_channels: tuple[int, ...] = (16, 32, 64)  # local network Gamma
    local_iterations: int = 300  # local-net pretraining steps (§6.1)
    local_batch_size: int = 8
    local_lr: float = 1e-4
    imitation_iterations: int = 200  # §6.2
    ppg_iterations: int = 20  # PPG phases (§6.3)
    ppg_lr: float = 5e-4
    gumbel_temperature: float = 0.7  # §5.2
    clip: float = 0.2
    entropy_coef: float = 0.01
    beta_clone: float = 1.0
    flow_reward_coef: float = 1.0  # weight of the terminal flow-recovery reward
    log_every: int = 10
    checkpoint_every: int = 50


PROFILES: dict[str, ROVRConfig] = {
    "smoke": ROVRConfig(tile_size=8, unet_channels=(4, 8, 8), local_iterations=3,
                        local_batch_size=2, imitation_iterations=3, ppg_iterations=2,
                        log_every=1, checkpoint_every=2),
    "cpu": ROVRConfig(),
    "paper": ROVRConfig(tile_size=32, unet_channels=(64, 128, 256), local_iterations=20_000,
                        local_batch_size=24, imitation_iterations=5_000, ppg_iterations=500,
                        log_every=100, checkpoint_every=1000),
}
