"""Conditioning pairs: random, sequential (vid2vid) and labelled (valid / invalid) pairs."""

from __future__ import annotations

import torch


def random_pairs(target: torch.Tensor, num_frames: int,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """(N, 2) uniformly random unordered pairs of distinct frames, neither the target."""
    weights = torch.ones(target.shape[0], num_frames)
    weights[torch.arange(target.shape[0]), target] = 0
    return torch.multinomial(weights, 2, replacement=False, generator=generator)


def sequential_pairs(target: torch.Tensor) -> torch.Tensor:
    """vid2vid's (t-1, t-2); for t < 2 the missing ones are the next frames (errata)."""
    t = target[:, None]
    pair = torch.cat([t - 1, t - 2], dim=1)
    return torch.where(pair < 0, pair + 3, pair)  # t=0 -> (2, 1); t=1 -> (0, 2)


def pair_weights(valid: torch.Tensor, target: torch.Tensor, want: bool) -> torch.Tensor:
    """(B, T*T) weights over unordered pairs i < j, neither the target, valid == want."""
    b, t, _ = valid.shape
    upper = torch.ones(t, t).triu(1).bool()
    idx = torch.arange(t)
    not_target = (idx[None, :] != target[:, None])
    ok = upper[None] & not_target[:, :, None] & not_target[:, None, :]
    return ((valid == want) & ok).reshape(b, t * t).float()


def sample_labelled_pairs(valid: torch.Tensor, target: torch.Tensor, positive: bool):
    """Sample one valid (positive) or invalid (negative) pair per state; rows without one are
    dropped. Returns (rows (B',), pairs (B', 2))."""
    weights = pair_weights(valid, target, positive)
    rows = torch.nonzero(weights.sum(1) > 0).squeeze(1)
    flat = torch.multinomial(weights[rows], 1).squeeze(1)
    t = valid.shape[-1]
    return rows, torch.stack([flat // t, flat % t], dim=1)

