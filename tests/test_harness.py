"""The training harness: bit-identical resume, NaN guard, budgets, FLOP counts, signals, DDP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from _harness_toys import NoisyRegression

from rlvid.harness import Budget, train
from rlvid.runtime import TrainingDiverged, load_checkpoint

HERE = Path(__file__).parent


def _weights(run_dir: Path) -> dict[str, torch.Tensor]:
    return load_checkpoint(run_dir / "checkpoint.pt", restore_rng=False)["trainer"]["net"]


def test_resume_is_bit_identical(tmp_path: Path) -> None:
    whole = train(NoisyRegression, tmp_path / "whole", total_steps=9, seed=3, progress=False)
    part = train(NoisyRegression, tmp_path / "part", total_steps=9, seed=3, max_steps=4,
                 checkpoint_every=3, progress=False)
    assert part.status == "interrupted" and part.step == 4
    rest = train(NoisyRegression, tmp_path / "part", total_steps=9, seed=3, progress=False)
    assert whole.status == rest.status == "done" and rest.step == 9
    assert [h["mse"] for h in whole.history] == [h["mse"] for h in rest.history]
    a, b = _weights(tmp_path / "whole"), _weights(tmp_path / "part")
    assert all(torch.equal(a[k], b[k]) for k in a)
    # a different seed is a different run
    other = train(NoisyRegression, tmp_path / "other", total_steps=9, seed=4, progress=False)
    assert other.history[-1]["mse"] != whole.history[-1]["mse"]


def test_a_finished_run_called_again_does_nothing(tmp_path: Path) -> None:
    train(NoisyRegression, tmp_path / "r", total_steps=4, seed=0, progress=False)
    stamp = (tmp_path / "r" / "checkpoint.pt").stat().st_mtime_ns
    again = train(NoisyRegression, tmp_path / "r", total_steps=4, seed=0, progress=False)
    assert again.status == "done" and again.step == 4
    assert (tmp_path / "r" / "checkpoint.pt").stat().st_mtime_ns == stamp


def test_nan_stops_with_one_line_and_keeps_the_last_good_checkpoint(tmp_path: Path) -> None:
    with pytest.raises(TrainingDiverged, match=r"^loss 'mse' is nan at step 6;"):
        train(lambda: NoisyRegression(nan_at=5), tmp_path / "r", total_steps=9, seed=0,
              checkpoint_every=2, progress=False)
    state = load_checkpoint(tmp_path / "r" / "checkpoint.pt", restore_rng=False)
    assert state["step"] == 4 and state["status"] == "running"


def test_counts_per_phase_and_flops_of_a_linear_layer(tmp_path: Path) -> None:
    result = train(lambda: NoisyRegression(batch=16, features=8), tmp_path / "r",
                   total_steps=6, seed=0, flop_samples=2, progress=False)
    warm, main = result.counts["warmup"], result.counts["train"]
    assert (warm.steps, main.steps) == (2, 4)
    assert (warm.updates, main.samples) == (2, 4 * 16)
    # Linear(8 -> 1) on 16 rows: forward 2*16*8*1, backward (input grad skipped: x needs
    # none) weight grad 2*16*8*1: 512 FLOPs a step
    assert warm.flops_measured_steps == 2 and main.flops_measured_steps == 2
    assert main.flops == pytest.approx(4 * 512)
    assert result.total("flops") == pytest.approx(6 * 512)
    saved = json.loads((tmp_path / "r" / "counts.json").read_text())
    assert saved["train"]["steps"] == 4 and saved["train"]["wall_s"] > 0


def test_a_flop_budget_stops_a_control_at_the_same_compute(tmp_path: Path) -> None:
    result = train(NoisyRegression, tmp_path / "r", total_steps=100, seed=0,
                   budget=Budget(flops=10 * 512), progress=False)
    assert result.status == "budget" and result.step == 10
    assert train(NoisyRegression, tmp_path / "r", total_steps=100, seed=0,
                 progress=False).step == 10  # a spent budget is final
    steps = train(NoisyRegression, tmp_path / "s", total_steps=100, seed=0,
                  budget=Budget(steps=7), progress=False)
    assert steps.status == "budget" and steps.step == 7


def test_a_stop_request_checkpoints_and_resumes(tmp_path: Path) -> None:
    flag = {"requested": False}

    class StopsAtThree(NoisyRegression):
        def step(self, index: int):  # type: ignore[no-untyped-def]
            flag["requested"] = index == 2
            return super().step(index)

    first = train(StopsAtThree, tmp_path / "r", total_steps=8, seed=1, stop=flag,
                  progress=False)
    assert first.status == "interrupted" and first.step == 3
    rest = train(NoisyRegression, tmp_path / "r", total_steps=8, seed=1, progress=False)
    whole = train(NoisyRegression, tmp_path / "w", total_steps=8, seed=1, progress=False)
    assert [h["mse"] for h in rest.history] == [h["mse"] for h in whole.history]


def _torchrun(tmp_path: Path, nproc: int, name: str, *args: str) -> list[float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get(
        "PYTHONPATH", "")]), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
           f"--nproc_per_node={nproc}", str(HERE / "_harness_toys.py"),
           *(args or (str(tmp_path / name), "12"))]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    history = json.loads((tmp_path / name / "history.json").read_text())
    return [h["mse"] for h in history]


def test_two_gloo_processes_follow_the_one_process_loss_curve(tmp_path: Path) -> None:
    one = _torchrun(tmp_path, 1, "one")
    two = _torchrun(tmp_path, 2, "two")
    assert len(one) == len(two) == 12
    assert one[-1] < one[0] / 2  # it learns
    # DDP averages the two half-batch gradients: the full-batch gradient, up to float32
    # summation order; the logged loss is the mean of the two half-batch losses
    assert two == pytest.approx(one, rel=1e-5, abs=1e-7)
    # each process saw half of the 16-row batch (rank 0's counts are the ones written)
    samples = [json.loads((tmp_path / n / "counts.json").read_text())["train"]["samples"]
               for n in ("one", "two")]
    assert samples == [12 * 16, 12 * 8]


def test_a_checkpoint_from_before_the_harness_is_refused_in_one_line(tmp_path: Path) -> None:
    from rlvid.runtime import CheckpointError, provenance, save_checkpoint, write_json

    save_checkpoint(tmp_path / "r" / "checkpoint.pt", {"trainer": {}, "step": 3})
    write_json(tmp_path / "r" / "provenance.json", provenance())  # as older rlvids wrote it
    with pytest.raises(CheckpointError, match="older rlvid"):
        train(NoisyRegression, tmp_path / "r", total_steps=4, seed=0, progress=False)


def test_rovr_gamma_stage_in_two_gloo_processes_follows_one_process(tmp_path: Path) -> None:
    one = _torchrun(tmp_path, 1, "one", "rovr-local", str(tmp_path / "one"))
    two = _torchrun(tmp_path, 2, "two", "rovr-local", str(tmp_path / "two"))
    assert len(one) == len(two) == 4
    assert two == pytest.approx(one, rel=1e-4, abs=1e-6)  # float32 order; same batches
    samples = [json.loads((tmp_path / n / "counts.json").read_text())["local"]["samples"]
               for n in ("one", "two")]
    assert samples == [4 * 4, 4 * 2]


def test_torchrun_with_a_trainer_that_cannot_shard_stops_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rlvid.errors import RlvidError
    from rlvid.parallel import distributed

    monkeypatch.setattr(distributed, "context", lambda: distributed.Context(0, 2))
    monkeypatch.delattr(NoisyRegression, "distribute")  # restored after the test
    with pytest.raises(RlvidError, match="does not train data-parallel"):
        train(NoisyRegression, tmp_path / "r", total_steps=2, seed=0, progress=False)
