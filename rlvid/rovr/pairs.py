"""Conditioning pairs: random, sequential (vid2vid) and labelled (valid / invalid) pairs, and
their k-frame forms (``conditioning_frames``, §8's future work): a state's candidate sets and
their validity (:class:`Choices`), and the best k-set, "nearest among fullest" as the data
set's best pair (:func:`best_sets`); :func:`require_pairs` refuses, for k > 2, the parts of
the kit defined for pairs only."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from rlvid.config.rovr import ROVRConfig
from rlvid.errors import RlvidError

MAX_SETS = 20_000  # k-sets C(T, k) a set table may hold (T = 20: k <= 5)


def require_pairs(rcfg: ROVRConfig, what: str) -> None:
    """Refuse, in one line, a part of the kit defined for the paper's pairs only."""
    if rcfg.conditioning_frames != 2:
        raise RlvidError(f"{what} is not supported for k > 2 conditioning frames "
                         f"(conditioning_frames = {rcfg.conditioning_frames})")


def random_pairs(target: torch.Tensor, num_frames: int,
                 generator: torch.Generator | None = None, k: int = 2) -> torch.Tensor:
    """(N, 2) uniformly random unordered pairs of distinct frames, neither the target; (N, k)
    sets of k frames with ``k``."""
    weights = torch.ones(target.shape[0], num_frames)
    weights[torch.arange(target.shape[0]), target] = 0
    return torch.multinomial(weights, k, replacement=False, generator=generator)


def sequential_pairs(target: torch.Tensor, k: int = 2) -> torch.Tensor:
    """vid2vid's (t-1, t-2), or (t-1, ..., t-k); for t < k the missing ones are the next
    frames (errata)."""
    frames = target[:, None] - torch.arange(1, k + 1, device=target.device)
    return torch.where(frames < 0, frames + k + 1, frames)  # pairs: t=0 -> (2, 1); t=1 -> (0, 2)


# ---------------------------------------------------------------- candidate sets of a state


@dataclass(frozen=True)
class Choices:
    """The candidate conditioning sets of B states: ``sets`` (M, k) frames; ``valid`` (B, M),
    every pixel hidden in the target is visible in one of them; ``usable`` (B, M), k distinct
    frames, none the target, each unordered set once; ``grid``: the sets are the T*T ordered
    pairs (:func:`pair_choices`)."""

    sets: torch.Tensor
    valid: torch.Tensor
    usable: torch.Tensor
    grid: bool = False

    def weights(self, want: bool) -> torch.Tensor:
        """(B, M): 1 for the usable sets whose validity is ``want``, else 0."""
        return ((self.valid == want) & self.usable).float()

    def set_scores(self, frame_scores: torch.Tensor) -> torch.Tensor:
        """Per-frame scores (B, T) -> each set's sum (B, M); on the pair grid as an outer
        sum (the gradients every k = 2 run took)."""
        if self.grid:
            return (frame_scores[:, :, None] + frame_scores[:, None, :]).flatten(1)
        return frame_scores[:, self.sets].sum(-1)


def pair_choices(valid: torch.Tensor, target: torch.Tensor) -> Choices:
    """k = 2 from a data set's pair table ``valid`` (B, T, T): the T*T ordered pairs (flat
    index i * T + j), usable where i < j and neither is the target."""
    b, t, _ = valid.shape
    idx = torch.arange(t)
    sets = torch.stack([idx.repeat_interleave(t), idx.repeat(t)], 1)
    upper = torch.ones(t, t).triu(1).bool()
    not_target = idx[None, :] != target[:, None]
    ok = upper[None] & not_target[:, :, None] & not_target[:, None, :]
    return Choices(sets, valid.reshape(b, t * t), ok.reshape(b, t * t), grid=True)


def set_choices(data: Any, n: torch.Tensor, target: torch.Tensor, k: int) -> Choices:
    """The candidate k-sets of states (video ``n``, ``target``) of a masked set: its pair
    table for k = 2 (:func:`pair_choices`, what every k = 2 run drew from), the k-set table
    (:func:`set_table`) for k > 2."""
    if k == 2:
        return pair_choices(data.valid[n, target], target)
    table = set_table(data, k)
    usable = ~(table.sets[None] == target[:, None, None]).any(-1)
    return Choices(table.sets, (table.coverage[n, target] >= 1) & usable, usable)


def sample_labelled(choices: Choices, positive: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Sample one valid (positive) or invalid (negative) set per state; rows without one are
    dropped. Returns (rows (B',), sets (B', k))."""
    weights = choices.weights(positive)
    rows = torch.nonzero(weights.sum(1) > 0).squeeze(1)
    flat = torch.multinomial(weights[rows], 1).squeeze(1)
    return rows, choices.sets[flat]


def sets_valid(data: Any, n: torch.Tensor, target: torch.Tensor, sets: torch.Tensor
               ) -> torch.Tensor:
    """(M,) bool: does set ``sets[i]`` (k frames) restore state (``n[i]``, ``target[i]``)?
    k distinct frames, none the target, every pixel hidden in the target visible in one of
    them (exact, on the pixel masks; for k = 2 the data set's ``valid``)."""
    left = data.masks[n, target]
    for c in range(sets.shape[1]):
        left = left & data.masks[n, sets[:, c]]
    k = sets.shape[1]
    distinct = (sets[:, :, None] == sets[:, None, :]).sum((1, 2)) == k
    return ~left.flatten(1).any(1) & distinct & (sets != target[:, None]).all(1)


# ---------------------------------------------------------------- k-set tables


def set_coverage(masks: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Every k-set of frames ``sets`` (S, k), in lexicographic order, and its ``coverage``
    (T, S) for each target t: the share of t's hidden pixels visible in at least one of its
    frames (1 where t hides nothing), exact on pixels as
    :func:`rlvid.data.masked.pair_coverage` is for pairs. ``masks``: (T, H, W) bool."""
    frames = masks.shape[0]
    if math.comb(frames, k) > MAX_SETS:
        raise RlvidError(f"k = {k} conditioning frames of T = {frames} give C(T, k) = "
                         f"{math.comb(frames, k)} candidate sets: more than {MAX_SETS} is "
                         "not supported")
    flat = masks.reshape(frames, -1)
    # pixels hidden in the same frames count together (a few patterns for box masks)
    patterns, counts = np.unique(np.packbits(flat, axis=0), axis=1, return_counts=True)
    hidden = np.unpackbits(patterns, axis=0, count=frames).astype(bool)  # (T, U)
    sets = np.array(list(itertools.combinations(range(frames), k)))
    in_all = hidden[sets[:, 0]]
    for c in range(1, k):
        in_all = in_all & hidden[sets[:, c]]  # (S, U) hidden in every frame of the set
    still = (hidden * counts) @ in_all.T.astype(np.int64)  # (T, S) pixels still hidden
    total = flat.sum(axis=1, dtype=np.int64)
    coverage = np.where(total[:, None] > 0, 1.0 - still / np.maximum(total, 1)[:, None], 1.0)
    return sets, coverage.astype(np.float32)


@dataclass
class SetTable:
    """Every k-set ``sets`` (S, k) and its ``coverage`` (N, T, S) for each (video, target)."""

    sets: torch.Tensor
    coverage: torch.Tensor
    masks: torch.Tensor  # the data set's masks (identity check of the memo)


_TABLES: dict[tuple[int, int], SetTable] = {}


def set_table(data: Any, k: int) -> SetTable:
    """The (memoised per data set) :class:`SetTable` of a masked set's k-sets."""
    key = (id(data.masks), k)
    if key not in _TABLES or _TABLES[key].masks is not data.masks:
        parts = [set_coverage(m, k) for m in data.masks[:, :, 0].numpy()]
        if len(_TABLES) >= 4:  # a few data sets at a time (train, test)
            _TABLES.pop(next(iter(_TABLES)))
        _TABLES[key] = SetTable(torch.from_numpy(parts[0][0]),
                                torch.from_numpy(np.stack([c for _, c in parts])), data.masks)
    return _TABLES[key]


def nearest_fullest(sets: torch.Tensor, coverage: torch.Tensor) -> torch.Tensor:
    """(N, T, k) best set per (video, target) from a :class:`SetTable`'s ``sets`` and
    ``coverage``: among the sets without the target of highest coverage the nearest in
    time (least sum |i - t|), then the first in lexicographic order (the rule of
    :func:`rlvid.data.masked.best_and_worst_pairs`)."""
    target = torch.arange(coverage.shape[1])
    usable = ~(sets[None] == target[:, None, None]).any(-1)  # (T, S)
    score = coverage.masked_fill(~usable, -1.0)
    top = score == score.amax(-1, keepdim=True)
    distance = (sets[None] - target[:, None, None]).abs().sum(-1)  # (T, S)
    key = torch.where(top, distance, torch.iinfo(distance.dtype).max)
    return sets[key.argmin(-1)]


def best_sets(data: Any, k: int) -> torch.Tensor:
    """The oracle's conditioning frames (N, T, k) for every (video, target) of a masked set:
    its best pair for k = 2, the best k-set by the same rule for k > 2
    (:func:`nearest_fullest`)."""
    if k == 2:
        return data.best_pair
    table = set_table(data, k)
    return nearest_fullest(table.sets, table.coverage)
