"""Run directories, networks and the harness call shared by ROVR's three stages.

Each stage (:mod:`.local`, :mod:`.imitation`, :mod:`.ppg_stage`) is a trainer object with
``step(index)``, ``state_dict()`` and ``load_state_dict()``; :func:`run_stage` hands it to
:func:`rlvid.harness.train`, which seeds, builds it, resumes, checkpoints and stops. The
checkpoint holds the trainer's state under ``"trainer"`` (the weights ``load_local`` and
``load_policy`` read, the resolved config), and the stage's name beside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from rlvid import distributed
from rlvid.config import Config
from rlvid.config.rovr import ROVRConfig
from rlvid.errors import RlvidError
from rlvid.harness import Trainer, train
from rlvid.metrics import metric_backends
from rlvid.nn.local_net import build_local_net
from rlvid.nn.rovr import CriticNet, PolicyNet
from rlvid.nn.rovr_pair import PairPolicyNet
from rlvid.runtime import runs_root

STAGES = ("local", "imitation", "ppg")
IDENTITY_SECTIONS = ("data", "rovr")  # what a stage's run depends on (as config_tag)


def masked_set(cfg: Config, split: str, seed: int | None = None) -> Any:
    """The masked-video task of ROVR §4 (``rlvid.data.make_masked_set``); ``seed`` defaults
    to ``cfg.rovr.data_seed``: one fixed task, training seeds vary the networks only."""
    from rlvid.data import make_masked_set

    return make_masked_set(cfg.data, split, cfg.rovr.data_seed if seed is None else seed)


def config_tag(cfg: Config) -> str:
    """Profile plus a short hash of the data and ROVR sections: runs with other settings
    never reuse each other's checkpoints. ``rovr.conditioning_frames`` enters only when it is
    not the paper's 2, so k = 2 runs keep the directories they had before the option."""
    rovr = cfg.to_dict()["rovr"]
    if rovr["conditioning_frames"] == 2:
        del rovr["conditioning_frames"]
    blob = json.dumps({"data": cfg.to_dict()["data"], "rovr": rovr},
                      sort_keys=True, default=str)
    return f"{cfg.profile}-{hashlib.sha1(blob.encode()).hexdigest()[:8]}"


def stage_meta(stage: str, variant: str | None = None) -> dict[str, str]:
    """What a stage's checkpoint and run-folder identity record besides profile and seed."""
    return {"stage": stage, **({"variant": variant} if variant else {})}


def stage_dir(cfg: Config, seed: int, stage: str, root: str | Path | None = None) -> Path:
    """``<runs>/rovr/<profile>-<hash>/seed<seed>/<stage>``."""
    base = Path(root) if root is not None else runs_root() / "rovr" / config_tag(cfg)
    return base / f"seed{seed}" / stage


# ---------------------------------------------------------------- networks


def build_local(rcfg: ROVRConfig) -> torch.nn.Module:
    """Gamma as ``rcfg.local_net`` names it (:func:`rlvid.nn.local_net.build_local_net`)."""
    return build_local_net(rcfg.unet_channels, rcfg.paste_known, rcfg.local_net,
                           rcfg.conditioning_frames)


def require_pairs(rcfg: ROVRConfig, what: str) -> None:
    """Refuse, in one line, a part of the kit defined for the paper's pairs only."""
    if rcfg.conditioning_frames != 2:
        raise RlvidError(f"{what} is not supported for k > 2 conditioning frames "
                         f"(conditioning_frames = {rcfg.conditioning_frames})")


def state_channels(rcfg: ROVRConfig) -> int:
    """Channels of a state tile: RGB, plus the mask with ``policy_masks``."""
    return 4 if rcfg.policy_masks else 3


def build_policy(rcfg: ROVRConfig, action: str | None = None) -> PolicyNet | PairPolicyNet:
    """pi with ``action`` (default ``rcfg.action``): "pair" (pair-aware, ours) or "top2"
    (top-k with k = ``conditioning_frames``)."""
    k = rcfg.conditioning_frames
    if (action or rcfg.action) == "pair":
        return PairPolicyNet(rcfg.policy_channels, rcfg.policy_hidden, state_channels(rcfg),
                             rcfg.tile_size, rcfg.pair_grid_features, frames=k)
    return PolicyNet(rcfg.policy_channels, rcfg.policy_hidden, state_channels(rcfg), frames=k)


def build_critic(rcfg: ROVRConfig) -> CriticNet:
    return CriticNet(rcfg.policy_channels, rcfg.policy_hidden, state_channels(rcfg))


def load_local(cfg: Config, state: dict[str, Any]) -> torch.nn.Module:
    local = build_local(cfg.rovr)
    local.load_state_dict(state["local"])
    return local.eval()


def load_policy(cfg: Config, state: dict[str, Any]) -> PolicyNet | PairPolicyNet:
    policy = build_policy(cfg.rovr, state.get("action", "top2"))
    policy.load_state_dict(state["policy"])
    return policy.eval()


# ---------------------------------------------------------------- one stage through the harness


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
