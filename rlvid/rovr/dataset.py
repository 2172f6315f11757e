"""ROVR's data: the masked-video task of §4, one fixed task per config."""

from __future__ import annotations

from typing import Any

from rlvid.config import Config


def masked_set(cfg: Config, split: str, seed: int | None = None) -> Any:
    """The masked-video task of ROVR §4 (``rlvid.data.make_masked_set``); ``seed`` defaults
    to ``cfg.rovr.data_seed``: one fixed task, training seeds vary the networks only."""
    from rlvid.data import make_masked_set

    return make_masked_set(cfg.data, split, cfg.rovr.data_seed if seed is None else seed)
