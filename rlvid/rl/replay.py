"""Replay buffer of Algorithm 1: transitions ``(s, a, r, s', a_true, p)`` (§3.3).

States are prefixes of training videos, so a transition is stored as the video it came
from (set id and index), the state length ``p``, the action frame and the reward;
``s = v_{:p}``, ``s' = (s, a)`` and ``a_true = v_{p+1}`` are rebuilt from the data. This
keeps the buffer small at paper scale (10k transitions) and exact. FIFO when full (§3.3:
"older experiences are replaced by newer ones"); sampling is uniform.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch


@dataclass
class Transitions:
    """A batch of transitions: ``set_id`` 0 = X, 1 = Y, 2 = Z; ``p`` = state length."""

    set_id: torch.Tensor  # (n,) long
    video: torch.Tensor  # (n,) long
    p: torch.Tensor  # (n,) long
    action: torch.Tensor  # (n, C, H, W)
    reward: torch.Tensor  # (n,)

    def __len__(self) -> int:
        return int(self.p.shape[0])

    def select(self, index: torch.Tensor) -> Transitions:
        return Transitions(self.set_id[index], self.video[index], self.p[index],
                           self.action[index], self.reward[index])

    @staticmethod
    def cat(parts: list[Transitions]) -> Transitions:
        return Transitions(*(torch.cat([getattr(t, f) for t in parts])
                             for f in ("set_id", "video", "p", "action", "reward")))


class ReplayBuffer:
    """A fixed-capacity FIFO ring of transitions."""

    def __init__(self, capacity: int, frame_shape: tuple[int, ...]):
        if capacity < 1:
            raise ValueError(f"buffer capacity must be >= 1, got {capacity}")
        self.capacity = capacity
        self.frame_shape = tuple(frame_shape)
        self.set_id = torch.zeros(capacity, dtype=torch.long)
        self.video = torch.zeros(capacity, dtype=torch.long)
        self.p = torch.zeros(capacity, dtype=torch.long)
        self.action = torch.empty(capacity, *frame_shape)
        self.reward = torch.zeros(capacity)
        self.size = 0
        self.next = 0  # slot the next transition goes to

    def __len__(self) -> int:
        return self.size

    def add(self, batch: Transitions) -> None:
        for i in range(len(batch)):
            j = self.next
            self.set_id[j], self.video[j], self.p[j] = batch.set_id[i], batch.video[i], batch.p[i]
            self.action[j] = batch.action[i].detach().cpu()
            self.reward[j] = batch.reward[i].detach().cpu()
            self.next = (j + 1) % self.capacity
            self.size = min(self.size + 1, self.capacity)

    def get(self, index: torch.Tensor) -> Transitions:
        return Transitions(self.set_id[index].clone(), self.video[index].clone(),
                           self.p[index].clone(), self.action[index].clone(),
                           self.reward[index].clone())

    def sample_index(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        if self.size == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        return torch.randint(self.size, (n,), generator=generator)

    def state_dict(self) -> dict[str, Any]:
        n = self.size
        return {"capacity": self.capacity, "frame_shape": self.frame_shape, "size": n,
                "next": self.next, "set_id": self.set_id[:n].clone(),
                "video": self.video[:n].clone(), "p": self.p[:n].clone(),
                "action": self.action[:n].clone(), "reward": self.reward[:n].clone()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.__init__(state["capacity"], tuple(state["frame_shape"]))
        n = self.size = state["size"]
        self.next = state["next"]
        for name in ("set_id", "video", "p", "action", "reward"):
            getattr(self, name)[:n] = state[name]
