"""The data-parallel tests' worker: one trainer at the smoke profile, under torchrun.

    torchrun --nproc_per_node 2 tests/_ddp_trainers.py cyclegan RUN_DIR [--no-bn]

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

from rlvid import distributed
from rlvid.config import load_config

STEPS = 3
BATCH = 4  # videos: splits over 1 or 2 processes


def main(trainer: str, run_dir: Path, no_bn: bool) -> None:
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
    else:
        raise SystemExit(f"unknown trainer {trainer!r}")
    distributed.shutdown()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), "--no-bn" in sys.argv[3:])
