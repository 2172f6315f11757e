"""``rlvid train rovr --stage``: one stage for one seed, with the stages it depends on."""

from __future__ import annotations

from pathlib import Path

from rlvid.config import Config
from rlvid.errors import RlvidError
from rlvid.rovr.imitation import imitation_name, train_imitation
from rlvid.rovr.local import train_local
from rlvid.rovr.ppg_stage import train_ppg
from rlvid.rovr.runs import STAGES, StageResult


def train_stage(cfg: Config, stage: str, seed: int, run_dir: str | Path | None = None,
                flow_reward: bool = True, warm_start: bool = True) -> StageResult:
    """Run ``stage`` for one seed, training (or reusing) the stages it depends on."""
    if stage not in STAGES:
        raise RlvidError(f"--stage must be one of {', '.join(STAGES)}, got {stage!r}")
    root = Path(run_dir) if run_dir is not None else None
    if stage == "local":
        return train_local(cfg, seed, root)
    local = train_local(cfg, seed, None if root is None else root.parent / "local").state
    if stage == "imitation":
        return train_imitation(cfg, seed, local, root)
    warm = None
    if warm_start:
        warm = train_imitation(cfg, seed, local, None if root is None
                               else root.parent / imitation_name(cfg.rovr.imitation_loss,
                                                                 cfg.rovr.action)).state
    return train_ppg(cfg, seed, local, warm, flow_reward, root)
