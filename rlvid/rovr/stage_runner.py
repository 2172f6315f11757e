"""One ROVR stage through :func:`rlvid.harness.train`.

Each stage (:mod:`.local`, :mod:`.imitation`, :mod:`.ppg_stage`) is a trainer object with
``step(index)``, ``state_dict()`` and ``load_state_dict()``; :func:`run_stage` hands it to
:func:`rlvid.harness.train`, which seeds, builds it, resumes, checkpoints and stops. The
checkpoint holds the trainer's state under ``"trainer"`` (the weights
:func:`rlvid.rovr.nets.load_local` and :func:`~rlvid.rovr.nets.load_policy` read, the resolved
config), and the stage's name beside it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from rlvid.config import Config
from rlvid.harness import Trainer, train
from rlvid.metrics import metric_backends
from rlvid.parallel import distributed
from rlvid.rovr.runs import IDENTITY_SECTIONS, stage_meta


@dataclass
class StageResult:
    run_dir: Path
    iteration: int  # harness steps done
    done: bool
    state: dict[str, Any]  # the trainer's state_dict: weights, "stage", "config"
    counts: dict[str, Any] = field(default_factory=dict)  # harness PhaseCounts per phase

    def total(self, key: str) -> float:
        """A count summed over the stage's phases (wall_s, updates, samples, flops)."""
        return float(sum(getattr(c, key) for c in self.counts.values()))


def stage_state(checkpoint: dict[str, Any]) -> dict[str, Any]:
    """A stage's state from its ``checkpoint.pt`` (the harness keeps it under ``"trainer"``);
    any other dict is returned as it is."""
    if isinstance(checkpoint, dict) and "stage" in checkpoint and isinstance(
            checkpoint.get("trainer"), dict):
        return checkpoint["trainer"]
    return checkpoint


def run_stage(make_trainer: Callable[[], Trainer], cfg: Config, seed: int, run_dir: Path,
              total_steps: int, stage: str, stop_after: int | None = None,
              progress: bool = True, log_every: int | None = None,
              variant: str | None = None) -> StageResult:
    """Train (or resume, or reuse) one stage with :func:`rlvid.harness.train`; the run folder
    must hold this stage (``variant``: its default folder name) at this config."""
    made: list[Trainer] = []

    def make() -> Trainer:
        made.append(make_trainer())
        return made[-1]

    # ROVR's code follows torch's default device; under torchrun that is this process's
    # (nccl reduces CUDA tensors only); one process keeps the default, as before
    ctx = distributed.context()
    with torch.device(ctx.device) if ctx.active else contextlib.nullcontext():
        result = train(make, run_dir, total_steps, seed, config=cfg,
                       checkpoint_every=cfg.rovr.checkpoint_every,
                       log_every=log_every or cfg.rovr.log_every, max_steps=stop_after,
                       progress=progress, desc=f"{run_dir.name} seed {seed}",
                       flop_samples=cfg.rovr.flop_samples,
                       meta=stage_meta(stage, variant), backends=metric_backends(),
                       sections=IDENTITY_SECTIONS)
    return StageResult(run_dir, result.step, result.status == "done", made[-1].state_dict(),
                       result.counts)
