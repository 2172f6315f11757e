"""Data parallelism under ``torchrun``: which rank this is, DDP wrapping, batch shards.

Launched by ``torchrun --nproc_per_node N ...`` the environment holds ``RANK``,
``LOCAL_RANK`` and ``WORLD_SIZE``; :func:`context` then starts the process group (gloo on
the CPU, nccl on CUDA), and the harness gives the trainer a :class:`Context` to wrap its
trainable networks in DDP and cut each batch into this rank's shard. Started any other way
the context is a single process and every method is the identity, so the one-process path
is the same code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from rlvid.errors import RlvidError


@dataclass(frozen=True)
class Context:
    rank: int = 0
    world_size: int = 1
    device: torch.device = torch.device("cpu")

    @property
    def is_main(self) -> bool:
        """Only the main process writes checkpoints, logs and results."""
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world_size > 1

    def wrap(self, module: torch.nn.Module) -> torch.nn.Module:
        """``module`` in DistributedDataParallel when several processes train it. On CUDA its
        BatchNorm layers become SyncBatchNorm in place (the same parameters, so optimizers
        and checkpoints are unchanged): statistics over the whole batch. torch's
        SyncBatchNorm does not run on the CPU, where each process normalises its shard."""
        if not self.active or not any(p.requires_grad for p in module.parameters()):
            return module
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device.index] if self.device.type == "cuda" else None
        if self.device.type == "cuda":
            _sync_batchnorm_in_place(module)
        return DistributedDataParallel(module, device_ids=ids)

    def shard(self, batch: torch.Tensor) -> torch.Tensor:
        """This rank's contiguous share of ``batch`` along dim 0 (sizes must divide)."""
        if not self.active:
            return batch
        n = batch.shape[0]
        if n % self.world_size:
            raise RlvidError(f"a batch of {n} does not split over {self.world_size} processes")
        per = n // self.world_size
        return batch[self.rank * per:(self.rank + 1) * per]

    def mean(self, value: float) -> float:
        """The mean of a scalar over all processes (a loss to log)."""
        if not self.active:
            return value
        import torch.distributed as dist

        t = torch.tensor([value], dtype=torch.float64, device=self.device)
        dist.all_reduce(t)
        return float(t.item()) / self.world_size


def _sync_batchnorm_in_place(module: torch.nn.Module) -> None:
    """Each BatchNorm child of ``module`` replaced by a SyncBatchNorm sharing its tensors."""
    for name, child in module.named_children():
        converted = torch.nn.SyncBatchNorm.convert_sync_batchnorm(child)
        if converted is not child:
            setattr(module, name, converted)


def context() -> Context:
    """The process group from torchrun's environment, started on first use; else one process."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Context()
    import torch.distributed as dist

    rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available():
        device = torch.device("cuda", local)
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return Context(rank, world, device)


def shutdown() -> None:
    """End the process group, if one was started."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
