"""Run directories of ROVR's three stages: ``<runs>/rovr/<profile>-<hash>/seed<seed>/<stage>``,
and what identifies a stage's run in its folder (:func:`rlvid.storage.rundir.run_identity`)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from rlvid.config import Config
from rlvid.runtime import runs_root

STAGES = ("local", "imitation", "ppg")
IDENTITY_SECTIONS = ("data", "rovr")  # what a stage's run depends on (as config_tag)


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
