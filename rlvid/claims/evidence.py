"""Paired evidence for a claim: effect, 95% CI, wins, and one of five verdicts.

A claim compares method A with method B (or a phase on vs off) on one metric, seed by seed.
Seeds pair the arms: the same data seed and, where the arms share networks, the same initial
weights, so the effect is the mean of the per-seed differences A − B, signed so that a
positive effect is what the paper claims. The verdicts:

- ``reproduced``: the CI excludes 0 in the paper's direction;
- ``refuted``: the CI excludes 0 the other way, or excludes the paper's own effect size;
- ``inconclusive``: the CI spans 0 (with the seeds that would resolve it at this spread);
- ``not tested``: the phase under test did not move, or the winning arm does not beat the
  best trivial row (:mod:`rlvid.claims.judge`), so the comparison is void;
- ``not comparable``: the claim cannot be measured here at all, with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rlvid.errors import RlvidError
from rlvid.results import t_interval

REPRODUCED = "reproduced"
REFUTED = "refuted"
INCONCLUSIVE = "inconclusive"
NOT_TESTED = "not tested"
NOT_COMPARABLE = "not comparable"
VERDICTS = (REPRODUCED, REFUTED, INCONCLUSIVE, NOT_TESTED, NOT_COMPARABLE)
CI_METHODS = ("t", "bootstrap")


@dataclass(frozen=True)
class Effect:
    """Mean paired difference (positive = the paper's direction) and its 95% CI."""

    effect: float
    ci95: tuple[float, float]
    n_seeds: int
    wins: int  # seeds on which the difference is in the paper's direction
    ci_method: str  # "t" (Student-t over seeds) or "bootstrap" (BCa over seeds)
    spread: float  # sample std of the per-seed differences


@dataclass(frozen=True)
class PhaseMovement:
    """What the phase under test did, and the claim's threshold for 'it moved'."""

    updates: int
    param_change: float  # relative ‖Δθ‖ / ‖θ‖ of the phase's trained networks
    min_updates: int = 1
    min_param_change: float = 1e-2

    @property
    def moved(self) -> bool:
        return self.updates >= self.min_updates and self.param_change >= self.min_param_change

    def describe(self) -> str:
        """What fell short first, then what passed."""
        updates = f"{self.updates} updates"
        change = f"‖Δθ‖/‖θ‖ = {self.param_change:.3g}"
        short, ok = [], []
        (short if self.updates < self.min_updates else ok).append(
            f"{updates} (needs {self.min_updates})" if self.updates < self.min_updates
            else updates)
        (short if self.param_change < self.min_param_change else ok).append(
            f"{change} (needs {self.min_param_change:.3g})"
            if self.param_change < self.min_param_change else change)
        text = "too few: " + ", ".join(short) if short else "moved: " + ", ".join(ok)
        return text + (f"; met: {', '.join(ok)}" if short and ok else "")


def paired_differences(a: Mapping[int, float], b: Mapping[int, float],
                       higher_is_better: bool) -> tuple[list[int], np.ndarray]:
    """Seeds and per-seed A − B (negated when lower is better); refuses unmatched seeds."""
    if set(a) != set(b):
        raise RlvidError(f"unpaired seeds: only in A {sorted(set(a) - set(b))}, "
                         f"only in B {sorted(set(b) - set(a))}")
    seeds = sorted(a)
    diff = np.array([float(a[s]) - float(b[s]) for s in seeds])
    if not np.all(np.isfinite(diff)):
        bad = [s for s, d in zip(seeds, diff) if not np.isfinite(d)]
        raise RlvidError(f"non-finite metric on seeds {bad}")
    return seeds, diff if higher_is_better else -diff


def paired_effect(a: Mapping[int, float], b: Mapping[int, float], higher_is_better: bool,
                  ci_method: str = "t", seed: int = 0) -> Effect:
    """The paired effect of A over B with a 95% CI (Student-t, or BCa bootstrap over seeds)."""
    if ci_method not in CI_METHODS:
        raise RlvidError(f"ci_method must be one of {CI_METHODS}, got {ci_method!r}")
    _, diff = paired_differences(a, b, higher_is_better)
    if diff.size < 2:
        raise RlvidError(f"a paired CI needs at least 2 seeds, got {diff.size}")
    mean = float(diff.mean())
    spread = float(diff.std(ddof=1))
    if ci_method == "t":
        _, half = t_interval(diff)
        lo, hi = mean - half, mean + half
    elif spread == 0:
        lo = hi = mean  # every resample is the same: the bootstrap CI is a point
    else:
        from scipy import stats

        res = stats.bootstrap((diff,), np.mean, confidence_level=0.95, n_resamples=4999,
                              method="BCa", random_state=np.random.default_rng(seed))
        lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return Effect(mean, (lo, hi), int(diff.size), int((diff > 0).sum()), ci_method, spread)


def seeds_to_resolve(effect: Effect, cap: int = 1000) -> int | None:
    """Seeds at which a t-interval of this spread would exclude 0 for this mean effect."""
    from scipy import stats

    if effect.effect == 0 or not math.isfinite(effect.spread):
        return None
    for n in range(max(effect.n_seeds, 2), cap + 1):
        if stats.t.ppf(0.975, n - 1) * effect.spread / math.sqrt(n) < abs(effect.effect):
            return n
    return None


def verdict(effect: Effect | None, paper_effect: float | None = None,
            phase: PhaseMovement | None = None, not_comparable: str | None = None
            ) -> tuple[str, str]:
    """One of :data:`VERDICTS` and its reason, in the order: comparable, moved, CI."""
    if not_comparable:
        return NOT_COMPARABLE, not_comparable
    if phase is not None and not phase.moved:
        return NOT_TESTED, f"the phase under test did not move: {phase.describe()}"
    if effect is None:
        raise RlvidError("a verdict on a comparable, moved claim needs an effect")
    lo, hi = effect.ci95
    ci = f"effect {effect.effect:.3g}, 95% CI [{lo:.3g}, {hi:.3g}] ({effect.ci_method})"
    wins = f"{effect.wins} of {effect.n_seeds} seeds favour the claim"
    if hi < 0:
        return REFUTED, f"{ci} excludes 0 the other way; {wins}"
    if paper_effect is not None and paper_effect > 0 and hi < paper_effect:
        return REFUTED, f"{ci} excludes the paper's effect {paper_effect:.3g}; {wins}"
    if lo > 0:
        far = "" if paper_effect is None else f"; the paper's effect is {paper_effect:.3g}"
        return REPRODUCED, f"{ci} excludes 0 in the paper's direction; {wins}{far}"
    need = seeds_to_resolve(effect)
    more = f"about {need} seeds would resolve it at this spread" if need else \
        "no practical number of seeds would resolve it at this spread"
    return INCONCLUSIVE, f"{ci} spans 0; {wins}; {more}"
