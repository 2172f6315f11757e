"""Evaluation of Gamma and of conditioning policies on the test videos: per-frame metrics,
a rollout's means, Table 1's best / worst / random pairs, the imitation policy's valid-pair
rates and the pair log-prob comparison (§5.2)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from rlvid.config.rovr import ROVRConfig
from rlvid.nn.rovr import (
    LocalUNet,
)
from rlvid.nn.rovr_pair import action_dist
from rlvid.rovr.local import apply_local
from rlvid.rovr.losses import vgg_perceptual
from rlvid.rovr.methods import BEST, RANDOM, WORST
from rlvid.rovr.pairs import random_pairs, require_pairs, set_choices, sets_valid
from rlvid.rovr.selectors import Rollout, expert_states


def frame_metrics(reconstructed: torch.Tensor, original: torch.Tensor,
                  vgg: bool = True) -> dict[str, np.ndarray]:
    """Per-frame MSE, PSNR, SSIM, perceptual distance, and (``vgg``) L_P for (M, 3, H, W)
    frames."""
    from rlvid.metrics import perceptual_distance, psnr, ssim

    with torch.no_grad():
        out = {
            "mse": (reconstructed - original).pow(2).mean(dim=(1, 2, 3)).numpy(),
            "psnr": np.asarray(psnr(reconstructed, original, reduction="none"), dtype=float),
            "ssim": np.asarray(ssim(reconstructed, original, reduction="none"), dtype=float),
            "perceptual": perceptual_distance(reconstructed, original).double().numpy(),
        }
        if vgg:
            out["vgg_lp"] = vgg_perceptual(reconstructed, original).double().numpy()
        return out


def mean_frame_metrics(frames: dict[str, np.ndarray]) -> dict[str, float]:
    """Means of :func:`frame_metrics` over frames, with ``psnr`` from the mean MSE,
    ``10 log10(1 / mean mse)``: a mean of per-frame PSNRs is infinite as soon as one frame
    is reconstructed exactly (a frame with nothing hidden, say)."""
    out = {k: float(np.mean(v)) for k, v in frames.items()}
    mse = out["mse"]
    out["psnr"] = 10 * math.log10(1 / mse) if mse > 0 else math.inf
    return out


def evaluate_rollout(rollout: Rollout, data: Any, videos: torch.Tensor | None = None,
                     vgg: bool = True) -> dict[str, float]:
    """Mean metrics of a rollout: frame metrics, flow recovery, valid-pair rate (valid
    k-sets with k conditioning frames)."""
    idx = torch.arange(data.videos.shape[0]) if videos is None else videos
    n, t = rollout.pairs.shape[:2]
    frames = frame_metrics(rollout.reconstructed.flatten(0, 1), data.videos[idx].flatten(0, 1),
                           vgg)
    out = mean_frame_metrics(frames)
    out["flow_recovery"] = float(rollout.flow_recovery.mean())
    rows = idx[:, None].expand(n, t)
    tt = torch.arange(t)[None].expand(n, t)
    valid = sets_valid(data, rows.flatten(), tt.flatten(), rollout.pairs.flatten(0, 1))
    out["valid_pair_rate"] = float(valid.float().mean())
    return out


def action_ceilings(data: Any) -> dict[str, float]:
    """The best valid-pair rate each action form can reach on ``data`` (all targets):

    - ``top2_frame_score``: the per-frame top-2 (§5.2) ranking frames by the best score a
      frame has on its own, the share of the target's holes it shows (single coverage);
    - ``top2_pair_count``: the per-frame top-2 ranking frames by how many valid pairs they
      are in (a score that already needs pairs to compute);
    - ``pair``: a pair-aware action, which can name any pair: the share of targets with a
      valid pair;
    - ``random``: a uniformly random pair."""
    n, t = data.valid.shape[:2]
    idx = torch.arange(t)
    rows, tt = torch.arange(n)[:, None].expand(n, t), idx[None].expand(n, t)
    out = {}
    for name, score in (("top2_frame_score", torch.diagonal(data.coverage, dim1=-2, dim2=-1)),
                        ("top2_pair_count", data.valid.float().sum(-1))):
        s = score.clone()
        s[:, idx, idx] = -1e9  # never the target
        top = s.topk(2, -1).indices
        out[name] = float(data.valid[rows, tt, top[..., 0], top[..., 1]].float().mean())
    out["pair"] = float(data.valid.flatten(2).any(-1).float().mean())
    out[RANDOM.name] = random_valid_rate(data)
    return out


def random_valid_rate(data: Any, k: int = 2) -> float:
    """Share of valid pairs (k-sets) among all candidate ones: what a uniform random policy
    scores."""
    n, t = data.valid.shape[:2]
    choices = set_choices(data, torch.arange(n).repeat_interleave(t), torch.arange(t).repeat(n),
                          k)
    pos = choices.weights(True).sum()
    neg = choices.weights(False).sum()
    return float(pos / (pos + neg))


def local_table(local: LocalUNet, data: Any, rcfg: ROVRConfig, seed: int):
    """Table 1: Gamma on every (test video, target) with the best, worst and random pairs
    taken from the corrupted video. Returns {policy: per-frame metric arrays}."""
    require_pairs(rcfg, "Table 1 (best, worst and random pairs)")
    n, t = data.videos.shape[:2]
    nn_ = torch.arange(n).repeat_interleave(t)
    target = torch.arange(t).repeat(n)
    gen = torch.Generator().manual_seed(seed)
    pairs = {BEST.name: data.best_pair[nn_, target], WORST.name: data.worst_pair[nn_, target],
             RANDOM.name: random_pairs(target, t, gen)}
    out = {}
    for name, pair in pairs.items():
        with torch.no_grad():
            x_hat = apply_local(local, data, nn_, target, pair)
        out[name] = frame_metrics(x_hat, data.videos[nn_, target])
    return out


def imitation_valid_rates(policy: torch.nn.Module, data: Any, local: LocalUNet,
                          rcfg: ROVRConfig, seed: int = 0) -> dict[str, float]:
    """How often the policy's top-2 (greedy) and a sampled pair (k-set) are valid, on expert
    states of ``data`` (test videos), against a uniformly random one. The sample uses its own
    generator seeded by ``seed``, so the number does not depend on whether the stages were
    trained in this process or reloaded from their run directories."""
    small, target, n = expert_states(local, data, rcfg)
    with torch.no_grad():
        dist, _ = action_dist(policy, small, target, rcfg.gumbel_temperature, rcfg.pair_logprob)
    sampled = dist.sample(torch.Generator().manual_seed(seed))
    out = {}
    for kind, pair in (("greedy", dist.greedy()), ("sampled", sampled)):
        out[kind] = float(sets_valid(data, n, target, pair).float().mean())
    out[RANDOM.name] = random_valid_rate(data, rcfg.conditioning_frames)
    return out


