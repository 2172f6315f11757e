"""Paired effects, confidence intervals and the five verdicts, on data with known answers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rlvid.claims.evidence import (
    INCONCLUSIVE,
    NOT_COMPARABLE,
    NOT_TESTED,
    REFUTED,
    REPRODUCED,
    PhaseMovement,
    paired_effect,
    seeds_to_resolve,
    verdict,
)
from rlvid.errors import RlvidError
from rlvid.results import relative_change

SEEDS = range(6)


def _arms(shift: float, noise: float, seed: int = 0) -> tuple[dict[int, float], dict[int, float]]:
    """A = B + shift + noise, seed by seed; B varies a lot between seeds (pairing removes it)."""
    rng = np.random.default_rng(seed)
    b = {s: float(rng.normal(0, 5)) for s in SEEDS}
    a = {s: b[s] + shift + float(rng.normal(0, noise)) for s in SEEDS}
    return a, b


@pytest.mark.parametrize("ci_method", ["t", "bootstrap"])
def test_a_clear_effect_is_reproduced(ci_method: str) -> None:
    a, b = _arms(1.0, 0.1)
    effect = paired_effect(a, b, higher_is_better=True, ci_method=ci_method)
    assert effect.n_seeds == 6 and effect.wins == 6
    assert effect.ci95[0] > 0.8 and effect.ci95[1] < 1.2
    assert verdict(effect)[0] == REPRODUCED


def test_a_reversed_effect_is_refuted() -> None:
    a, b = _arms(-1.0, 0.1)
    effect = paired_effect(a, b, higher_is_better=True)
    assert effect.wins == 0
    assert verdict(effect)[0] == REFUTED


def test_lower_is_better_flips_the_sign() -> None:
    a, b = _arms(-1.0, 0.1)  # A has the lower loss
    assert verdict(paired_effect(a, b, higher_is_better=False))[0] == REPRODUCED


def test_an_effect_far_below_the_papers_is_refuted() -> None:
    a, b = _arms(0.1, 0.01)
    effect = paired_effect(a, b, higher_is_better=True)
    assert verdict(effect)[0] == REPRODUCED
    label, reason = verdict(effect, paper_effect=1.0)
    assert label == REFUTED and "paper's effect" in reason


def test_noise_around_zero_is_inconclusive_and_says_how_many_seeds() -> None:
    a, b = _arms(0.0, 1.0, seed=3)
    effect = paired_effect(a, b, higher_is_better=True)
    assert effect.ci95[0] < 0 < effect.ci95[1]
    label, reason = verdict(effect)
    assert label == INCONCLUSIVE and "seeds" in reason
    need = seeds_to_resolve(effect)
    assert need is None or need > effect.n_seeds


def test_seeds_to_resolve_matches_a_hand_computed_case() -> None:
    # differences 3, -1, 1, 1: mean 1, sd 1.633; t_{0.975, n-1} * sd / sqrt(n) < 1 first at n = 13
    effect = paired_effect({0: 3.0, 1: -1.0, 2: 1.0, 3: 1.0}, {s: 0.0 for s in range(4)}, True)
    assert effect.effect == pytest.approx(1.0)
    assert effect.spread == pytest.approx(np.std([3, -1, 1, 1], ddof=1))
    assert seeds_to_resolve(effect) == 13  # 2.179 * 1.633 / sqrt(13) = 0.987; n = 12: 1.037


def test_a_phase_that_did_not_move_is_not_tested_whatever_the_metric() -> None:
    a, b = _arms(1.0, 0.1)
    effect = paired_effect(a, b, higher_is_better=True)
    still = PhaseMovement(updates=20, param_change=0.0026, min_updates=1000)
    label, reason = verdict(effect, phase=still)
    assert label == NOT_TESTED and "20 updates" in reason
    moved = PhaseMovement(updates=1200, param_change=0.05, min_updates=1000)
    assert verdict(effect, phase=moved)[0] == REPRODUCED


def test_not_comparable_carries_its_reason() -> None:
    assert verdict(None, not_comparable="proprietary data") == (NOT_COMPARABLE,
                                                               "proprietary data")


def test_pairing_refuses_seeds_that_do_not_match() -> None:
    with pytest.raises(RlvidError, match="unpaired seeds"):
        paired_effect({0: 1.0, 1: 2.0}, {0: 1.0, 2: 2.0}, higher_is_better=True)
    with pytest.raises(RlvidError, match="at least 2 seeds"):
        paired_effect({0: 1.0}, {0: 0.0}, higher_is_better=True)


@pytest.mark.parametrize(("ci_method", "draws"), [("t", 400), ("bootstrap", 120)])
def test_the_ci_covers_a_known_mean_at_about_its_nominal_rate(ci_method: str,
                                                              draws: int) -> None:
    rng = np.random.default_rng(1)
    covered = 0
    for k in range(draws):
        diff = rng.normal(0.5, 1.0, size=10)
        effect = paired_effect(dict(enumerate(diff)), dict.fromkeys(range(10), 0.0), True,
                               ci_method=ci_method, seed=k)
        covered += effect.ci95[0] <= 0.5 <= effect.ci95[1]
    rate = covered / draws
    # t: exact 0.95 (binomial sd 0.011 at 400 draws); BCa with 10 seeds runs a little narrow
    low = 0.91 if ci_method == "t" else 0.84
    assert low <= rate <= 0.99, rate


def test_relative_change_of_a_known_step() -> None:
    before = {"w": torch.tensor([3.0, 4.0]), "steps": torch.tensor(7)}
    after = {"w": torch.tensor([3.0, 4.5]), "steps": torch.tensor(9)}
    assert relative_change(before, after) == pytest.approx(0.5 / 5.0)
    with pytest.raises(RlvidError):
        relative_change({"w": torch.zeros(2)}, {"w": torch.ones(2)})
