"""``rlvid inpaint``: reconstruct one masked video with a trained ROVR checkpoint."""

from __future__ import annotations

from typing import Any

import torch

from rlvid.config.rovr import ROVRConfig
from rlvid.errors import RlvidError
from rlvid.rovr.env import InpaintEnv
from rlvid.rovr.runs import build_local, build_policy, stage_state
from rlvid.rovr.selectors import policy_selector, sequential_selector


def rovr_config_from_dict(values: dict[str, Any]) -> ROVRConfig:
    """Rebuild the ROVR section saved in a checkpoint (lists back to tuples)."""
    known = ROVRConfig.__dataclass_fields__
    return ROVRConfig(**{k: tuple(v) if isinstance(v, list) else v
                         for k, v in values.items() if k in known})


def auto_masks(video: torch.Tensor, threshold: float = 1.5 / 255) -> torch.Tensor:
    """Hidden pixels of a corrupted video: black in every channel (the masked-set
    convention: masked pixels are zeroed). (T, 3, H, W) -> (T, 1, H, W) bool."""
    return (video <= threshold).all(dim=1, keepdim=True)


def inpaint_video(video: torch.Tensor, masks: torch.Tensor, state: dict[str, Any]):
    """Reconstruct one (T, 3, H, W) video with hidden pixels ``masks`` (T, 1, H, W) from a
    ROVR checkpoint: its policy picks the pairs (greedy), or, for a local-net checkpoint
    without a policy, the sequential (t-1, t-2) pairs. Returns (video, pairs (T, 2), policy)."""
    state = stage_state(state)
    if "local" not in state or "config" not in state:
        raise RlvidError("checkpoint holds no ROVR local network (train one with "
                         "`rlvid train rovr --stage local`)")
    rcfg = rovr_config_from_dict(state["config"]["rovr"])
    t, _, h, w = video.shape
    if masks.shape != (t, 1, h, w):
        raise RlvidError(f"masks have shape {tuple(masks.shape)}, video needs {(t, 1, h, w)} "
                         "(same frame count and size)")
    if t < 3:
        raise RlvidError(f"video has {t} frames; ROVR needs at least 3")
    local = build_local(rcfg)
    local.load_state_dict(state["local"])
    local.eval()
    factor = local.factor
    if h % factor or w % factor:
        raise RlvidError(f"video frames are {h}x{w}; this checkpoint needs sides divisible "
                         f"by {factor}")
    if "policy" in state:
        policy = build_policy(rcfg)
        policy.load_state_dict(state["policy"])
        selector, name = policy_selector(policy.eval(), rcfg), "rovr policy"
    else:
        selector, name = sequential_selector(), "sequential (t-1, t-2): no policy in checkpoint"
    corrupted = video.masked_fill(masks, 0.0)
    env = InpaintEnv(local, video[None], masks[None], corrupted[None], rcfg, rewards=False,
                     track_flow=False)  # no original video here: no reward, no O
    pairs = []
    while not env.done:
        small, target = env.observe()
        pair = selector(small, target, torch.zeros(1, dtype=torch.long))
        pairs.append(pair[0])
        env.step(pair)
    return env.current[0], torch.stack(pairs), name
