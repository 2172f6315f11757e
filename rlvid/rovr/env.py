"""ROVR's MDP (§5.1): one target frame per step, a pair of conditioning frames per action."""

from __future__ import annotations

import torch

from rlvid.config.rovr import ROVRConfig
from rlvid.nn.rovr import LocalUNet, downsample_frames
from rlvid.rovr.losses import vgg_perceptual


class InpaintEnv:
    """ROVR's MDP over a batch of videos, one target frame per step, in order (§5.1.1).

    State s_t: the current video (frames < t reconstructed, frames >= t corrupted),
    downsampled to tiles, and the target index t. Action: a pair of conditioning frames taken
    from the current video. Transition: Gamma reconstructs frame t (§5.1.3). Reward:
    R_t = L_P(x_bar_t, x_t) - L_P(x_hat_t, x_t) (§6.3); after the last step the episode's
    flow recovery O (eq. 3) times ``flow_coef`` is added to the last reward.
    """

    def __init__(self, local: LocalUNet, videos: torch.Tensor, masks: torch.Tensor,
                 corrupted: torch.Tensor, rcfg: ROVRConfig, flow_coef: float = 0.0,
                 rewards: bool = True, track_flow: bool = True):
        self.local, self.rcfg, self.flow_coef = local, rcfg, flow_coef
        self.videos, self.masks, self.corrupted = videos, masks, corrupted
        self.n, self.num_frames = videos.shape[:2]
        self.rows = torch.arange(self.n)
        self.rewards, self.track_flow = rewards, track_flow or bool(flow_coef)
        if rewards:  # L_P(x_bar_t, x_t) for every t, once: it does not depend on the policy
            with torch.no_grad():
                self.corrupted_lp = vgg_perceptual(
                    corrupted.flatten(0, 1), videos.flatten(0, 1)).reshape(self.n, -1)
        self.reset()

    def reset(self) -> None:
        self.current = self.corrupted.clone()
        self.small = downsample_frames(self.current, self.rcfg.tile_size)
        self.t = 0
        self.flow_recovery: torch.Tensor | None = None

    @property
    def done(self) -> bool:
        return self.t >= self.num_frames

    def observe(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.small.clone(), torch.full((self.n,), self.t, dtype=torch.long)

    def reconstruct(self, pair: torch.Tensor) -> torch.Tensor:
        """Gamma(x_bar_t, c1, c2) with the conditioning frames from the current video."""
        t = self.t
        return self.local(self.current[:, t], self.current[self.rows, pair[:, 0]],
                          self.current[self.rows, pair[:, 1]], self.masks[:, t])

    def step(self, pair: torch.Tensor, x_hat: torch.Tensor | None = None,
             x_hat_lp: torch.Tensor | None = None) -> torch.Tensor:
        """Apply the action; reward (N,). ``x_hat`` / ``x_hat_lp``: a reconstruction and its
        L_P already computed by the caller (when Gamma trains on them)."""
        t = self.t
        with torch.no_grad():
            x_hat = self.reconstruct(pair) if x_hat is None else x_hat.detach()
            reward = torch.zeros(self.n)
            if self.rewards:
                if x_hat_lp is None:
                    x_hat_lp = vgg_perceptual(x_hat, self.videos[:, t])
                reward = (self.corrupted_lp[:, t] - x_hat_lp.detach()) * self.rcfg.reward_scale
        self.current[:, t] = x_hat
        self.small[:, t] = downsample_frames(x_hat, self.rcfg.tile_size)
        self.t += 1
        if self.done and self.track_flow:
            self.flow_recovery = flow_recovery_batch(self.current, self.videos, self.corrupted)
            if self.flow_coef:
                reward = reward + self.flow_coef * self.flow_recovery
        return reward


def flow_recovery_batch(reconstructed: torch.Tensor, original: torch.Tensor,
                        corrupted: torch.Tensor) -> torch.Tensor:
    """O per video (N,), with the active flow backend; 0 where O is undefined."""
    from rlvid.metrics import flow_recovery

    out = flow_recovery(reconstructed, original, corrupted, zero_denominator=0.0)
    return torch.as_tensor(out, dtype=torch.float32)

