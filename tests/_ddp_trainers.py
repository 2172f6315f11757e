"""The data-parallel tests' worker: one trainer at the smoke profile, under torchrun.

    torchrun --nproc_per_node 2 tests/_ddp_trainers.py cyclegan RUN_DIR [--no-bn]
    torchrun --nproc_per_node 2 tests/_ddp_trainers.py ppg RUN_DIR [--stop-after N]

ROVR's trainers (``imitation``, ``imitation-bce``, ``ppg``, ``ppg-top2``) start from an
untrained Gamma built from seed 0 (the same in every run) and have no BatchNorm (pi, V and
Gamma are convolutions, ReLUs and linear layers), so they need no ``--no-bn``.

``--no-bn``: the V2V networks' sequence BatchNorm keeps its affine part (its weight and
bias still train) and drops the batch statistics, so one process
and a sharded batch compute the same function (BatchNorm on a shard normalises with the
shard's statistics; torch's SyncBatchNorm, which the kit uses on CUDA, does not run on the
CPU) and the curves must agree to float32 summation order.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

from rlvid.config import load_config
from rlvid.parallel import distributed

STEPS = 3
BATCH = 4  # videos: splits over 1 or 2 processes
# ROVR: 4 episodes a rollout (20 transitions each) in minibatches of 12, so minibatches and
# the buffer's rows fall unevenly on the processes; Gamma's 2 fine-tuning rows a step are
# sometimes both on one process; 4 imitation states a step
ROVR = {"rovr.imitation.batch_size": 4, "rovr.imitation.iterations": 4,
        "rovr.ppg.rollout_videos": 4, "rovr.ppg.minibatch": 12, "rovr.ppg.local_batch": 2,
        "rovr.ppg.policy_iterations": 2, "rovr.ppg.phases": 1}


def rovr(trainer: str, run_dir: Path, stop_after: int | None) -> None:
    """One ROVR stage from an untrained Gamma (seed 0: the same in every run)."""
    from rlvid.rovr.imitation import train_imitation
    from rlvid.rovr.nets import build_local
    from rlvid.rovr.ppg_stage import train_ppg

    action = "top2" if trainer in ("imitation-bce", "ppg-top2") else "pair"
    cfg = load_config("smoke", {**ROVR, "rovr.action": action})
    torch.manual_seed(0)
    local_state = {"local": build_local(cfg.rovr).state_dict()}
    if trainer.startswith("imitation"):
        train_imitation(cfg, 0, local_state, run_dir, "bce" if action == "top2" else None,
                        stop_after, progress=False)
    else:
        train_ppg(cfg, 0, local_state, None, True, run_dir, stop_after, progress=False)


def main(trainer: str, run_dir: Path, no_bn: bool, stop_after: int | None = None) -> None:
    torch.set_num_threads(1)
    if no_bn:
        from rlvid.nn.blocks import SequenceBatchNorm

        def affine_only(self: SequenceBatchNorm, x: torch.Tensor,
                        mask: torch.Tensor | None = None) -> torch.Tensor:
            shape = (-1, 1, 1)  # over (C, H, W) of each frame
            out = x * self.norm.weight.view(shape) + self.norm.bias.view(shape)
            return out if mask is None else torch.where(mask[:, :, None, None, None], out, x)

        SequenceBatchNorm.forward = affine_only  # type: ignore[method-assign]
    cfg = load_config("smoke", {"v2v.batch_size": BATCH, "v2v.baseline_iterations": STEPS,
                                "v2v.pretrain_iterations": STEPS})
    if trainer in ("cyclegan", "recycle", "pretrain_only", "rlv2v"):
        from rlvid.v2v.train import fit

        fit(cfg, trainer, seed=0, run_dir=run_dir, progress=False)
    elif trainer in ("imitation", "imitation-bce", "ppg", "ppg-top2"):
        rovr(trainer, run_dir, stop_after)
    else:
        raise SystemExit(f"unknown trainer {trainer!r}")
    distributed.shutdown()


if __name__ == "__main__":
    rest = sys.argv[3:]
    stop = int(rest[rest.index("--stop-after") + 1]) if "--stop-after" in rest else None
    main(sys.argv[1], Path(sys.argv[2]), "--no-bn" in rest, stop)
