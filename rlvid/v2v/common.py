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

# rlv2v_untrained_q and gan_continued are branches from pretrain_only's checkpoint
METHODS = ("rlv2v", "pretrain_only", "recycle", "cyclegan", "rlv2v_untrained_q",
           "gan_continued")


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
    its phase, as the harness asks."""

    phases: list[tuple[str, int]]

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
