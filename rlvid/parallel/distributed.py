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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

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
        return float(self.sum(torch.tensor([value], dtype=torch.float64)).item()) / \
            self.world_size

    def sum(self, value: torch.Tensor) -> torch.Tensor:
        """``value`` summed over all processes (statistics: counts, sums for a global mean;
        never gradients, which DDP averages); ``value`` itself on one process."""
        if not self.active:
            return value
        import torch.distributed as dist

        t = value.detach().to(self.device, copy=True)
        dist.all_reduce(t)
        return t.to(value.device)

    def gather(self, value: torch.Tensor) -> torch.Tensor:
        """Every process's ``value`` (the same shape on each) concatenated along dim 0 in
        rank order: the inverse of :meth:`shard`; ``value`` itself on one process."""
        if not self.active:
            return value
        import torch.distributed as dist

        parts = [torch.empty_like(value, device=self.device) for _ in range(self.world_size)]
        dist.all_gather(parts, value.detach().to(self.device).contiguous())
        return torch.cat(parts).to(value.device)

    def global_mean(self, values: torch.Tensor, count: int | None = None) -> torch.Tensor:
        """The mean over every process's ``values`` (``count`` of them in all, summed over
        the processes when not given), differentiable through this process's: DDP averages
        the gradients of sum(values) * world_size / count, which is the gradient of the
        whole batch's mean, whatever share of it each process holds. One process:
        ``values.mean()``."""
        if not self.active:
            return values.mean()
        if count is None:
            count = int(self.sum(torch.tensor(values.numel(), dtype=torch.int64)).item())
        return values.sum() * self.world_size / count

    def local_rows(self, rows: torch.Tensor, blocks: Sequence[int]) -> torch.Tensor:
        """Which of ``rows`` (indices into a batch spread over the processes) this process
        holds, as indices into its own rows, in the order given. The batch is ``blocks``
        (this process's row count of each, the same on every process: a rollout each), each
        block laid out as :meth:`gather` lays it out (rank 0's rows first). One process:
        ``rows``."""
        if not self.active:
            return rows
        pos = torch.full((sum(blocks) * self.world_size,), -1, dtype=torch.long)
        start = offset = 0
        for n in blocks:
            first = offset + self.rank * n
            pos[first:first + n] = torch.arange(start, start + n)
            start, offset = start + n, offset + n * self.world_size
        found = pos[rows]
        return found[found >= 0]

    def wrap_loss(self, *modules: torch.nn.Module) -> Callable[..., Any]:
        """``call(fn, *args)`` = ``fn(*modules, *args)``, run under torchrun as the forward of
        one DDP module holding ``modules`` (with ``find_unused_parameters``): a loss that
        leaves outputs unused (pi's aux value in PPO's objective) or calls methods besides
        ``forward`` (the k > 2 policy's conditionals) still has its gradients averaged, and
        parameters no process used keep no gradient, as on one process."""
        if not self.active:
            return lambda fn, *args: fn(*modules, *args)
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(_Calls(*modules), device_ids=ids,
                                       find_unused_parameters=True)


class _Calls(torch.nn.Module):
    """Modules whose forward is ``fn(*modules, *args)`` (:meth:`Context.wrap_loss`)."""

    def __init__(self, *modules: torch.nn.Module):
        super().__init__()
        self.parts = torch.nn.ModuleList(modules)

    def forward(self, fn: Callable[..., Any], *args: Any) -> Any:
        return fn(*self.parts, *args)


ONE = Context()  # one process: every method the identity (a default argument)


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
