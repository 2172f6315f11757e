"""Claims are judged from per-seed rows with paired evidence, and give known verdicts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rlvid.claims import (
    CLAIM_KEYS,
    all_claims,
    evaluate_claims,
    judge,
    load_claims,
    write_claims,
)
from rlvid.config import load_config
from rlvid.errors import RlvidError
from rlvid.results import (
    CONTENT_FREE,
    ClaimSpec,
    add_budget_ratios,
    gameable_metrics,
    write_table,
)

SPEC = ClaimSpec("T1", "P", "§1", "A beats B.", "qualitative", "toy", "acc", True, "a", "b")


def _rows(method: str, values: list[float], **fixed: float) -> list[dict]:
    return [{"method": method, "seed": s, "acc": v, "flops": 100.0, **fixed}
            for s, v in enumerate(values)]


def _tables(rows: list[dict], gameable: dict | None = None) -> dict:
    return {"toy": {"name": "toy", "rows": rows, "gameable": gameable or {}}}


RNG = np.random.default_rng(0)
BASE = list(RNG.normal(0.5, 0.05, 6))


def test_a_clear_effect_is_reproduced() -> None:
    e = judge(SPEC, _tables(_rows("a", [v + 0.2 for v in BASE]) + _rows("b", BASE)))
    assert e["verdict"] == "reproduced"
    assert e["effect"] == pytest.approx(0.2)
    assert e["n_seeds"] == 6 and e["wins"] == 6
    assert e["ci95"][0] > 0


def test_a_reversed_effect_is_refuted() -> None:
    e = judge(SPEC, _tables(_rows("a", [v - 0.2 for v in BASE]) + _rows("b", BASE)))
    assert e["verdict"] == "refuted" and e["ci95"][1] < 0 and e["wins"] == 0


def test_noise_around_zero_is_inconclusive() -> None:
    noise = [0.01, -0.02, 0.015, -0.01, 0.005, -0.004]
    e = judge(SPEC, _tables(_rows("a", [v + d for v, d in zip(BASE, noise)]) + _rows("b", BASE)))
    assert e["verdict"] == "inconclusive"
    assert e["ci95"][0] < 0 < e["ci95"][1]
    assert "seeds would resolve it" in e["reason"]


def test_lower_is_better_flips_the_sign() -> None:
    spec = ClaimSpec("T2", "P", "§1", "A has less error.", "-", "toy", "acc", False, "a", "b")
    e = judge(spec, _tables(_rows("a", [v - 0.2 for v in BASE]) + _rows("b", BASE)))
    assert e["verdict"] == "reproduced" and e["effect"] == pytest.approx(0.2)


def test_a_phase_that_did_not_move_is_not_tested_whatever_the_metric() -> None:
    spec = ClaimSpec("T3", "P", "§1", "Phase helps.", "-", "toy", "acc", True, "a", "b",
                     phase="rl", min_updates=1000, min_param_change=1e-2)
    better = [v + 0.3 for v in BASE]
    still = _rows("a", better, param_change=0.0026, phase_updates=20) + _rows("b", BASE)
    assert judge(spec, _tables(still))["verdict"] == "not tested"
    few = _rows("a", better, param_change=0.2, phase_updates=20) + _rows("b", BASE)
    assert judge(spec, _tables(few))["verdict"] == "not tested"
    moved = _rows("a", better, param_change=0.2, phase_updates=1200) + _rows("b", BASE)
    e = judge(spec, _tables(moved))
    assert e["verdict"] == "reproduced" and e["phase_updates"] == 1200


def test_a_metric_a_content_free_row_wins_decides_nothing() -> None:
    flat = {"method": "flat", "seed": "-", "kind": CONTENT_FREE, "acc": 0.99}
    rows = _rows("a", [v + 0.2 for v in BASE]) + _rows("b", BASE) + [flat]
    e = judge(SPEC, _tables(rows))
    assert e["verdict"] == "not comparable" and "gameable" in e["reason"]
    flat["acc"] = 0.01  # now every arm beats it
    assert judge(SPEC, _tables(rows))["verdict"] == "reproduced"


def test_gameable_metrics_flags_only_the_metrics_a_content_free_row_wins() -> None:
    rows = (_rows("a", [0.5, 0.6], err=0.2) +
            [{"method": "flat", "seed": "-", "kind": CONTENT_FREE, "acc": 0.55, "err": 0.3},
             {"method": "twin", "seed": "-", "kind": "upper bound", "acc": 1.0, "err": 0.0}])
    flags = gameable_metrics(rows, "method", {"acc": True, "err": False}, ["a"])
    assert set(flags) == {"acc"} and "'flat'" in flags["acc"]


def test_a_tie_at_the_worst_score_is_not_a_win_but_a_tie_above_it_is() -> None:
    floor = _rows("a", [0.0, 0.0]) + _rows("b", [0.4, 0.6]) + \
        [{"method": "flat", "seed": "-", "kind": CONTENT_FREE, "acc": 0.0}]
    assert gameable_metrics(floor, "method", {"acc": True}, ["a", "b"]) == {}
    floor[-1]["acc"] = 0.5  # ties b's mean, above the floor
    assert "'flat'" in gameable_metrics(floor, "method", {"acc": True}, ["a", "b"])["acc"]


def test_unpaired_seeds_are_refused() -> None:
    rows = _rows("a", BASE) + _rows("b", BASE[:4])
    with pytest.raises(RlvidError, match="unpaired seeds"):
        judge(SPEC, _tables(rows))


def test_compute_ratio_and_budget_ratios() -> None:
    rows = _rows("a", BASE) + [dict(r, flops=110.0) for r in _rows("b", BASE)]
    assert judge(SPEC, _tables(rows))["compute_ratio"] == pytest.approx(1.1)
    ratios = {(r["method"], r["seed"]): r.get("budget_ratio")
              for r in add_budget_ratios(rows, "a")}
    assert ratios[("b", 3)] == pytest.approx(1.1) and ratios[("a", 3)] is None


def test_missing_table_or_arm_is_not_tested() -> None:
    assert judge(SPEC, {})["verdict"] == "not tested"
    assert judge(SPEC, _tables(_rows("a", BASE)))["verdict"] == "not tested"


def test_scaling_claim_reads_the_exponent_cis() -> None:
    spec = next(c for c in all_claims() if c.kind == "exponent")

    def table(lo: float, hi: float, c_lo: float = 1.6, c_hi: float = 1.9) -> dict:
        rows = [{"selector": name, "exponent": (a + b) / 2, "exponent_ci95": [a, b],
                 "repeats": 2} for name, a, b in ((spec.method, lo, hi),
                                                 (spec.control, c_lo, c_hi))]
        return {spec.table: {"rows": rows}}
    assert judge(spec, table(1.0, 1.1))["verdict"] == "reproduced"
    assert judge(spec, table(1.0, 1.1))["effect"] == pytest.approx(0.95)
    assert judge(spec, table(2.1, 2.3))["verdict"] == "refuted"
    assert judge(spec, table(1.5, 1.7))["verdict"] == "inconclusive"  # CIs overlap
    assert judge(spec, table(1.5, 1.7, 1.0, 1.2))["verdict"] == "refuted"  # control slower
    assert judge(spec, table(1.7, 2.2))["verdict"] == "inconclusive"


def test_claims_json_has_every_key_and_one_of_five_verdicts(tmp_path: Path) -> None:
    cfg = load_config("smoke")
    write_table("toy", _rows("a", [v + 0.2 for v in BASE]) + _rows("b", BASE), cfg,
                directory=tmp_path)
    path = write_claims(tmp_path)
    claims = load_claims(path)
    assert len(claims) == len(all_claims())
    assert all(set(CLAIM_KEYS) <= set(c) for c in claims)
    assert {c["verdict"] for c in claims} <= {"reproduced", "refuted", "inconclusive",
                                             "not tested", "not comparable"}
    toy = evaluate_claims(tmp_path, claims=[SPEC])
    assert toy[0]["verdict"] == "reproduced" and toy[0]["profile"] == "smoke"


def test_claim_ids_are_unique() -> None:
    ids = [c.id for c in all_claims()]
    assert len(ids) == len(set(ids))
