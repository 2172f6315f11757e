"""``rlvid inpaint``: reconstruct one masked video with a trained ROVR checkpoint."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from time import perf_counter
from typing import Any

import torch

from rlvid.config.rovr import ROVRConfig
from rlvid.errors import RlvidError
from rlvid.nn.rovr import candidate_log_probs, greedy_pair
from rlvid.nn.streaming import StreamingPolicy
from rlvid.rovr.env import InpaintEnv
from rlvid.rovr.nets import build_local, build_policy
from rlvid.rovr.pairs import sequential_pairs
from rlvid.rovr.selectors import policy_selector
from rlvid.rovr.stage_runner import stage_state
from rlvid.storage.checkpoints import CheckpointError, load_weights


def rovr_config_from_dict(values: dict[str, Any]) -> ROVRConfig:
    """Rebuild the ROVR section saved in a checkpoint (lists back to tuples, the stages'
    sections back to theirs); names it does not know are left out."""
    return _rebuild(ROVRConfig, values)


def _rebuild(cls: type, values: dict[str, Any]) -> Any:
    default, known = cls(), {}
    for f in fields(cls):
        if f.name in values:
            value, current = values[f.name], getattr(default, f.name)
            if is_dataclass(current) and isinstance(value, dict):
                value = _rebuild(type(current), value)
            known[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**known)


def auto_masks(video: torch.Tensor, threshold: float = 1.5 / 255) -> torch.Tensor:
    """Hidden pixels of a corrupted video: black in every channel (the masked-set
    convention: masked pixels are zeroed). (T, 3, H, W) -> (T, 1, H, W) bool."""
    return (video <= threshold).all(dim=1, keepdim=True)


def inpaint_video(video: torch.Tensor, masks: torch.Tensor, state: dict[str, Any]):
    """Reconstruct one (T, 3, H, W) video with hidden pixels ``masks`` (T, 1, H, W) from a
    ROVR checkpoint: its policy picks the pairs (greedy), or, for a local-net checkpoint
    without a policy, the sequential (t-1, t-2) pairs. Returns (video, pairs (T, k), policy)."""
    state = stage_state(state)
    if "local" not in state or "config" not in state:
        raise RlvidError("checkpoint holds no ROVR local network (train one with "
                         "`rlvid train rovr --stage local`)")
    try:
        rcfg = rovr_config_from_dict(state["config"]["rovr"])
    except (TypeError, KeyError, ValueError) as exc:
        raise CheckpointError(f"checkpoint's ROVR config is damaged ({exc})") from None
    t, _, h, w = video.shape
    if masks.shape != (t, 1, h, w):
        raise RlvidError(f"masks have shape {tuple(masks.shape)}, video needs {(t, 1, h, w)} "
                         "(same frame count and size)")
    if t < 3:
        raise RlvidError(f"video has {t} frames; ROVR needs at least 3")
    local = load_weights(build_local(rcfg), state["local"], "checkpoint (local network)")
    local.eval()
    factor = local.factor
    if h % factor or w % factor:
        raise RlvidError(f"video frames are {h}x{w}; this checkpoint needs sides divisible "
                         f"by {factor}")
    policy = None
    if "policy" in state:
        policy = build_policy(rcfg, state.get("action", "top2"))  # as nets.load_policy
        load_weights(policy, state["policy"], "checkpoint (policy)")
        policy.eval()
    name = "rovr policy" if policy is not None else \
        "sequential (t-1, t-2): no policy in checkpoint"
    corrupted = video.masked_fill(masks, 0.0)
    env = InpaintEnv(local, video[None], masks[None], corrupted[None], rcfg, rewards=False,
                     track_flow=False)  # no original video here: no reward, no O
    pairs = greedy_rollout(env, policy, rcfg)
    return env.current[0], pairs[0], name


def greedy_rollout(env: InpaintEnv, policy: torch.nn.Module | None, rcfg: ROVRConfig,
                   clock: list[tuple[float, float]] | None = None) -> torch.Tensor:
    """Step ``env`` to the end with the policy's greedy pair, or the sequential (t-1, t-2)
    pairs when ``policy`` is None; returns the pairs (N, T, k). A policy that
    :class:`~rlvid.nn.streaming.StreamingPolicy` does not support (another action head) falls
    back to the full re-encode per step.

    The policy runs through :class:`~rlvid.nn.streaming.StreamingPolicy`: each step
    re-encodes only the frame Gamma just reconstructed, not the whole tiled video (§5.1.3
    re-encodes it every step: O(T) per step, O(T^2) per video; R5, errata). ``clock``: one
    (selection seconds, Gamma seconds) pair appended per step.
    """
    full = None
    if policy is not None and not StreamingPolicy.supports(policy):
        full = policy_selector(policy, rcfg)  # fallback: the whole state re-encoded per step
    with torch.no_grad():
        stream = None if policy is None or full else StreamingPolicy(policy, env.small)
        pairs = []
        while not env.done:
            t, start = env.t, perf_counter()
            target = torch.full((env.n,), t, dtype=torch.long)
            if full is not None:
                pair = full(env.small, target, torch.arange(env.n))
            elif stream is None:
                pair = sequential_pairs(target, env.k)
            else:
                logits = stream.logits(env.small[:, t], t)
                pair = greedy_pair(candidate_log_probs(logits, rcfg.gumbel_temperature), env.k)
            chosen = perf_counter()
            env.step(pair)  # Gamma reconstructs frame t; env.small[:, t] is its new tile
            stepped = perf_counter()
            if stream is not None:
                stream.update(t, env.small[:, t])
            pairs.append(pair)
            if clock is not None:
                clock.append((chosen - start + perf_counter() - stepped, stepped - chosen))
    return torch.stack(pairs, dim=1)
