"""Runs you can trust: exact resume, NaN stop, every method at smoke, the CLI."""

import math

import pytest
import torch
from _same import assert_same

from rlvid.cli import main
from rlvid.config import load_config
from rlvid.data import load_v2v_dataset
from rlvid.runtime import TrainingDiverged, load_checkpoint
from rlvid.v2v.algorithm1 import RLV2VGAN
from rlvid.v2v.evaluate import evaluate_run
from rlvid.v2v.train import fit

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def cfg():
    return load_config("smoke", {"v2v.pretrain_iterations": 2, "v2v.rl_iterations": 3,
                                 "v2v.checkpoint_every": 100})


@pytest.fixture(scope="module")
def data(cfg):
    return load_v2v_dataset("synthetic", cfg.data, seed=0)


def test_interrupted_and_resumed_equals_uninterrupted(cfg, data, tmp_path):
    straight = fit(cfg, "rlv2v", seed=3, run_dir=tmp_path / "a", data=data, progress=False)
    # 2 pretraining, 2 buffer-filling, 2 critic warm-up and 3 DDPG steps (smoke)
    assert straight.status == "done" and straight.step == 9
    first = fit(cfg, "rlv2v", seed=3, run_dir=tmp_path / "b", data=data, max_steps=1,
                progress=False)
    assert first.status == "interrupted" and first.step == 1
    second = fit(cfg, "rlv2v", seed=3, run_dir=tmp_path / "b", data=data, max_steps=7,
                 progress=False)  # stops inside the RL phase, buffer not empty
    assert second.status == "interrupted" and second.step == 7
    third = fit(cfg, "rlv2v", seed=3, run_dir=tmp_path / "b", data=data,
                stop={"requested": False}, progress=False)
    assert third.status == "done"
    a = load_checkpoint(tmp_path / "a" / "checkpoint.pt", restore_rng=False)
    b = load_checkpoint(tmp_path / "b" / "checkpoint.pt", restore_rng=False)
    assert len(a["trainer"]["buffer"]["p"]) > 0
    assert_same(a["trainer"], b["trainer"])  # weights, targets, optimisers, replay buffer
    assert_same(a["history"], b["history"])
    # what each step reported to the harness; the pretrained snapshot came through on_step
    pre, rl = a["counts"]["pretrain"], a["counts"]["rl"]
    assert (pre["steps"], pre["updates"], pre["samples"]) == (2, 4, 2 * 3 * cfg.v2v.batch_size)
    assert (rl["steps"], rl["updates"]) == (3, 9)
    assert rl["samples"] == sum(h["new_transitions"] for h in a["history"] if h["phase"] == "rl")
    assert (tmp_path / "b" / "pretrained.pt").is_file()


def test_stop_flag_checkpoints_after_the_current_step(cfg, data, tmp_path):
    result = fit(cfg, "cyclegan", seed=0, run_dir=tmp_path / "c", data=data,
                 stop={"requested": True}, progress=False)
    assert result.status == "interrupted" and result.step == 1
    assert load_checkpoint(tmp_path / "c" / "checkpoint.pt", restore_rng=False)["step"] == 1


def test_nan_stops_with_message_and_keeps_last_good_checkpoint(cfg, data, tmp_path,
                                                              monkeypatch):
    calls = {"n": 0}
    real = RLV2VGAN.pretrain_step

    def flaky(self):
        calls["n"] += 1
        out = real(self)
        return {**out, "loss_gp": float("nan")} if calls["n"] == 4 else out

    monkeypatch.setattr(RLV2VGAN, "pretrain_step", flaky)
    run_cfg = load_config("smoke", {"v2v.pretrain_iterations": 5, "v2v.rl_iterations": 0,
                                    "v2v.checkpoint_every": 2})
    with pytest.raises(TrainingDiverged, match="loss_gp.*step 4"):
        fit(run_cfg, "rlv2v", seed=0, run_dir=tmp_path / "n", data=data, progress=False)
    kept = load_checkpoint(tmp_path / "n" / "checkpoint.pt", restore_rng=False)
    assert kept["step"] == 2 and kept["status"] == "running"
    assert all(math.isfinite(h["loss_gp"]) for h in kept["history"])


@pytest.mark.parametrize("method", ["pretrain_only", "recycle", "cyclegan"])
def test_every_method_trains_and_evaluates(cfg, data, tmp_path, method):
    result = fit(cfg, method, seed=0, run_dir=tmp_path / method, data=data, progress=False)
    assert result.status == "done"
    rows = evaluate_run(result.run_dir, data)
    assert rows[0]["method"] == method
    assert 0 <= rows[0]["bg_acc"] <= 1 and 0 <= rows[0]["iou"] <= 1
    assert len(rows[0]["bg_acc_t"]) == data.x_test.shape[1]


def test_cli_train_eval_translate(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "v2v", "--profile", "smoke", "--method", "cyclegan",
                 "-p", "v2v.baseline_iterations", "2", "--run-dir", str(run)]) == 0
    assert main(["eval", str(run)]) == 0
    assert '"method": "cyclegan"' in capsys.readouterr().out
    assert main(["translate", str(tmp_path / "missing.mp4"), "--checkpoint",
                 str(run / "model.pt"), "-o", str(tmp_path / "o.gif")]) == 2
    assert main(["translate", str(tmp_path / "missing.mp4"), "--checkpoint",
                 str(tmp_path / "nope.pt"), "-o", str(tmp_path / "o.gif")]) == 2
    err = capsys.readouterr().err
    assert err.count("rlvid: error:") == 2 and "nope.pt" in err


@pytest.mark.parametrize("method", ["cyclegan", "recycle"])
def test_baselines_resume_bit_identical(cfg, data, tmp_path, method):
    small = load_config("smoke", {"v2v.baseline_iterations": 3, "v2v.checkpoint_every": 100})
    fit(small, method, seed=2, run_dir=tmp_path / "a", data=data, progress=False)
    first = fit(small, method, seed=2, run_dir=tmp_path / "b", data=data, max_steps=1,
                progress=False)
    assert first.status == "interrupted" and first.step == 1
    assert fit(small, method, seed=2, run_dir=tmp_path / "b", data=data,
               progress=False).status == "done"
    for name in ("checkpoint.pt", "model.pt"):
        a = load_checkpoint(tmp_path / "a" / name, restore_rng=False)
        b = load_checkpoint(tmp_path / "b" / name, restore_rng=False)
        assert_same(a.get("trainer", a.get("state_dict")), b.get("trainer", b.get("state_dict")))


def test_parallel_fits_give_the_serial_numbers(data, tmp_path):
    """(method, seed) fits in spawned processes, 1 thread each: the rows of a serial run."""
    from rlvid.v2v.experiment import run_experiment

    small = load_config("smoke", {"seeds": [0, 1], "v2v.baseline_iterations": 1})
    rows = {backend: run_experiment(small, data, tmp_path / backend, methods=("cyclegan",),
                                    backend=backend)["rows"]
            for backend in ("serial", "process")}
    for a, b in zip(rows["serial"], rows["process"], strict=True):
        assert {k: v for k, v in a.items() if k != "train_s"} == \
            {k: v for k, v in b.items() if k != "train_s"}


def test_branches_share_one_pretraining_and_the_control_matches_rl_flops(cfg, data, tmp_path):
    """Per seed: one pretraining run; rlv2v and gan_continued branch from its checkpoint, and
    gan_continued stops within one GAN step past the RL phase's FLOPs."""
    from rlvid.v2v.experiment import train_and_evaluate

    one = load_config("smoke", {"seeds": [0], "v2v.pretrain_iterations": 2,
                                "v2v.checkpoint_every": 100})
    result = train_and_evaluate(one, data, data.x_test, lambda out: {"mean": float(out.mean())},
                                tmp_path, "synthetic", methods=("rlv2v", "gan_continued"),
                                backend="serial")
    rows = {r["method"]: r for r in result.rows}
    assert list(rows) == ["rlv2v", "pretrain_only", "gan_continued"]
    pre = rows["pretrain_only"]
    rl_flops = rows["rlv2v"]["flops"] - pre["flops"]  # the branch alone
    gan_flops = rows["gan_continued"]["flops"] - pre["flops"]
    gan_step = pre["flops"] / one.v2v.pretrain_iterations
    assert 0 <= gan_flops - rl_flops < gan_step * 1.01
    assert rows["gan_continued"]["budget_ratio"] == pytest.approx(
        rows["gan_continued"]["flops"] / rows["rlv2v"]["flops"])
    rl = rows["rlv2v"]
    assert rl["phase_updates"] == one.v2v.rl_iterations
    assert rl["param_change"] > 0 and rl["buffer_fill"] > 0
    # the branch started from the pretrained weights: its history has no pretraining steps
    assert {h["phase"] for h in result.histories["rlv2v"]} == {"rl_fill", "q_warmup", "rl"}
    assert [c["phase"] for c in result.rl_curves["rlv2v"][0]].count("rl") == 3
