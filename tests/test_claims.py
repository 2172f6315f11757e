"""Claims are judged from per-seed rows with paired evidence, and give known verdicts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rlvid.claims.judge import (
    CLAIM_KEYS,
    all_claims,
    evaluate_claims,
    judge,
    load_claims,
    write_claims,
)
from rlvid.claims.spec import BEST_TRIVIAL, ClaimSpec
from rlvid.config import load_config
from rlvid.errors import RlvidError
from rlvid.results import BASELINE, TRIVIAL, add_budget_ratios, row_kind, write_table

SPEC = ClaimSpec("T1", "P", "§1", "A beats B.", "qualitative", "toy", "acc", True, "a", "b")


def _rows(method: str, values: list[float], **fixed: float) -> list[dict]:
    return [{"method": method, "seed": s, "acc": v, "flops": 100.0, **fixed}
            for s, v in enumerate(values)]


def _tables(rows: list[dict]) -> dict:
    return {"toy": {"name": "toy", "rows": rows}}


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


def _ref(name: str, kind: str, acc: float) -> dict:
    return {"method": name, "seed": "-", "kind": kind, "acc": acc}


def test_a_trivial_row_between_the_arms_does_not_stop_the_verdict() -> None:
    rows = _rows("a", [v + 0.2 for v in BASE]) + _rows("b", BASE) + \
        [_ref("flat", TRIVIAL, 0.6)]  # above b (0.5), below the winner a (0.7)
    e = judge(SPEC, _tables(rows))
    assert e["verdict"] == "reproduced"
    assert "only a beats the best trivial row, flat (0.6)" in e["reason"]


def test_a_winner_below_a_trivial_row_is_not_tested_the_task_was_not_learned() -> None:
    rows = _rows("a", [v + 0.2 for v in BASE]) + _rows("b", BASE) + \
        [_ref("flat", TRIVIAL, 0.9), _ref("identity", TRIVIAL, 0.8)]
    e = judge(SPEC, _tables(rows))
    assert e["verdict"] == "not tested"
    assert e["reason"].startswith("the task was not learned at this scale")
    assert "the best trivial row, flat (0.9)" in e["reason"]
    assert e["effect"] is None  # no effect is reported for a task not learned


def test_the_shared_start_is_counted_against_the_best_trivial_row() -> None:
    """V3's arms branch from one pretrained model per seed: the reason says on how many
    seeds that model beats the best trivial row (here 2 of 3: 0.5 and 0.7 beat flat's 0.3,
    0.1 does not)."""
    spec = ClaimSpec("T2", "P", "§1", "RL helps.", "qualitative", "toy", "acc", True, "a", "b",
                     start="pre")
    rows = _rows("a", [0.9, 0.8, 0.85]) + _rows("b", [0.6, 0.5, 0.55]) + \
        _rows("pre", [0.5, 0.1, 0.7]) + [_ref("flat", TRIVIAL, 0.3)]
    e = judge(spec, _tables(rows))
    assert (e["start_above_floor"], e["start_seeds"]) == (2, 3)
    assert "2 of 3 seeds' pre (the arms' common start) beat the best trivial row" in e["reason"]


def test_a_tie_with_the_best_trivial_row_is_not_a_win() -> None:
    rows = _rows("a", [0.5] * 5) + _rows("b", [0.0] * 5) + [_ref("flat", TRIVIAL, 0.5)]
    assert judge(SPEC, _tables(rows))["verdict"] == "not tested"


def test_a_baseline_above_both_arms_changes_nothing_and_is_named() -> None:
    rows = _rows("a", [v + 0.2 for v in BASE]) + _rows("b", BASE)
    plain = judge(SPEC, _tables(rows))
    strong = [dict(r, method="copy", acc=r["acc"] + 0.5) for r in _rows("b", BASE)]
    e = judge(SPEC, _tables(rows + [dict(r, kind=BASELINE) for r in strong]))
    assert (e["verdict"], e["effect"], e["ci95"]) == (plain["verdict"], plain["effect"],
                                                      plain["ci95"])
    assert "neither arm beats the best baseline, copy (1)" in e["reason"]
    assert "a is 0.3 acc worse (95% CI of the gain [-0.3, -0.3])" in e["reason"]


def test_a_deterministic_baseline_is_compared_on_every_seed() -> None:
    rows = _rows("a", [v + 0.2 for v in BASE]) + _rows("b", BASE) + \
        [_ref("OpenCV Telea", BASELINE, 0.65)]
    e = judge(SPEC, _tables(rows))
    assert e["verdict"] == "reproduced"
    assert "only a beats the best baseline, OpenCV Telea (0.65)" in e["reason"]


def test_a_claim_against_the_best_trivial_row_and_a_metric_floor() -> None:
    spec = ClaimSpec("T4", "P", "§1", "A learns.", "-", "toy", "gated_acc", True, "a",
                     BEST_TRIVIAL)
    rows = [{"method": "a", "seed": s, "gated_acc": v} for s, v in enumerate([0.1, 0.2, 0.15])]
    e = judge(spec, _tables(rows))  # no trivial row: the metric's construction floor, 0
    assert e["verdict"] == "reproduced" and e["effect"] == pytest.approx(0.15)
    assert "floor" in e["control_row"]
    rows.append({"method": "unrelated Y video", "seed": "-", "kind": TRIVIAL,
                 "gated_acc": 0.3})
    e = judge(spec, _tables(rows))
    assert e["verdict"] == "refuted" and e["control_row"] == "unrelated Y video"


def test_row_kinds_come_from_one_registry() -> None:
    # copy-nearest does the task: a baseline, whatever an old table called it
    assert row_kind({"policy": "copy_nearest", "kind": "content-free"}, "policy") == BASELINE
    assert row_kind({"method": "flat", "kind": "content-free"}, "method") == TRIVIAL
    assert row_kind({"policy": "oracle:tuned", "seed": 0}, "policy") == "upper bound"
    assert row_kind({"method": "rlv2v", "seed": 0}, "method") is None


def test_v11_alone_is_not_comparable() -> None:
    not_comparable = [c.id for c in all_claims() if c.not_comparable]
    assert not_comparable == ["V11"]
    v11 = next(c for c in all_claims() if c.id == "V11")
    assert judge(v11, {})["verdict"] == "not comparable"


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
