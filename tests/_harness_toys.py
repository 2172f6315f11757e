"""Small trainers for the harness tests (also run under torchrun as a script).

    torchrun --nproc_per_node 2 tests/_harness_toys.py RUN_DIR STEPS
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rlvid.harness import StepOutput, train


class NoisyRegression:
    """A linear model fitted by SGD on a fixed batch; each step also draws from python,
    numpy and torch RNGs (dropout, a shuffled order, a noise scale), so a resume that
    restored any RNG wrongly would diverge. ``nan_at`` makes step ``nan_at`` return NaN."""

    def __init__(self, batch: int = 16, features: int = 8, nan_at: int | None = None,
                 dropout: float = 0.2) -> None:
        g = torch.Generator().manual_seed(123)  # the data does not depend on the run's seed
        self.x = torch.randn(batch, features, generator=g)
        self.y = self.x @ torch.randn(features, 1, generator=g)
        self.net = torch.nn.Sequential(torch.nn.Dropout(dropout), torch.nn.Linear(features, 1))
        self.opt = torch.optim.SGD(self.net.parameters(), lr=0.05)
        self.nan_at = nan_at
        self.shard = lambda t: t

    def phase_of(self, index: int) -> str:
        return "warmup" if index < 2 else "train"

    def distribute(self, ctx: Any) -> None:
        self.net = ctx.wrap(self.net)
        self.shard = ctx.shard

    def step(self, index: int) -> StepOutput:
        order = list(range(self.x.shape[0]))
        random.shuffle(order)  # python RNG
        scale = float(np.random.uniform(0.9, 1.1))  # numpy RNG
        x, y = self.shard(self.x), self.shard(self.y)
        loss = torch.nn.functional.mse_loss(self.net(x) * scale, y)  # torch RNG: dropout
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        value = float("nan") if index == self.nan_at else float(loss.detach())
        return StepOutput({"mse": value}, phase=self.phase_of(index), updates=1,
                          samples=int(x.shape[0]))

    def state_dict(self) -> dict[str, Any]:
        net = getattr(self.net, "module", self.net)
        return {"net": net.state_dict(), "opt": self.opt.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        getattr(self.net, "module", self.net).load_state_dict(state["net"])
        self.opt.load_state_dict(state["opt"])


class PlainLinear(NoisyRegression):
    """No dropout and no noise: the same loss curve on one process and on a sharded batch."""

    def __init__(self) -> None:
        super().__init__(dropout=0.0)

    def step(self, index: int) -> StepOutput:
        x, y = self.shard(self.x), self.shard(self.y)
        loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return StepOutput({"mse": float(loss.detach())}, phase="train", samples=int(x.shape[0]))


if __name__ == "__main__":  # the DDP tests' worker: toy RUN_DIR STEPS | rovr-local RUN_DIR
    from rlvid.parallel import distributed

    torch.set_num_threads(1)
    if sys.argv[1] == "rovr-local":  # ROVR's Gamma stage at smoke, batch 4
        from rlvid.config import load_config
        from rlvid.rovr.local import train_local

        cfg = load_config("smoke", {"rovr.local.batch_size": 4, "rovr.local.iterations": 4})
        train_local(cfg, seed=0, run_dir=Path(sys.argv[2]), progress=False)
    else:
        train(PlainLinear, Path(sys.argv[1]), total_steps=int(sys.argv[2]), seed=0,
              progress=False)
    distributed.shutdown()
