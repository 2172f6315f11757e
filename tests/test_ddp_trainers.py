"""Each trainer under ``torchrun --nproc_per_node 2`` (gloo, CPU) against one process at the
same global batch, as Γ's test in ``test_harness.py`` does.

The GAN trainers normalise with BatchNorm: on CUDA :meth:`rlvid.distributed.Context.wrap`
makes it SyncBatchNorm (whole-batch statistics), but torch's SyncBatchNorm does not run on
the CPU, where each process would normalise its half of the batch (7 % apart on Recycle-GAN's
first D loss at smoke size). So these runs turn the sequence BatchNorm off in both the one-
and the two-process run (``_ddp_trainers.py --no-bn``): what is left, sharding, DDP's
gradient average, a generator called twice in one step, the frozen D of the G step, must
agree to float32 summation order.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _torchrun(tmp_path: Path, nproc: int, trainer: str) -> tuple[list[dict], dict]:
    """The history and counts of ``trainer``'s smoke run in ``nproc`` gloo processes."""
    run_dir = tmp_path / f"{trainer}-{nproc}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get(
        "PYTHONPATH", "")]), "OMP_NUM_THREADS": "1", "RLVID_PROGRESS": "0"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
           f"--nproc_per_node={nproc}", str(HERE / "_ddp_trainers.py"), trainer, str(run_dir),
           "--no-bn"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    history = json.loads((run_dir / "history.json").read_text())
    counts = json.loads((run_dir / "counts.json").read_text())
    return history, counts


LOSSES = {"cyclegan": ("loss_g", "loss_d"), "recycle": ("loss_g", "loss_d"),
          "pretrain_only": ("loss_gp", "loss_d")}  # RL-V2V-GAN's GAN pretraining


@pytest.mark.parametrize("trainer", list(LOSSES))
def test_a_gan_trainer_in_two_gloo_processes_follows_one_process(tmp_path: Path,
                                                                 trainer: str) -> None:
    one, _ = _torchrun(tmp_path, 1, trainer)
    two, _ = _torchrun(tmp_path, 2, trainer)
    assert len(one) == len(two) == 3
    for key in LOSSES[trainer]:
        a, b = [h[key] for h in one], [h[key] for h in two]
        assert a[-1] != a[0]  # the networks moved
        assert b == pytest.approx(a, rel=1e-4, abs=1e-6), key
    assert (tmp_path / f"{trainer}-2" / "model.pt").is_file()  # rank 0 wrote the translator


def test_algorithm1_in_two_gloo_processes_follows_one_process(tmp_path: Path) -> None:
    """GAN pretraining, the buffer fill, the critic warm-up and DDPG updates with the frozen-D
    step: every process makes the same transitions, each trains on its rows of the m-batch."""
    one, _ = _torchrun(tmp_path, 1, "rlv2v")
    two, _ = _torchrun(tmp_path, 2, "rlv2v")
    assert [h["phase"] for h in one] == [h["phase"] for h in two]
    assert {"pretrain", "rl_fill", "q_warmup", "rl"} <= {h["phase"] for h in one}
    for phase, keys in (("q_warmup", ("loss_q",)), ("rl", ("loss_q", "loss_actor", "loss_d",
                                                            "reward"))):
        for key in keys:
            a = [h[key] for h in one if h["phase"] == phase]
            b = [h[key] for h in two if h["phase"] == phase]
            assert b == pytest.approx(a, rel=1e-4, abs=1e-6), (phase, key)
    rl = [h for h in one if h["phase"] == "rl"]
    assert rl[-1]["dtheta_policy"] > 0  # the actor moved the policy
    assert rl[-1]["dtheta_policy"] == pytest.approx(
        [h for h in two if h["phase"] == "rl"][-1]["dtheta_policy"], rel=1e-4)
    assert (tmp_path / "rlv2v-2" / "model.pt").is_file()
