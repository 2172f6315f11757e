"""ROVR hyperparameters per profile (§5.2, §6; PPG defaults in the references note).

The ROVR issue owns this file. Every departure from the paper is on the errata page
(``book/errata/rovr.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ROVRConfig:
    # --- networks (§5.2)
    tile_size: int = 8  # each frame downsampled to tile_size^2 and tiled 4x5 for T=20 (Fig. 2)
    policy_channels: tuple[int, ...] = (16, 32)  # per-tile CNN of pi and V (stride 2 each)
    policy_hidden: int = 64  # width of the FC layer after the stacked features
    unet_channels: tuple[int, ...] = (16, 32, 64)  # local network Gamma
    paste_known: bool = True  # Gamma's output keeps the known (unmasked) pixels of the target
    gumbel_temperature: float = 0.7  # §5.2
    pair_logprob: Literal["geometric", "exact"] = "geometric"  # §5.2 geometric mean; or exact
    # --- local-net pretraining (§6.1)
    local_iterations: int = 400
    local_batch_size: int = 8
    local_lr: float = 1e-3
    lambda_max: float = 0.9  # perceptual weight grows 0 -> lambda_max (eq. 1)
    lambda_rate: float = 5.0  # lambda_i = lambda_max (1 - exp(-rate i / iterations))
    # --- imitation warm start (§6.2, §8)
    imitation_iterations: int = 1000
    imitation_batch_size: int = 32
    imitation_lr: float = 1e-3
    imitation_loss: Literal["bce", "contrastive"] = "bce"
    # --- PPG end to end (§6.3; CleanRL ppg_procgen defaults scaled down)
    ppg_phases: int = 2  # outer PPG phases
    ppg_policy_iterations: int = 3  # N_pi rollouts per phase (CleanRL: 32)
    ppg_rollout_videos: int = 8  # videos per rollout (each gives T transitions)
    ppg_policy_epochs: int = 2  # E_pi (CleanRL: 1)
    ppg_aux_epochs: int = 2  # E_aux (CleanRL: 6)
    ppg_minibatch: int = 40  # transitions per minibatch
    ppg_lr: float = 5e-4
    ppg_local_lr: float = 2e-4  # Gamma keeps training on L_R during PPG (§6.3)
    ppg_train_local: bool = True
    clip: float = 0.2
    entropy_coef: float = 0.01
    value_coef: float = 0.5
    beta_clone: float = 1.0
    max_grad_norm: float = 0.5
    norm_advantages: bool = True
    reward_scale: float = 1.0  # multiplies the per-step perceptual reward R_t
    flow_reward_coef: float = 10.0  # terminal reward = coef * O (eq. 3); see errata
    # --- evaluation and logging
    eval_videos: int = 0  # 0: every test video
    log_every: int = 10
    checkpoint_every: int = 50


PROFILES: dict[str, ROVRConfig] = {
    "smoke": ROVRConfig(
        tile_size=8, policy_channels=(4, 8), policy_hidden=8, unet_channels=(4, 8),
        local_iterations=3, local_batch_size=2, imitation_iterations=4, imitation_batch_size=4,
        ppg_phases=1, ppg_policy_iterations=2, ppg_rollout_videos=2, ppg_policy_epochs=1,
        ppg_aux_epochs=1, ppg_minibatch=20, log_every=1, checkpoint_every=2,
    ),
    "cpu": ROVRConfig(),
    "paper": ROVRConfig(
        tile_size=32, policy_channels=(32, 64, 64, 128), policy_hidden=256,
        unet_channels=(64, 128, 256), local_iterations=20_000, local_batch_size=24,
        local_lr=1e-4, imitation_iterations=5_000, imitation_batch_size=64,
        ppg_phases=20, ppg_policy_iterations=32, ppg_rollout_videos=16, ppg_policy_epochs=1,
        ppg_aux_epochs=6, ppg_minibatch=160, log_every=100, checkpoint_every=1000,
    ),
}
