"""Learning curves (issue 22): a curve resumed point after point ends where one straight run
ends, and the budget rule reads a curve as stated."""

import pytest
import torch

from rlvid.config import load_config
from rlvid.data import load_v2v_dataset
from rlvid.v2v.curves import curve_overrides, first_step_beating, learning_curve
from rlvid.v2v.evaluate import evaluate_translation, translate_video
from rlvid.v2v.train import fit, load_translator


def test_curve_last_point_is_the_straight_run(tmp_path):
    cfg = load_config("smoke", {"seeds": [0], **curve_overrides("pretrain_only", 4)})
    data = load_v2v_dataset("synthetic", cfg.data, seed=0)

    def evaluate(out):
        return evaluate_translation(out, data, perceptual=None)

    rows = learning_curve(cfg, "pretrain_only", data, "synthetic", evaluate,
                          tmp_path / "curve", [1, 2, 4])
    assert [r["step"] for r in rows] == [1, 2, 4]
    assert rows[0]["flops"] < rows[1]["flops"] < rows[2]["flops"]
    straight = fit(cfg, "pretrain_only", 0, tmp_path / "straight", data=data, progress=False)
    assert straight.step == 4
    net = load_translator(straight.run_dir / "model.pt")[0]
    once = evaluate(translate_video(net, data.x_test))
    # resumed three times = trained once (the snapshot's BN pass differs in the last bits)
    assert rows[-1]["psnr"] == pytest.approx(once["psnr"], rel=1e-6)
    assert rows[-1]["gated_acc"] == once["gated_acc"]
    curve_net = load_translator(tmp_path / "curve" / "model.pt")[0]
    for a, b in zip(net.state_dict().values(), curve_net.state_dict().values()):
        assert torch.equal(a, b)


def test_first_step_beating():
    rows = [{"step": s, "m": v} for s, v in ((10, 0.0), (20, 0.3), (30, 0.1), (40, 0.4),
                                              (50, 0.5))]
    assert first_step_beating(rows, "m", 0.0, 0.2) == 40  # 30 dips back under 0.2
    assert first_step_beating(rows, "m", 0.0, 0.05) == 20
    assert first_step_beating(rows, "m", 0.5, 0.0) is None


def test_a_killed_curve_resumes_with_its_points(tmp_path):
    cfg = load_config("smoke", {"seeds": [0], **curve_overrides("pretrain_only", 4)})
    data = load_v2v_dataset("synthetic", cfg.data, seed=0)

    def evaluate(out):
        return {"psnr": evaluate_translation(out, data, perceptual=None)["psnr"]}

    whole = learning_curve(cfg, "pretrain_only", data, "synthetic", evaluate,
                           tmp_path / "whole", [1, 2, 4])
    first = learning_curve(cfg, "pretrain_only", data, "synthetic", evaluate,
                           tmp_path / "killed", [1, 2])  # as if killed after point 2
    rest = learning_curve(cfg, "pretrain_only", data, "synthetic", evaluate,
                          tmp_path / "killed", [1, 2, 4], scored=first)
    assert [r["step"] for r in rest] == [1, 2, 4]
    assert rest[-1]["psnr"] == pytest.approx(whole[-1]["psnr"], rel=1e-6)


def test_curve_pages_read_the_floor_from_the_trivial_rows():
    from rlvid.book.pages.v2v import curve_budget_lines, curve_label, learning_curves_plot

    assert curve_label("pretrain_only v2v.lr=1e-3") == "pretraining only (v2v.lr=1e-3)"
    assert curve_label("cyclegan") == "CycleGAN (frames)"

    reference = [{"method": "twin", "kind": "upper bound", "m": 1.0},
                 {"method": "identity", "kind": "trivial", "m": 0.0},
                 {"method": "unrelated Y video", "kind": "trivial", "m": 0.05}]
    prov = {"git_commit": "0123456789abcdef"}
    learned = {"method": "a", "reference": reference, "provenance": prov,
               "rows": [{"step": s, "flops": 1e12 * s, "m": v}
                        for s, v in ((1, 0.1), (2, 0.2), (3, 0.3))]}
    never = {**learned, "method": "b",
             "rows": [{"step": s, "flops": 1e12 * s, "m": 0.1} for s in (1, 2, 3)]}
    lines = curve_budget_lines([learned, never], "m", 0.1)
    assert "from step 2 on" in lines[0]  # 0.2 > 0.05 + 0.1 from step 2
    assert "not learned up to step 3" in lines[1]
    fig = learning_curves_plot([learned, never], ["m"])
    dashed = [ln for ln in fig.axes[0].lines if ln.get_linestyle() == "--"]
    assert dashed[0].get_ydata()[0] == 0.05  # the best trivial row, not the twin
