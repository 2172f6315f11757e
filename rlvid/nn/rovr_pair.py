"""A pair-aware conditioning policy for ROVR, and one action-distribution interface for it and
the paper's per-frame top-2 policy (§5.2).

:class:`PairPolicyNet` is autoregressive: a first frame i ~ pi_1(. | s), then a second frame
j ~ pi_2(. | s, i), so the (ordered) pair's log-prob is exact: log pi_1(i) + log pi_2(j | i).
Each frame is encoded on a coarse spatial grid (not average-pooled), and the heads multiply
grids cell by cell: pi_1 scores F_t * F_i (where the target's holes meet what frame i shows),
pi_2 scores F_t * F_i * F_j (what is still missing after i and j). That is the form of the
task's validity rule ("every pixel hidden in t is visible in i or j"), which a per-frame
score cannot express (errata: "A pair-aware action"). Cost per step is O(T), as the paper's.

With k > 2 conditioning frames (§8's future work, ``frames``) the same later head picks frame
m given frames 1..m-1 (F_t * F_1 * ... * F_m), each masked from the target and the earlier
picks; the ordered k-tuple's log-prob is the sum of the k conditionals, still exact.

:func:`action_dist` gives every policy the same interface: ``log_prob(frames)``, ``sample()``,
``greedy()``, ``entropy()``, ``kl(old)`` and the clone table of PPG's auxiliary phase, used
by PPG, imitation and evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from rlvid.nn.rovr import (
    PolicyNet,
    _position_features,
    candidate_log_probs,
    categorical_entropy,
    categorical_kl,
    conv_stack,
    greedy_pair,
    pair_log_prob,
    sample_pair,
)


class GridEncoder(nn.Module):
    """Per-frame CNN that keeps a coarse grid: (..., C_in, s, s) -> (..., C, s/2, s/2)."""

    def __init__(self, channels: tuple[int, ...], in_channels: int):
        super().__init__()
        self.net = conv_stack(channels, in_channels, stride_all=False)
        self.out_dim = channels[-1]

    def forward(self, small: torch.Tensor) -> torch.Tensor:
        lead = small.shape[:-3]
        feats = self.net(small.reshape(-1, *small.shape[-3:]))
        return feats.reshape(*lead, *feats.shape[-3:])


@dataclass
class Cells:
    """What the heads of :class:`PairPolicyNet` read of N states, computed once per state."""

    target: torch.Tensor  # (N,)
    pos: torch.Tensor  # (N, T, 3) position features
    frame: torch.Tensor  # (N, T, d) a candidate's own input to the later head
    first: torch.Tensor  # (N, T) log pi_1
    aux: torch.Tensor  # (N,) PPG's auxiliary value
    m: torch.Tensor | None  # (N, T, s*s) mask tiles (hidden share per tile pixel)
    sm: torch.Tensor | None  # m times the target's mask tile
    norm: torch.Tensor | None  # (N, 1, 1) the target's hidden mass
    g: torch.Tensor | None  # (N, T, L) learned cells
    sg: torch.Tensor | None  # g times the target's learned cells


class PairPolicyNet(nn.Module):
    """pi(i, j | s) = pi_1(i | s) pi_2(j | s, i): exact ordered-pair log-probs, plus PPG's
    auxiliary value head. ``forward`` -> (joint log-probs (N, T, T), aux value (N,)); -inf
    where i or j is the target or i == j. With ``frames`` = k > 2 the later head is applied
    k - 1 times (:meth:`next_log_probs`) and the joint over T^k is never built.

    Cell features of a frame: its mask tile (the state's 4th channel) and, with ``proj`` > 0,
    ``proj`` learned channels of a :class:`GridEncoder` on a (s/2)^2 grid. The heads read
    pooled statistics (share and peak) of cell-wise products: target x frame i (what i
    shows of t's holes) and target x i x j (what is still hidden after i and j), plus the
    frames' positions; learned cells also enter through a linear layer per cell."""

    def __init__(self, channels: tuple[int, ...], hidden: int, in_channels: int = 4,
                 tile_size: int = 8, proj: int = 0, frames: int = 2):
        super().__init__()
        self.masks, self.frames = in_channels == 4, frames
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
        self.first_in = nn.Linear(3, hidden, bias=False)  # where i (the earlier picks) is
        self.second = nn.Linear(hidden, 1)
        self.aux_value = nn.Linear(d1, 1)
        self.learned = learned

    def encode(self, small: torch.Tensor, target: torch.Tensor) -> Cells:
        """States (N, T, C, s, s) tiles and (N,) targets -> their :class:`Cells`."""
        n, t = small.shape[:2]
        rows = torch.arange(n, device=small.device)
        pos = _position_features(t, target)  # (N, T, 3)
        f1, f2 = [], []  # head inputs per frame: the first head's, the later head's
        m = sm = norm = g = sg = None
        if self.masks:
            m = small[:, :, 3].flatten(2)  # (N, T, s*s) hidden share per tile pixel
            mt = m[rows, target][:, None]
            norm = mt.sum(-1, keepdim=True) + 1e-6
            sm = m * mt  # t's holes that i hides too
            f1 += [_stats(sm, norm), _stats(m, norm)]
            f2 += [_stats(sm, norm)]
        if self.enc is not None:
            g = torch.relu(self.proj(self.enc(small).flatten(0, 1))).flatten(1)
            g = g.reshape(n, t, g.shape[-1])  # n may be 0 (a process's empty share)
            sg = g * g[rows, target][:, None]
            f1 += [sg, g]
            f2 += [sg]
        x1 = torch.cat([*f1, pos], -1)
        lp1 = torch.log_softmax(_mask(self.first(x1).squeeze(-1), target[:, None]), -1)
        return Cells(target, pos, torch.cat([*f2, pos], -1), lp1,
                     self.aux_value(x1.mean(1)).squeeze(-1), m, sm, norm, g, sg)

    def next_log_probs(self, cells: Cells, chosen: torch.Tensor) -> torch.Tensor:
        """log pi(next frame | s, chosen frames): ``chosen`` (N, *B, m) -> (N, *B, T), -inf at
        the target and at the chosen frames. The head reads target x chosen x candidate
        (what is still hidden after them all), the candidate, and where the chosen are."""
        n, t = cells.pos.shape[:2]
        ones = (1,) * (chosen.dim() - 2)
        rows = torch.arange(n, device=chosen.device).view(n, *ones)
        still = []  # (N, *B, T, .): what is still hidden after the chosen and a candidate
        for product, cell, pooled in ((cells.sm, cells.m, True), (cells.sg, cells.g, False)):
            if product is None or cell is None:
                continue
            prod = product[rows, chosen[..., 0]]
            for e in range(1, chosen.shape[-1]):
                prod = prod * cell[rows, chosen[..., e]]
            prod = prod[..., None, :] * cell.view(n, *ones, t, cell.shape[-1])
            still.append(_stats(prod, cells.norm.view(n, *ones, 1, 1)) if pooled else prod)
        where = cells.pos[rows[..., None], chosen].mean(-2)  # mean position of the chosen
        frame = self.frame_in(cells.frame)
        h = self.pair_in(torch.cat(still, -1)) + frame.view(n, *ones, t, frame.shape[-1]) + \
            self.first_in(where)[..., None, :]
        scores = self.second(torch.relu(h)).squeeze(-1)  # (N, *B, T)
        idx = torch.arange(t, device=chosen.device)
        ban = (idx == chosen[..., None]).any(-2) | (idx == cells.target.view(n, *ones, 1))
        return torch.log_softmax(scores.masked_fill(ban, float("-inf")), -1)

    def forward(self, small: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """-> (joint log-probs (N, T, T) of ordered pairs, aux value (N,)); k = 2 only."""
        if self.frames != 2:
            raise ValueError(f"the joint over T^k ordered tuples is built for k = 2 only, "
                             f"this policy takes k = {self.frames}: use action_dist")
        cells = self.encode(small, target)
        n, t = small.shape[:2]
        first = torch.arange(t, device=small.device).view(1, t, 1).expand(n, t, 1)
        # second frame j given first i: hidden (N, T_i, T_j, hidden), O(T) per i
        return cells.first[:, :, None] + self.next_log_probs(cells, first), cells.aux


def _stats(x: torch.Tensor, norm: torch.Tensor) -> torch.Tensor:
    """Pooled cell statistics (..., 2): share of the target's hidden mass, and the peak."""
    return torch.stack([x.sum(-1) / norm.squeeze(-1), x.amax(-1)], -1)


def _mask(scores: torch.Tensor, banned: torch.Tensor) -> torch.Tensor:
    idx = torch.arange(scores.shape[-1], device=scores.device)
    return scores.masked_fill(idx[None] == banned, float("-inf"))


# ---------------------------------------------------------------- action distributions


class CloneKL:
    """What every action distribution shares: ``kl(old)`` = KL(old || self) per row, through
    the subclass's ``clone_table`` (what PPG's clone term compares) and ``clone_kl``."""

    def clone_table(self) -> torch.Tensor:
        raise NotImplementedError

    def clone_kl(self, table: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def kl(self, old: CloneKL) -> torch.Tensor:
        """KL(old || self) per row."""
        return self.clone_kl(old.clone_table())


class PairDist(CloneKL):
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

    def clone_table(self) -> torch.Tensor:
        """What PPG's clone term compares (:meth:`clone_kl`): the ordered-pair log-probs."""
        return self.flat

    def clone_kl(self, table: torch.Tensor) -> torch.Tensor:
        """KL(old || self) per row, ``table`` = the old policy's :meth:`clone_table`."""
        return categorical_kl(table, self.flat)


class TopKDist(CloneKL):
    """The paper's action (§5.2): Gumbel top-2 (top-k, ``k``) of one per-frame categorical;
    the set's log-prob is ``pair_logprob`` (geometric: the paper's; exact: k draws without
    replacement)."""

    def __init__(self, log_probs: torch.Tensor, kind: str, k: int = 2):
        self.lp, self.kind, self.k = log_probs, kind, k

    def log_prob(self, pair: torch.Tensor) -> torch.Tensor:
        return pair_log_prob(self.lp, pair, self.kind)

    def sample(self, generator: torch.Generator | None = None) -> torch.Tensor:
        return sample_pair(self.lp, generator, self.k)

    def greedy(self) -> torch.Tensor:
        return greedy_pair(self.lp, self.k)

    def entropy(self) -> torch.Tensor:
        return categorical_entropy(self.lp)

    def clone_table(self) -> torch.Tensor:
        """The per-frame log-probs, what PPG's clone term compares."""
        return self.lp

    def clone_kl(self, table: torch.Tensor) -> torch.Tensor:
        return categorical_kl(table, self.lp)

    def pair_scores(self) -> torch.Tensor:
        """(N, T, T) log P(i then j) for two draws without replacement (Gumbel top-2)."""
        lp = self.lp
        return lp[:, :, None] + lp[:, None, :] - torch.log1p(-lp.exp().clamp(max=1 - 1e-6))[
            :, :, None]


class SequenceDist(CloneKL):
    """k >= 3 frames picked one at a time by :class:`PairPolicyNet` (§8's future work): the
    log-prob of an ordered k-tuple is exact, the sum of its k conditionals. The joint has
    T^k entries, so :meth:`entropy` is the sum of the k conditional entropies along the path
    of the last :meth:`log_prob` (the chain rule's one-path estimate, unbiased for actions the
    policy drew), and PPG's clone KL sums the k conditional KLs along pi_old's greedy path
    (errata "k > 2 conditioning frames")."""

    def __init__(self, policy: PairPolicyNet, cells: Cells):
        self.policy, self.cells, self.k = policy, cells, policy.frames
        self.path: torch.Tensor | None = None  # conditionals along the last log_prob's frames

    def tables(self, frames: torch.Tensor) -> torch.Tensor:
        """The k conditionals along ``frames`` (N, k): (N, k, T) log-probs."""
        out = [self.cells.first]
        for m in range(1, self.k):
            out.append(self.policy.next_log_probs(self.cells, frames[:, :m]))
        return torch.stack(out, 1)

    def _walk(self, pick) -> torch.Tensor:
        chosen = pick(self.cells.first)[:, None]
        for _ in range(1, self.k):
            nxt = pick(self.policy.next_log_probs(self.cells, chosen))
            chosen = torch.cat([chosen, nxt[:, None]], 1)
        return chosen

    def log_prob(self, frames: torch.Tensor) -> torch.Tensor:
        self.path = self.tables(frames)
        return self.path.gather(-1, frames[..., None]).squeeze(-1).sum(-1)

    def sample(self, generator: torch.Generator | None = None) -> torch.Tensor:
        return self._walk(lambda lp: torch.multinomial(lp.exp(), 1, generator=generator
                                                       ).squeeze(1))

    def greedy(self) -> torch.Tensor:
        """Each frame the most probable given the earlier ones (not the joint's mode)."""
        return self._walk(lambda lp: lp.argmax(-1))

    def entropy(self) -> torch.Tensor:
        if self.path is None:
            raise RuntimeError("a k > 2 action's entropy is read along the frames of the last "
                               "log_prob call: call log_prob first")
        return categorical_entropy(self.path).sum(-1)

    def clone_table(self) -> torch.Tensor:
        """The k conditionals (N, k, T) along the greedy path (its argmax per step)."""
        return self.tables(self.greedy())

    def clone_kl(self, table: torch.Tensor) -> torch.Tensor:
        return categorical_kl(table, self.tables(table.argmax(-1))).sum(-1)


Dist = PairDist | TopKDist | SequenceDist


def action_dist(policy: nn.Module, small: torch.Tensor, target: torch.Tensor,
                temperature: float, kind: str) -> tuple[Dist, torch.Tensor]:
    """The policy's action distribution at states (small, target), and its aux value."""
    if isinstance(policy, PolicyNet):
        out, aux = policy(small, target)
        return TopKDist(candidate_log_probs(out, temperature), kind, policy.frames), aux
    if policy.frames > 2:
        cells = policy.encode(small, target)
        return SequenceDist(policy, cells), cells.aux
    out, aux = policy(small, target)
    return PairDist(out), aux
