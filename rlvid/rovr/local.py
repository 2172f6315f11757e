"""Stage 1: pretrain the local network Gamma (§6.1).

Random conditioning pairs (k-sets with ``conditioning_frames``), L_R = lambda * L_P +
(1 - lambda) * MSE with lambda growing from 0 to 0.9 (eq. 1,
:func:`rlvid.rovr.losses.lambda_schedule`); one Adam step per harness step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from rlvid.config import Config
from rlvid.harness import StepOutput
from rlvid.rovr.dataset import masked_set
from rlvid.rovr.losses import lambda_schedule, reconstruction_loss
from rlvid.rovr.nets import build_local
from rlvid.rovr.pairs import Choices, random_pairs, set_choices
from rlvid.rovr.runs import stage_dir
from rlvid.rovr.stage_runner import StageResult, run_stage


def apply_local(local: torch.nn.Module, data: Any, n: torch.Tensor, target: torch.Tensor,
                pair: torch.Tensor, source: torch.Tensor | None = None) -> torch.Tensor:
    """Gamma on states (n, target) with conditioning frames ``pair`` (B, k) taken from
    ``source`` (default: the corrupted videos)."""
    source = data.corrupted if source is None else source
    conds = [source[n, pair[:, i]] for i in range(pair.shape[1])]
    return local(data.corrupted[n, target], *conds, mask=data.masks[n, target])


def mix_valid_sets(pair: torch.Tensor, choices: Choices, share: float) -> torch.Tensor:
    """``pair`` (B, k) with each row replaced, with probability ``share``, by a set drawn
    uniformly from the state's valid ones in ``choices`` (rows without one keep theirs)."""
    weights = choices.weights(True)
    has = weights.sum(1) > 0
    swap = (torch.rand(pair.shape[0]) < share) & has
    if not swap.any():
        return pair
    flat = torch.multinomial(weights[swap], 1).squeeze(1)
    out = pair.clone()
    out[swap] = choices.sets[flat]
    return out


class LocalTrainer:
    """Gamma and its Adam; a step is one batch of random (video, target, pair) draws."""

    def __init__(self, cfg: Config):
        self.cfg, self.rcfg = cfg, cfg.rovr
        self.local = build_local(self.rcfg)  # seeded by the harness first
        self.opt = torch.optim.Adam(self.local.parameters(), lr=self.rcfg.local.lr)
        self.data = masked_set(cfg, "train")  # draws no random numbers
        self.model: torch.nn.Module = self.local  # what the step runs: DDP under torchrun
        self.shard = lambda batch: batch

    def distribute(self, ctx: Any) -> None:
        """Under torchrun (the harness calls this): Gamma in DDP, and every process draws the
        whole batch (same seed) and trains on its own shard of it, so the averaged gradient
        is the whole batch's."""
        self.model, self.shard = ctx.wrap(self.local), ctx.shard

    def step(self, index: int) -> StepOutput:
        rcfg, data = self.rcfg, self.data
        n_videos, n_frames = data.videos.shape[:2]
        n = torch.randint(n_videos, (rcfg.local.batch_size,))
        target = torch.randint(n_frames, (rcfg.local.batch_size,))
        k = rcfg.conditioning_frames
        pair = random_pairs(target, n_frames, k=k)  # random conditioning pairs (§6.1)
        if rcfg.local.valid_share > 0:  # errata: a share of valid pairs besides
            pair = mix_valid_sets(pair, set_choices(data, n, target, k), rcfg.local.valid_share)
        n, target, pair = self.shard(n), self.shard(target), self.shard(pair)
        lam = lambda_schedule(index, rcfg) if rcfg.local.perceptual else 0.0
        x_hat = apply_local(self.model, data, n, target, pair)
        loss, perceptual, mse = reconstruction_loss(x_hat, data.videos[n, target], lam)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return StepOutput({"L_R": float(loss.detach()),
                           "perceptual": float(perceptual.detach().mean()),
                           "mse": float(mse.detach().mean()), "lambda": lam},
                          phase="local", samples=int(n.shape[0]))

    def state_dict(self) -> dict[str, Any]:
        return {"local": self.local.state_dict(), "local_opt": self.opt.state_dict(),
                "stage": "local", "config": self.cfg.to_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.local.load_state_dict(state["local"])
        self.opt.load_state_dict(state["local_opt"])


def train_local(cfg: Config, seed: int, run_dir: str | Path | None = None,
                stop_after: int | None = None, progress: bool = True) -> StageResult:
    """Pretrain Gamma (§6.1); resumes from ``run_dir``; ``stop_after`` simulates a kill."""
    run_dir = Path(run_dir) if run_dir is not None else stage_dir(cfg, seed, "local")
    return run_stage(lambda: LocalTrainer(cfg), cfg, seed, run_dir, cfg.rovr.local.iterations,
                     "local", stop_after, progress, variant="local")
