"""ROVR Table 1's rows (rlvid.rovr.table1) and Gamma's valid-pair mixing, on known answers."""

import math

import numpy as np
import pytest
import torch

from rlvid.config import load_config
from rlvid.data import mask_videos
from rlvid.rovr.local import mix_valid_sets
from rlvid.rovr.pairs import pair_choices
from rlvid.rovr.table1 import reference_outputs, summarise, table1_summary

CFG = load_config("smoke").data


def test_summarise_pools_hidden_pixels():
    frames = {"hidden_sse": np.array([1.0, 3.0]), "hidden_count": np.array([100.0, 300.0]),
              "mse": np.array([0.1, 0.3]), "ssim": np.array([0.5, 0.7]),
              "perceptual": np.array([0.2, 0.2]), "vgg_lp": np.array([1.0, 2.0])}
    row = summarise(frames)
    assert row["hidden_mse"] == pytest.approx(0.01)  # 4 / 400, not the mean of 0.01 and 0.01
    assert row["psnr"] == pytest.approx(20.0)
    assert row["ssim"] == pytest.approx(0.6)
    frames["hidden_sse"] = np.zeros(2)
    assert summarise(frames)["psnr"] == math.inf


def test_table1_summary_means_and_seed_std():
    rows = [{"seed": s, "conditioning": "best", "net": "n", **{k: v for k in
             ("hidden_mse", "mse", "psnr", "ssim", "perceptual", "vgg_lp")}}
            for s, v in ((0, 1.0), (1, 3.0))]
    rows.append({"seed": "-", "conditioning": "mean fill", "net": "none", "kind": "content-free",
                 **{k: 5.0 for k in ("hidden_mse", "mse", "psnr", "ssim", "perceptual",
                                     "vgg_lp")}})
    best, ref = table1_summary(rows)
    assert (best["hidden_mse"], best["hidden_mse_std"], best["seeds"]) == (2.0, math.sqrt(2), 2)
    assert best["kind"] == "trained"
    assert (ref["hidden_mse"], ref["hidden_mse_std"], ref["kind"]) == (5.0, None, "trivial")


def test_copies_are_exact_on_a_static_video():
    frame = np.random.default_rng(0).uniform(0.1, 1.0, (3, 32, 32)).astype(np.float32)
    data = mask_videos(np.broadcast_to(frame, (1, 20, 3, 32, 32)).copy(), CFG, seed=0)
    out = reference_outputs(data)
    truth = data.videos.flatten(0, 1)
    hidden = data.masks.flatten(0, 1).expand_as(truth)
    for name in ("copy-best-pair", "copy-nearest-visible"):
        assert torch.equal(out[name], truth), name  # every hole is visible in another frame
    for name in ("OpenCV Telea", "mean fill"):
        assert (out[name] - truth)[hidden].abs().max() > 0.01, name
        assert torch.equal(out[name][~hidden], truth[~hidden]), name


def test_mix_valid_sets_on_the_pair_table():
    valid = torch.zeros(4, 5, 5, dtype=torch.bool)
    valid[:, 1, 3] = valid[:, 3, 1] = True  # one valid pair, (1, 3), for every row
    valid[3] = False  # row 3 has none: it keeps its pair
    pair = torch.tensor([[0, 2]] * 4)
    choices = pair_choices(valid, torch.zeros(4, dtype=torch.long))  # target 0 in every row
    torch.manual_seed(0)
    assert torch.equal(mix_valid_sets(pair, choices, 0.0), pair)
    mixed = mix_valid_sets(pair, choices, 1.0)
    assert mixed[:3].tolist() == [[1, 3]] * 3 and mixed[3].tolist() == [0, 2]


def test_separation_summary_pairs_by_seed():
    from rlvid.rovr.tables import separation_summary

    o = {"oracle": (0.9, 0.8, 0.7), "sequential": (0.8, 0.7, 0.6), "random": (0.1, 0.3, 0.2)}
    rows = [{"seed": s, "selector": k, "flow_recovery": v[s]} for k, v in o.items()
            for s in range(3)]
    first, second = separation_summary(rows)
    assert first["gap"] == pytest.approx(0.1) and first["wins"] == "3/3"
    assert first["paired_spread"] == pytest.approx(0.0, abs=1e-12)  # the same gap each seed
    assert first["arm_spread"] == pytest.approx(0.1)
    assert second["gap"] == pytest.approx(0.5) and second["gap_over_arm_spread"] == (
        pytest.approx(5.0))
