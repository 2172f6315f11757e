"""Each trainer under ``torchrun --nproc_per_node 2`` (gloo, CPU) against one process at the
same global batch, as Γ's test in ``test_harness.py`` does.

ROVR's imitation and PPG have no BatchNorm: their runs are the trainers as they are. PPG's
two processes roll out half of the episodes each, with the actions one process would draw
for them, so its whole loss curve (rollout statistics, PPO and auxiliary terms) must agree to
float32 summation order too.

The GAN trainers normalise with BatchNorm: on CUDA :meth:`rlvid.parallel.distributed.Context.wrap`
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


def _torchrun(tmp_path: Path, nproc: int, trainer: str, *args: str,
              name: str | None = None) -> tuple[list[dict], dict]:
    """The history and counts of ``trainer``'s smoke run in ``nproc`` gloo processes."""
    run_dir = tmp_path / (name or f"{trainer}-{nproc}")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get(
        "PYTHONPATH", "")]), "OMP_NUM_THREADS": "1", "RLVID_PROGRESS": "0"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
           f"--nproc_per_node={nproc}", str(HERE / "_ddp_trainers.py"), trainer, str(run_dir),
           *args]
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
    one, _ = _torchrun(tmp_path, 1, trainer, "--no-bn")
    two, _ = _torchrun(tmp_path, 2, trainer, "--no-bn")
    assert len(one) == len(two) == 3
    for key in LOSSES[trainer]:
        a, b = [h[key] for h in one], [h[key] for h in two]
        assert a[-1] != a[0]  # the networks moved
        assert b == pytest.approx(a, rel=1e-4, abs=1e-6), key
    assert (tmp_path / f"{trainer}-2" / "model.pt").is_file()  # rank 0 wrote the translator


def test_algorithm1_in_two_gloo_processes_follows_one_process(tmp_path: Path) -> None:
    """GAN pretraining, the buffer fill, the critic warm-up and DDPG updates with the frozen-D
    step: every process makes the same transitions, each trains on its rows of the m-batch."""
    one, _ = _torchrun(tmp_path, 1, "rlv2v", "--no-bn")
    two, _ = _torchrun(tmp_path, 2, "rlv2v", "--no-bn")
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


ROVR = {"imitation": 4, "imitation-bce": 4, "ppg": 3}  # steps; ppg: 2 policy + 1 auxiliary


def _close(one: list[dict], two: list[dict]) -> None:
    """Every logged value of the two runs agrees to float32 summation order."""
    assert [h["phase"] for h in one] == [h["phase"] for h in two]
    for a, b in zip(one, two):
        assert set(a) == set(b)
        for key in set(a) - {"step", "phase"}:
            assert b[key] == pytest.approx(a[key], rel=1e-4, abs=1e-6), (a["step"], key)


@pytest.fixture(scope="module")
def ppg_one(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], dict]:
    """The one-process PPG run both PPG tests compare with."""
    return _torchrun(tmp_path_factory.mktemp("ppg"), 1, "ppg")


@pytest.mark.parametrize("trainer", list(ROVR))
def test_a_rovr_trainer_in_two_gloo_processes_follows_one_process(
        tmp_path: Path, trainer: str, request: pytest.FixtureRequest) -> None:
    one, counts_one = (request.getfixturevalue("ppg_one") if trainer == "ppg"
                       else _torchrun(tmp_path, 1, trainer))
    two, counts_two = _torchrun(tmp_path, 2, trainer)
    assert len(one) == len(two) == ROVR[trainer]
    _close(one, two)
    loss = "bce" if trainer == "imitation-bce" else "contrastive" if trainer == "imitation" \
        else "value_loss"  # the networks moved: the loss changed
    moved = [h[loss] for h in one if loss in h]
    assert moved[-1] != moved[0]
    for phase, counts in counts_one.items():  # each process held half of every batch
        assert counts_two[phase]["samples"] * 2 == counts["samples"]
        assert counts_two[phase]["updates"] == counts["updates"]
    assert (tmp_path / f"{trainer}-2" / "checkpoint.pt").is_file()  # rank 0 wrote it


def test_ppg_stopped_mid_phase_in_two_processes_resumes_on_one(
        tmp_path: Path, ppg_one: tuple[list[dict], dict]) -> None:
    """The checkpoint of a data-parallel PPG run holds the whole buffer (every process's
    share of its rollouts): stopped after its two policy iterations, before the auxiliary
    phase, it resumes on one process and ends as the one-process run does."""
    one, _ = ppg_one
    _torchrun(tmp_path, 2, "ppg", "--stop-after", "2", name="resumed")
    resumed, _ = _torchrun(tmp_path, 1, "ppg", name="resumed")
    assert len(resumed) == 3
    _close(one, resumed)


@pytest.mark.parametrize("action,frames", [("pair", 2), ("top2", 2), ("pair", 3)])
def test_each_process_draws_the_actions_one_process_draws_for_its_episodes(
        action: str, frames: int) -> None:
    """PPG's rollout sampler (:func:`rlvid.rovr.ppg_stage.act`) on a shard, from the same
    random state, gives that shard's rows of the one-process draw (the Gumbel top-2, the
    pair policy's multinomial, and the k = 3 chain of multinomials)."""
    import torch

    from rlvid.config import load_config
    from rlvid.parallel.distributed import Context
    from rlvid.rovr.nets import build_policy
    from rlvid.rovr.ppg_stage import act

    rcfg = load_config("smoke", {"rovr.action": action,
                                 "rovr.conditioning_frames": frames}).rovr
    torch.manual_seed(0)
    policy = build_policy(rcfg)
    small, target = torch.rand(6, 20, 4, 8, 8), torch.randint(20, (6,))
    with torch.no_grad():
        torch.manual_seed(1)
        pair, log_prob = act(policy, small, target, rcfg)
        for rank in range(2):
            ctx = Context(rank, 2)
            torch.manual_seed(1)
            mine, mine_lp = act(policy, ctx.shard(small), ctx.shard(target), rcfg, ctx)
            assert torch.equal(mine, ctx.shard(pair))
            assert torch.allclose(mine_lp, ctx.shard(log_prob), rtol=1e-5, atol=1e-6)


def test_local_rows_and_global_mean_split_a_batch_as_one_process_sees_it() -> None:
    """Rows of a batch spread over processes (blocks: rollouts, each rank-major) map to each
    process's own rows, and the shares' means weighted as DDP averages them are the mean."""
    import torch

    from rlvid.parallel.distributed import Context

    rows = torch.tensor([7, 0, 5, 2, 3])  # a minibatch of two 4-row rollouts on 2 processes
    ctxs = [Context(0, 2), Context(1, 2)]
    assert [ctx.local_rows(rows, [2, 2]).tolist() for ctx in ctxs] == [[0, 3], [3, 0, 1]]
    values = torch.arange(8.0)  # the buffer as one process holds it: rollout 0, rollout 1
    shares = [torch.cat([values[0:2], values[4:6]]), torch.cat([values[2:4], values[6:8]])]
    means = [ctx.global_mean(share[ctx.local_rows(rows, [2, 2])], len(rows))
             for ctx, share in zip(ctxs, shares)]
    assert sum(means) / 2 == pytest.approx(float(values[rows].mean()))
    assert Context().local_rows(rows, [8]) is rows


@pytest.mark.parametrize("action,frames,grid", [("pair", 2, 0), ("pair", 2, 2), ("top2", 2, 0),
                                                ("pair", 3, 0)])
def test_a_process_with_no_rows_of_a_minibatch_still_takes_part(action: str, frames: int,
                                                                 grid: int) -> None:
    """PPG's minibatches fall unevenly on the processes, sometimes none of one on a process:
    pi and V then run on no states, and the loss (0) still reaches every parameter, so DDP's
    reduction gets each process's gradient."""
    import torch

    from rlvid.config import load_config
    from rlvid.nn.rovr_pair import action_dist
    from rlvid.rovr.nets import build_critic, build_policy

    rcfg = load_config("smoke", {"rovr.action": action, "rovr.conditioning_frames": frames,
                                 "rovr.pair_grid_features": grid}).rovr
    policy, critic = build_policy(rcfg), build_critic(rcfg)
    small, target = torch.rand(0, 20, 4, 8, 8), torch.zeros(0, dtype=torch.long)
    dist, aux = action_dist(policy, small, target, 1.0, rcfg.pair_logprob)
    log_prob = dist.log_prob(torch.zeros(0, frames, dtype=torch.long))
    loss = log_prob.sum() + dist.entropy().sum() + aux.sum() + critic(small, target).sum()
    loss.backward()
    assert log_prob.shape == (0,) and float(loss.detach()) == 0.0
