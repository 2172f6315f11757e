"""Which implementation produced a metric, and why (for provenance and result tables).

The machines this kit targets have no internet, so a backend that needs downloaded weights
(LPIPS's AlexNet, RAFT) is used only when its file is already in the torch hub cache
(``$TORCH_HOME/hub/checkpoints``, see :func:`torch.hub.get_dir`). Nothing is ever downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from rlvid.errors import RlvidError

# File names torchvision's weight enums download into the hub cache.
ALEXNET_WEIGHTS = "alexnet-owt-7be5be79.pth"
VGG16_WEIGHTS = "vgg16-397923af.pth"
RAFT_SMALL_WEIGHTS = "raft_small_C_T_V2-01064c6d.pth"


@dataclass(frozen=True)
class Backend:
    """The implementation behind a metric (``name``) and why it was chosen (``reason``)."""

    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name} ({self.reason})"


def checkpoint_dir() -> Path:
    """The torch hub checkpoint folder where cached weight files are looked up."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def cached_weights(filename: str) -> Path | None:
    """Path of ``filename`` in :func:`checkpoint_dir` if it is there, else ``None``."""
    path = checkpoint_dir() / filename
    return path if path.is_file() else None



def choose_backend(metric: str, requested: str, fallback: str, weighted: str,
                   weights_file: str, weights_label: str) -> Backend:
    """The backend of ``metric`` that ``requested`` resolves to, with the reason.

    ``weighted`` runs only when ``weights_file`` is in :func:`checkpoint_dir`, ``fallback``
    always; ``"auto"`` picks ``weighted`` when its weights are there, else ``fallback``
    (the reason names ``weights_label``). Raises for ``weighted`` without its weights and
    for an unknown name.
    """
    weights = cached_weights(weights_file)
    if requested == "auto":
        if weights is not None:
            return Backend(weighted, f"{weights_label} weights found in {weights.parent}")
        return Backend(fallback, f"{weights_label} weights not in torch cache")
    if requested == fallback:
        return Backend(fallback, "requested")
    if requested == weighted:
        if weights is None:
            raise RlvidError(
                f"{metric} backend {weighted!r} needs {weights_file} in {checkpoint_dir()} "
                f"(nothing is downloaded); place it there or use backend={fallback!r}")
        return Backend(weighted, "requested; weights in torch cache")
    raise RlvidError(f"unknown {metric} backend {requested!r}; choose auto, {fallback}, "
                     f"{weighted}")
