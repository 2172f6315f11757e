"""What RL-V2V-GAN and the baselines share: the training tensors, Adam as §6.2 sets it, and
freezing a network group (D during the G steps, as in CycleGAN's code).

Both :mod:`rlvid.v2v.algorithm1` and :mod:`rlvid.v2v.baselines` import this module and
not each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn


@dataclass
class TrainingData:
    """The training tensors of a :class:`rlvid.data.V2VDataset`, on the training device."""

    x: torch.Tensor  # (N, T, 3, H, W)
    y: torch.Tensor
    z: torch.Tensor
    zbar: torch.Tensor  # (M, 3, H, W)

    @classmethod
    def from_dataset(cls, data: Any, device: torch.device) -> TrainingData:
        return cls(*(getattr(data, k).to(device) for k in ("x", "y", "z", "zbar")))

    @property
    def frames(self) -> int:
        return int(self.x.shape[1])

    def videos(self, set_id: int) -> torch.Tensor:
        """Set 0 = X (source), 1 = Y, 2 = Z (target domain)."""
        return (self.x, self.y, self.z)[set_id]

    def sample(self, m: int, length: int | None = None) -> dict[str, torch.Tensor]:
        """m videos from each of X, Y, Z (first ``length`` frames) and m x length Zbar images."""
        length = length or self.frames
        out = {k: v[torch.randint(v.shape[0], (m,))][:, :length]
               for k, v in (("x", self.x), ("y", self.y), ("z", self.z))}
        out["zbar"] = self.zbar[torch.randint(self.zbar.shape[0], (m, length))]
        return out

    def random_frames(self, n: int) -> torch.Tensor:
        """Alg. 1 line 18: n frames drawn uniformly from x ∪ y ∪ z ∪ {zbar}."""
        pools = [self.x.flatten(0, 1), self.y.flatten(0, 1), self.z.flatten(0, 1), self.zbar]
        sizes = torch.tensor([p.shape[0] for p in pools])
        index = torch.randint(int(sizes.sum()), (n,))
        bounds = torch.cumsum(sizes, 0)
        pool = torch.bucketize(index, bounds, right=True)
        offset = index - (bounds - sizes)[pool]
        return torch.stack([pools[int(k)][int(j)] for k, j in zip(pool, offset)])


def left_padded(videos: list[torch.Tensor], length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack videos of different lengths, right-aligned in ``length`` frames, with a mask of
    real frames (ConvLSTMs hold their zero state through the padding: exact, not approximate)."""
    first = videos[0]
    out = first.new_zeros(len(videos), length, *first.shape[1:])
    mask = torch.zeros(len(videos), length, dtype=torch.bool, device=first.device)
    for i, v in enumerate(videos):
        out[i, length - v.shape[0]:] = v
        mask[i, length - v.shape[0]:] = True
    return out, mask


def set_requires_grad(modules: list[nn.Module], flag: bool) -> None:
    for m in modules:
        for p in m.parameters():
            p.requires_grad_(flag)


def adam(params: Any, lr: float, cfg: Any) -> torch.optim.Optimizer:
    """Adam with L2 1e-3 on every trainable parameter (§6.2) as coupled weight decay."""
    return torch.optim.Adam(params, lr=lr, betas=tuple(cfg.betas), weight_decay=cfg.weight_decay)


class Schedule:
    """Phases as ``[(name, steps), ...]`` in order; :meth:`phase_of` maps a step index to
    its phase, as the harness asks.

    And data parallelism under torchrun (:meth:`distribute`, which the harness calls): the
    networks named in ``parallel_nets`` (None: all of ``nets``) in DDP, and every process
    draws the whole batch (same seed, same draws) and trains on its :meth:`shard`. A step
    calls ``ddp[k]`` where network k's gradient is wanted and ``nets[k]`` where k is frozen
    (D in the G step), so DDP never waits for a gradient that does not come. Only the
    ``parallel_phases`` run data-parallel; a trainer with other phases is refused in one
    line. On one process ``ddp`` is ``nets`` and ``shard`` the identity."""

    phases: list[tuple[str, int]]
    nets: nn.ModuleDict
    parallel_nets: tuple[str, ...] | None = None
    parallel_phases: tuple[str, ...] = ()
    _ddp: dict[str, nn.Module] | None = None
    _shard: Any = None
    _ctx: Any = None

    @property
    def ddp(self) -> dict[str, nn.Module]:
        """The networks as a step calls them: in DDP under torchrun, else themselves."""
        return dict(self.nets.items()) if self._ddp is None else self._ddp

    def shard(self, batch: torch.Tensor) -> torch.Tensor:
        """This process's share of a batch drawn whole (the batch itself on one process)."""
        return batch if self._shard is None else self._shard(batch)

    def distribute(self, ctx: Any) -> None:
        from rlvid.errors import RlvidError

        serial = [name for name, count in self.phases
                  if count and name not in self.parallel_phases]
        if serial:
            raise RlvidError(f"{type(self).__name__}'s phases {', '.join(serial)} do not "
                             "train data-parallel yet: run one process per GPU instead")
        names = tuple(self.nets.keys()) if self.parallel_nets is None else self.parallel_nets
        self._ddp = {k: ctx.wrap(m) if k in names else m for k, m in self.nets.items()}
        self._shard, self._ctx = ctx.shard, ctx

    @property
    def rank_world(self) -> tuple[int, int]:
        """(this process's rank, the number of processes); (0, 1) on one process."""
        return (0, 1) if self._ctx is None else (self._ctx.rank, self._ctx.world_size)

    def global_mean(self, value: float) -> float:
        """A scalar's mean over the processes (a loss that decides a phase's end)."""
        return value if self._ctx is None else self._ctx.mean(value)

    @property
    def total_steps(self) -> int:
        return sum(count for _, count in self.phases)

    def phase_of(self, index: int) -> str:
        for name, count in self.phases:
            if index < count:
                return name
            index -= count
        return self.phases[-1][0]

    def last_of_phase(self, index: int) -> bool:
        """Is step ``index`` the last of its phase?"""
        return index + 1 == self.total_steps or self.phase_of(index + 1) != self.phase_of(index)
