"""Untrained but valid checkpoints for CLI tests: built in milliseconds, no training."""

from __future__ import annotations

from pathlib import Path

import torch

from rlvid.config import load_config
from rlvid.nn.v2v import SeqToSeq
from rlvid.runtime import save_checkpoint


def v2v_translator(path: Path, size: int = 16, frames: int = 4) -> Path:
    """A smoke-sized x -> y translator as ``save_translator`` writes it (``model.pt``)."""
    torch.manual_seed(0)
    net = SeqToSeq(channels=(2, 4, 4))
    state = {"method": "rlv2v", "profile": "smoke", "spec": net.spec, "frames": frames,
             "size": size, "state_dict": net.state_dict()}
    save_checkpoint(path, state)
    return path


def rovr_local(path: Path, size: int = 32) -> Path:
    """A ROVR local-stage checkpoint (the smoke profile's UNet), frame size ``size``."""
    from rlvid.rovr.nets import build_local

    torch.manual_seed(0)
    cfg = load_config("smoke", {"data.rovr_size": size})
    state = {"local": build_local(cfg.rovr).state_dict(), "iteration": 0, "done": True,
             "stage": "local", "config": cfg.to_dict()}
    save_checkpoint(path, state)
    return path
