"""Gamma with masks and a residual over the copy (issue 14; errata "Gamma: masks and a
residual over the copy"), beside the paper's plain 9-channel UNet (:class:`LocalUNet`, §5.2.3).

:class:`MaskedResidualUNet` is a drop-in for :class:`LocalUNet` (its subclass, the same
UNet): the same call ``(target, cond_a, cond_b, mask=None) -> (N, 3, H, W)``, or with k
conditioning frames (``frames``; §8's future work). It reads each frame's holes from its
pixels (exactly 0 in all channels, the masked-set convention; a reconstructed frame has
none), pastes the conditioning frames' visible pixels into the target's holes (their mean
where several see a pixel; the mean of the target's visible pixels as a fallback where none
does), and a UNet over the frames, that copy and the masks (15 channels for two frames,
7 + 4k for k) learns a correction of the copy. Its last layer starts at zero, so an
untrained net returns the copy exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
import torch.nn as nn

from rlvid.nn.rovr import LocalUNet

LocalNetKind = Literal["paper", "masked_residual"]
LOCAL_NETS: tuple[str, ...] = ("paper", "masked_residual")


def hidden_mask(frame: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) -> (N, 1, H, W) bool: pixels exactly 0 in every channel (hidden)."""
    return (frame == 0).all(dim=1, keepdim=True)


def copy_fill(target: torch.Tensor, conds: Sequence[torch.Tensor], mask: torch.Tensor,
              cond_masks: Sequence[torch.Tensor]) -> torch.Tensor:
    """The target's holes filled from the conditioning frames that see them (their mean
    where several do: where they disagree, one of them shows something the target may not),
    else (fallback) with the mean colour of the target's visible pixels."""
    visible = (~mask).to(target.dtype)
    mean = (target * visible).sum((2, 3), keepdim=True) / visible.sum((2, 3), keepdim=True
                                                                       ).clamp(min=1)
    seen_each = [(~m).to(target.dtype) for m in cond_masks]
    seen, total = seen_each[0], conds[0] * seen_each[0]
    for cond, seen_one in zip(conds[1:], seen_each[1:]):
        seen, total = seen + seen_one, total + cond * seen_one
    fill = total / seen.clamp(min=1)
    fill = torch.where(seen > 0, fill, mean.expand_as(target))
    return torch.where(mask, fill, target)


class MaskedResidualUNet(LocalUNet):
    """Gamma over [target, copy, k conditioning frames, masks of all k + 1] -> copy +
    residual (a :class:`LocalUNet` with 7 + 4k input channels, output layer zeroed)."""

    def __init__(self, channels: tuple[int, ...], paste_known: bool = True, frames: int = 2):
        super().__init__(channels, paste_known, frames, in_channels=7 + 4 * frames)
        nn.init.zeros_(self.out.weight)  # starts as the copy
        nn.init.zeros_(self.out.bias)

    def forward(self, target: torch.Tensor, *conds: torch.Tensor,
                mask: torch.Tensor | None = None) -> torch.Tensor:
        """(N, 3, H, W) target and k conditioning frames (+ the target's (N, 1, H, W) bool
        holes) -> (N, 3, H, W) in [0, 1]."""
        self.check_inputs(target, conds)
        mask = hidden_mask(target) if mask is None else mask
        cond_masks = [hidden_mask(c) for c in conds]
        copy = copy_fill(target, conds, mask, cond_masks)
        x = torch.cat([target, copy, *conds, mask.to(target.dtype),
                       *(m.to(target.dtype) for m in cond_masks)], dim=1)
        out = (copy + self.unet(x)).clamp(0.0, 1.0)
        return torch.where(mask, out, target) if self.paste_known else out


def build_local_net(channels: tuple[int, ...], paste_known: bool = True,
                    kind: str = "masked_residual", frames: int = 2) -> nn.Module:
    """Gamma of the named ``kind``: ``"paper"`` (§5.2.3's 9-channel UNet) or
    ``"masked_residual"`` (masks in, residual over the copy; errata), over ``frames``
    conditioning frames (2: the paper's pair)."""
    if kind == "paper":
        return LocalUNet(channels, paste_known=paste_known, frames=frames)
    if kind == "masked_residual":
        return MaskedResidualUNet(channels, paste_known=paste_known, frames=frames)
    raise ValueError(f"local_net must be one of {', '.join(LOCAL_NETS)}, got {kind!r}")
