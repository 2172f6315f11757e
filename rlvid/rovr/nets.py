"""ROVR's networks built from the ROVR config (§5.2): Gamma (the local network), pi (the
conditioning policy) and V (the critic), and loaded from a stage's state."""

from __future__ import annotations

from typing import Any

import torch

from rlvid.config import Config
from rlvid.config.rovr import ROVRConfig
from rlvid.nn.local_net import build_local_net
from rlvid.nn.rovr import CriticNet, PolicyNet
from rlvid.nn.rovr_pair import PairPolicyNet


def build_local(rcfg: ROVRConfig, kind: str | None = None) -> torch.nn.Module:
    """Gamma as ``rcfg.local_net`` (or ``kind``) names it: the paper's UNet or the masked
    residual one (:func:`rlvid.nn.local_net.build_local_net`)."""
    return build_local_net(rcfg.unet_channels, rcfg.paste_known, kind or rcfg.local_net,
                           rcfg.conditioning_frames)


def load_local(cfg: Config, state: dict[str, Any], kind: str | None = None
               ) -> torch.nn.Module:
    """Gamma of a stage state (its ``"local"`` weights), in eval mode."""
    local = build_local(cfg.rovr, kind)
    local.load_state_dict(state["local"])
    return local.eval()


def state_channels(rcfg: ROVRConfig) -> int:
    """Channels of a state tile: RGB, plus the mask with ``policy_masks``."""
    return 4 if rcfg.policy_masks else 3


def build_policy(rcfg: ROVRConfig, action: str | None = None) -> PolicyNet | PairPolicyNet:
    """pi with ``action`` (default ``rcfg.action``): "pair" (pair-aware, ours) or "top2"
    (top-k with k = ``conditioning_frames``)."""
    k = rcfg.conditioning_frames
    if (action or rcfg.action) == "pair":
        return PairPolicyNet(rcfg.policy_channels, rcfg.policy_hidden, state_channels(rcfg),
                             rcfg.tile_size, rcfg.pair_grid_features, frames=k)
    return PolicyNet(rcfg.policy_channels, rcfg.policy_hidden, state_channels(rcfg), frames=k)


def build_critic(rcfg: ROVRConfig) -> CriticNet:
    """V: the policy's trunk with its own weights and a scalar head (PPG's "dual")."""
    return CriticNet(rcfg.policy_channels, rcfg.policy_hidden, state_channels(rcfg))


def load_policy(cfg: Config, state: dict[str, Any]) -> PolicyNet | PairPolicyNet:
    """pi of a stage state (its ``"policy"`` weights and ``"action"``), in eval mode."""
    policy = build_policy(cfg.rovr, state.get("action", "top2"))
    policy.load_state_dict(state["policy"])
    return policy.eval()
