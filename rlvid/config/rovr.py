"""ROVR hyperparameters per profile (§5.2, §6; PPG defaults in the references note).

The ROVR issue owns this file. Every departure from the paper is on the errata page
(``book/errata/rovr.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rlvid.config.checks import COUNT, NON_NEGATIVE, POSITIVE, PROBABILITY, Rule, checked


@dataclass(frozen=True)
class LocalStage:
    """Stage 1, pretraining Gamma (§6.1). Defaults: the ``cpu`` profile's."""

    iterations: int = checked(2000, COUNT)
    batch_size: int = checked(8, COUNT)
    lr: float = checked(1e-3, POSITIVE)
    # lambda_i = lambda_max (1 - exp(-rate i / iterations)) (eq. 1)
    lambda_rate: float = checked(5.0, NON_NEGATIVE)
    # share of each pretraining batch conditioned on a valid pair instead of a random one
    # (§6.1: random only, 0); Gamma then also learns the pairs a good policy picks (errata)
    valid_share: float = checked(0.5, PROBABILITY)
    # False: pretrain Gamma on L_R's MSE term alone (lambda = 0), skipping VGG16's L_P, which
    # costs ~95% of a step at 32x32 (errata "Gamma's pretraining at cpu")
    perceptual: bool = False


@dataclass(frozen=True)
class ImitationStage:
    """Stage 2, the imitation warm start (§6.2, §8). Defaults: the ``cpu`` profile's."""

    iterations: int = checked(600, NON_NEGATIVE)
    batch_size: int = checked(32, COUNT)
    lr: float = checked(1e-3, POSITIVE)
    loss: Literal["bce", "contrastive"] = "contrastive"


@dataclass(frozen=True)
class PPGStage:
    """Stage 3, PPG end to end (§6.3; CleanRL ppg_procgen defaults scaled down: errata).
    Defaults: the ``cpu`` profile's."""

    phases: int = checked(2, COUNT)  # outer PPG phases
    policy_iterations: int = checked(8, COUNT)  # N_pi rollouts per phase (CleanRL: 32)
    rollout_videos: int = checked(64, COUNT)  # videos per rollout (each gives T transitions)
    policy_epochs: int = checked(2, COUNT)  # E_pi (CleanRL: 1)
    aux_epochs: int = checked(2, NON_NEGATIVE)  # E_aux (CleanRL: 6)
    minibatch: int = checked(64, COUNT)  # transitions per minibatch
    lr: float = checked(3e-3, POSITIVE)  # PPO: approx KL ~0.01 per rollout at cpu
    local_lr: float = checked(2e-4, POSITIVE)  # Gamma keeps training on L_R during PPG (§6.3)
    train_local: bool = True
    local_batch: int = checked(8, COUNT)  # frames per Gamma fine-tuning step in PPG (§6.3)
    clip: float = checked(0.2, POSITIVE)
    entropy_coef: float = checked(0.01, NON_NEGATIVE)
    value_coef: float = checked(0.5, NON_NEGATIVE)
    beta_clone: float = checked(1.0, NON_NEGATIVE)
    max_grad_norm: float = checked(0.5, POSITIVE)
    norm_advantages: bool = True
    # terminal reward = coef * O (eq. 3); see errata
    flow_reward_coef: float = checked(10.0, NON_NEGATIVE)


@dataclass(frozen=True)
class ROVRConfig:
    # --- data: one fixed masked-video task; training seeds vary the networks, not the data
    data_seed: int = checked(0, NON_NEGATIVE)
    # --- networks (§5.2)
    # each frame downsampled to tile_size^2 and tiled 4x5 for T=20 (Fig. 2)
    tile_size: int = checked(8, COUNT)
    # per-tile CNN of pi and V (stride 2 each)
    policy_channels: tuple[int, ...] = checked((16, 32), Rule(ge=1, min_length=1))
    policy_hidden: int = checked(64, COUNT)  # width of the FC layer after the stacked features
    # local network Gamma
    unet_channels: tuple[int, ...] = checked((16, 32, 64), Rule(ge=1, min_length=1))
    paste_known: bool = True  # Gamma's output keeps the known (unmasked) pixels of the target
    gumbel_temperature: float = checked(0.7, POSITIVE)  # §5.2
    pair_logprob: Literal["geometric", "exact"] = "geometric"  # §5.2 geometric mean; or exact
    # --- L_R and the reward
    lambda_max: float = checked(0.9, PROBABILITY)  # perceptual weight grows 0 -> lambda_max (eq. 1)
    reward_scale: float = checked(1.0, POSITIVE)  # multiplies the per-step perceptual reward R_t
    # --- the three stages
    local: LocalStage = field(default_factory=LocalStage)
    imitation: ImitationStage = field(default_factory=ImitationStage)
    ppg: PPGStage = field(default_factory=PPGStage)
    # --- evaluation and logging
    eval_videos: int = checked(0, NON_NEGATIVE)  # 0: every test video
    log_every: int = checked(10, COUNT)
    checkpoint_every: int = checked(50, COUNT)
    # steps per phase whose FLOPs the harness counts (FlopCounterMode slows a step down)
    flop_samples: int = checked(2, COUNT)
    # --- policy, imitation, PPG (issue 14 part B)
    # pair: autoregressive pair-aware policy (ours, exact log-prob); top2: §5.2's per-frame top-2
    action: Literal["pair", "top2"] = "pair"
    policy_masks: bool = True  # state tiles carry each frame's mask as a 4th channel (errata)
    # perceptual backbone of the per-step reward and of Gamma's loss during PPG (errata)
    reward_net: Literal["alex", "vgg"] = "alex"
    # learned per-cell channels of the pair policy beside the mask tile (0: masks only)
    pair_grid_features: int = checked(0, NON_NEGATIVE)
    # --- local network Γ (issue 14 part A)
    # "paper": §5.2.3's UNet over the 9 stacked channels; "masked_residual": masks in, a
    # residual over the pasted copy of the pair (errata "Gamma: masks and a residual")
    local_net: Literal["paper", "masked_residual"] = "paper"
    # --- k conditioning frames (issue 14 deliverable 8; §8's future work, errata "k > 2
    # conditioning frames"): Gamma, the MDP's action and pi take k frames; 2 is the paper's pair
    conditioning_frames: int = checked(2, Rule(ge=2))


PROFILES: dict[str, ROVRConfig] = {
    "smoke": ROVRConfig(
        tile_size=8, policy_channels=(4, 8), policy_hidden=8, unet_channels=(4, 8),
        local=LocalStage(iterations=3, batch_size=2, valid_share=0.0, perceptual=True),
        imitation=ImitationStage(iterations=4, batch_size=4),
        ppg=PPGStage(phases=1, policy_iterations=2, rollout_videos=2, policy_epochs=1,
                     aux_epochs=1, minibatch=20),
        log_every=1, checkpoint_every=2, flop_samples=1,
    ),
    # cpu: Gamma on MSE alone (L_P's VGG16 is ~95% of a step), half its pairs valid, for
    # 2000 steps (hidden MSE with the best pair 0.0103 at 1000 steps, 0.0098 at 2000): the
    # stages' defaults
    "cpu": ROVRConfig(local_net="masked_residual"),
    "paper": ROVRConfig(
        tile_size=32, policy_channels=(32, 64, 64, 128), policy_hidden=256,
        unet_channels=(64, 128, 256),
        local=LocalStage(iterations=20_000, batch_size=24, lr=1e-4, valid_share=0.5,
                         perceptual=True),
        imitation=ImitationStage(iterations=5_000, batch_size=64),
        ppg=PPGStage(phases=20, policy_iterations=32, rollout_videos=16, policy_epochs=1,
                     aux_epochs=6, minibatch=160),
        log_every=100, checkpoint_every=1000, local_net="masked_residual",
    ),
}
