"""A pair-aware conditioning policy for ROVR, and one action-distribution interface for it and
the paper's per-frame top-2 policy (§5.2).

:class:`PairPolicyNet` is autoregressive: a first frame i ~ pi_1(. | s), then a second frame
j ~ pi_2(. | s, i), so the (ordered) pair's log-prob is exact: log pi_1(i) + log pi_2(j | i).
Each frame is encoded on a coarse spatial grid (not average-pooled), and the heads multiply
grids cell by cell: pi_1 scores F_t * F_i (where the target's holes meet what frame i shows),
pi_2 scores F_t * F_i * F_j (what is still missing after i and j). That is the form of the
task's validity rule ("every pixel hidden in t is visible in i or j"), which a per-frame
score cannot express (errata: "A pair-aware action"). Cost per step is O(T), as the paper's.

:func:`action_dist` gives both policies the same interface: ``log_prob(pair)``, ``sample()``,
``greedy()``, ``entropy()``, ``kl(old)``, used by PPG, imitation and evaluation.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from rlvid.nn.rovr import (
    PolicyNet,
    _position_features,
    candidate_log_probs,
    categorical_entropy,
    categorical_kl,
    greedy_pair,
    pair_log_prob,
    sample_pair,
)


class GridEncoder(nn.Module):
    """Per-frame CNN that keeps a coarse grid: (..., C_in, s, s) -> (..., C, s/2, s/2)."""

    def __init__(self, channels: tuple[int, ...], in_channels: int):
        super().__init__()
        layers: list[nn.Module] = []
        prev = in_channels
        for i, ch in enumerate(channels):
            layers += [nn.Conv2d(prev, ch, 3, stride=2 if i == 0 else 1, padding=1),
                       nn.ReLU(inplace=True)]
            prev = ch
        self.net = nn.Sequential(*layers)
        self.out_dim = prev

    def forward(self, small: torch.Tensor) -> torch.Tensor:
        lead = small.shape[:-3]
        feats = self.net(small.reshape(-1, *small.shape[-3:]))
        return feats.reshape(*lead, *feats.shape[-3:])


class PairPolicyNet(nn.Module):
    """pi(i, j | s) = pi_1(i | s) pi_2(j | s, i): exact ordered-pair log-probs, plus PPG's
    auxiliary value head. ``forward`` -> (joint log-probs (N, T, T), aux value (N,)); -inf
    where i or j is the target or i == j.

    Cell features of a frame: its mask tile (the state's 4th channel) and, with ``proj`` > 0,
    ``proj`` learned channels of a :class:`GridEncoder` on a (s/2)^2 grid. The heads read
    pooled statistics (share and peak) of cell-wise products: target x frame i (what i
    shows of t's holes) and target x i x j (what is still hidden after i and j), plus the
    frames' positions; learned cells also enter through a linear layer per cell."""

    def __init__(self, channels: tuple[int, ...], hidden: int, in_channels: int = 4,
                 tile_size: int = 8, proj: int = 0):
        super().__init__()
        self.masks = in_channels == 4
        if not (proj or self.masks):
            raise ValueError("PairPolicyNet needs learned cell features or a mask channel")
        self.enc = GridEncoder(channels, in_channels) if proj else None
        self.proj = nn.Conv2d(self.enc.out_dim, proj, 1) if self.enc is not None else None
        learned = proj * (tile_size // 2) ** 2
        d1 = 2 * learned + 4 * self.masks + 3
        self.first = nn.Sequential(nn.Linear(d1, hidden), nn.ReLU(inplace=True),
                                   nn.Linear(hidden, 1))
        self.pair_in = nn.Linear(learned + 2 * self.masks, hidden)  # (t, i, j) products
        self.frame_in = nn.Linear(learned + 2 * self.masks + 3, hidden)  # j alone, for t
        self.first_in = nn.Linear(3, hidden, bias=False)  # where i is
        self.second = nn.Linear(hidden, 1)
        self.aux_value = nn.Linear(d1, 1)
        self.learned = learned

    def forward(self, small: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, ...]:
        n, t = small.shape[:2]
        rows = torch.arange(n, device=small.device)
        pos = _position_features(t, target)  # (N, T, 3)
        f1, f2, still = [], [], []  # head inputs: per frame, and per pair (i, j)
        if self.masks:
            m = small[:, :, 3].flatten(2)  # (N, T, s*s) hidden share per tile pixel
            mt = m[rows, target][:, None]
            norm = mt.sum(-1, keepdim=True) + 1e-6
            sm = m * mt  # t's holes that i hides too
            f1 += [_stats(sm, norm), _stats(m, norm)]
            f2 += [_stats(sm, norm)]
            still.append(_stats(sm[:, :, None] * m[:, None], norm[:, :, None]))
        if self.enc is not None:
            g = torch.relu(self.proj(self.enc(small).flatten(0, 1))).flatten(1)
            g = g.reshape(n, t, -1)
            sg = g * g[rows, target][:, None]
            f1 += [sg, g]
            f2 += [sg]
            still.append(sg[:, :, None] * g[:, None])
        x1 = torch.cat([*f1, pos], -1)
        lp1 = torch.log_softmax(_mask(self.first(x1).squeeze(-1), target[:, None]), -1)
        # second frame j given first i: hidden (N, T_i, T_j, hidden), O(T) per i
        h = self.pair_in(torch.cat(still, -1)) + self.frame_in(torch.cat([*f2, pos], -1))[
            :, None] + self.first_in(pos)[:, :, None]
        s2 = self.second(torch.relu(h)).squeeze(-1)  # (N, T, T)
        ban = torch.eye(t, dtype=torch.bool, device=small.device)[None] | (
            torch.arange(t, device=small.device)[None, None] == target[:, None, None])
        lp2 = torch.log_softmax(s2.masked_fill(ban, float("-inf")), -1)
        joint = lp1[:, :, None] + lp2
        return joint, self.aux_value(x1.mean(1)).squeeze(-1)


def _stats(x: torch.Tensor, norm: torch.Tensor) -> torch.Tensor:
    """Pooled cell statistics (..., 2): share of the target's hidden mass, and the peak."""
    return torch.stack([x.sum(-1) / norm.squeeze(-1), x.amax(-1)], -1)


def _mask(scores: torch.Tensor, banned: torch.Tensor) -> torch.Tensor:
    idx = torch.arange(scores.shape[-1], device=scores.device)
    return scores.masked_fill(idx[None] == banned, float("-inf"))


# ---------------------------------------------------------------- action distributions


class PairDist:
    """A distribution over ordered pairs from joint log-probs (N, T, T)."""

    def __init__(self, joint: torch.Tensor):
        self.joint = joint
        self.flat = joint.flatten(1)
        self.t = joint.shape[-1]

    def log_prob(self, pair: torch.Tensor) -> torch.Tensor:
        rows = torch.arange(pair.shape[0], device=pair.device)
        return self.joint[rows, pair[:, 0], pair[:, 1]]

    def sample(self, generator: torch.Generator | None = None) -> torch.Tensor:
        flat = torch.multinomial(self.flat.exp(), 1, generator=generator).squeeze(1)
        return torch.stack([flat // self.t, flat % self.t], 1)

    def greedy(self) -> torch.Tensor:
        flat = self.flat.argmax(1)
        return torch.stack([flat // self.t, flat % self.t], 1)

    def entropy(self) -> torch.Tensor:
        return categorical_entropy(self.flat)

    def kl(self, old: PairDist) -> torch.Tensor:
        """KL(old || self) per row."""
        return categorical_kl(old.flat, self.flat)


class Top2Dist:
    """The paper's action (§5.2): Gumbel top-2 of one per-frame categorical; the pair's
    log-prob is ``pair_logprob`` (geometric: the paper's; exact: two draws without
    replacement)."""

    def __init__(self, log_probs: torch.Tensor, kind: str):
        self.lp, self.kind = log_probs, kind

    def log_prob(self, pair: torch.Tensor) -> torch.Tensor:
        return pair_log_prob(self.lp, pair, self.kind)

    def sample(self, generator: torch.Generator | None = None) -> torch.Tensor:
        return sample_pair(self.lp, generator)

    def greedy(self) -> torch.Tensor:
        return greedy_pair(self.lp)

    def entropy(self) -> torch.Tensor:
        return categorical_entropy(self.lp)

    def kl(self, old: Top2Dist) -> torch.Tensor:
        return categorical_kl(old.lp, self.lp)

    def pair_scores(self) -> torch.Tensor:
        """(N, T, T) log P(i then j) for two draws without replacement (Gumbel top-2)."""
        lp = self.lp
        return lp[:, :, None] + lp[:, None, :] - torch.log1p(-lp.exp().clamp(max=1 - 1e-6))[
            :, :, None]


Dist = PairDist | Top2Dist


def action_dist(policy: nn.Module, small: torch.Tensor, target: torch.Tensor,
                temperature: float, kind: str) -> tuple[Dist, torch.Tensor]:
    """The policy's action distribution at states (small, target), and its aux value."""
    out, aux = policy(small, target)
    if isinstance(policy, PolicyNet):
        return Top2Dist(candidate_log_probs(out, temperature), kind), aux
    return PairDist(out), aux
