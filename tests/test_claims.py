"""Claim verdicts are computed from the tables, and follow the stated rules."""

from __future__ import annotations

from pathlib import Path

from rlvid.claims import (
    CLAIMS,
    NO_RESULT,
    NOT_COMPARABLE,
    NOT_REPRODUCED,
    REPRODUCED,
    evaluate_claims,
)
from rlvid.config import load_config
from rlvid.results import write_table


def _rows(method: str, values: list[float], **fixed: float) -> list[dict]:
    return [{"method": method, "seed": s, "ssim": v, "ewarp": 0.01, "bg_acc": v,
             "bg_acc_first_half": 1.0, "bg_acc_second_half": v, **fixed}
            for s, v in enumerate(values)]


def _verdicts(tmp_path: Path) -> dict[str, str]:
    return {f"{r['where']}|{r['claim'][:30]}": r["verdict"] for r in evaluate_claims(tmp_path)}


def test_missing_tables_give_no_result(tmp_path: Path) -> None:
    rows = evaluate_claims(tmp_path)
    assert len(rows) == len(CLAIMS)
    assert {r["verdict"] for r in rows} == {NO_RESULT, NOT_COMPARABLE}


def test_verdicts_follow_the_seed_spread(tmp_path: Path) -> None:
    cfg = load_config("smoke")
    rows = (_rows("rlv2v", [0.90, 0.92, 0.94]) + _rows("pretrain_only", [0.91, 0.93, 0.95])
            + _rows("recycle", [0.50, 0.52, 0.54]) + _rows("cyclegan", [0.50, 0.50, 0.50]))
    write_table("synthetic", rows, cfg, directory=tmp_path)
    by_where = {r["where"]: r for r in evaluate_claims(tmp_path)}
    assert by_where["§1, Figure 1"]["verdict"] == REPRODUCED  # 0.92 vs 0.50, spread 0.02
    assert by_where["§2, §6"]["verdict"] == REPRODUCED  # ssim 0.92 vs 0.52
    assert by_where["§3.3, §5 (Algorithm 1)"]["verdict"] == NOT_REPRODUCED  # behind pretrain
    assert by_where["Abstract, §6"]["verdict"] == NOT_REPRODUCED  # equal E_warp
    assert "0.920 ± 0.020" in by_where["§1, Figure 1"]["ours"]


def test_one_seed_is_not_enough_to_compare_methods(tmp_path: Path) -> None:
    cfg = load_config("smoke")
    rows = _rows("rlv2v", [0.9]) + _rows("cyclegan", [0.5])
    write_table("synthetic", rows, cfg, directory=tmp_path)
    by_where = {r["where"]: r for r in evaluate_claims(tmp_path)}
    assert by_where["§1, Figure 1"]["verdict"] == NOT_COMPARABLE


def test_rovr_table1_order(tmp_path: Path) -> None:
    cfg = load_config("smoke")
    rows = [{"conditioning": c, "seed": s, "mse": m + 0.001 * s}
            for s in range(3) for c, m in (("best", 0.01), ("random", 0.02), ("worst", 0.03))]
    write_table("rovr_table1", rows, cfg, directory=tmp_path)
    t1 = next(r for r in evaluate_claims(tmp_path) if r["where"] == "§7.1, Table 1")
    assert t1["verdict"] == REPRODUCED
    rows = [dict(r, mse=0.05) if r["conditioning"] == "best" else r for r in rows]
    write_table("rovr_table1", rows, cfg, directory=tmp_path)
    t1 = next(r for r in evaluate_claims(tmp_path) if r["where"] == "§7.1, Table 1")
    assert t1["verdict"] == NOT_REPRODUCED


def test_flower_claim_is_judged_against_the_twin(tmp_path: Path) -> None:
    cfg = load_config("smoke")
    rows = [{"method": "rlv2v", "seed": s, "edge_ssim": 0.30, "target_share": 0.9,
             "mask_iou": 0.7} for s in range(3)]
    twin = {"method": "twin (target truth)", "seed": "-", "edge_ssim": 0.35, "mask_iou": 0.98}
    write_table("flower", rows + [twin], cfg, directory=tmp_path)
    claim = next(r for r in evaluate_claims(tmp_path) if r["where"] == "§6.1, Table 3")
    assert claim["verdict"] == REPRODUCED  # 0.30 >= 0.8 * 0.35
    rows = [dict(r, mask_iou=0.2) for r in rows]
    write_table("flower", rows + [twin], cfg, directory=tmp_path)
    claim = next(r for r in evaluate_claims(tmp_path) if r["where"] == "§6.1, Table 3")
    assert claim["verdict"] == NOT_REPRODUCED and "content" in claim["reason"]


def test_only_the_claims_of_a_table(tmp_path: Path) -> None:
    rows = evaluate_claims(tmp_path, only=["synthetic"])
    assert rows and all(r["paper"] == "RL-V2V-GAN" for r in rows)
    assert len(rows) == sum("synthetic" in c.tables for c in CLAIMS)
    assert evaluate_claims(tmp_path, only=["nothing"]) == []
