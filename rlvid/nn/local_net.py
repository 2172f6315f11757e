"""Gamma with masks and a residual over the copy (issue 14; errata "Gamma: masks and a
residual over the copy"), beside the paper's plain 9-channel UNet (:class:`LocalUNet`, §5.2.3).

:class:`MaskedResidualUNet` is a drop-in for :class:`LocalUNet`: the same call
``(target, cond_a, cond_b, mask=None) -> (N, 3, H, W)``. It reads each frame's holes from
its pixels (exactly 0 in all channels, the masked-set convention; a reconstructed frame has
none), pastes the conditioning frames' visible pixels into the target's holes (their mean
where both see a pixel; the mean of the target's visible pixels as a fallback where neither
does), and a UNet over the frames, that copy and the three masks (15
channels) learns a correction of the copy. Its last layer starts at zero, so an untrained
net returns the copy exactly.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn as nn
import torch.nn.functional as F

from rlvid.nn.rovr import LocalUNet

LocalNetKind = Literal["paper", "masked_residual"]
LOCAL_NETS: tuple[str, ...] = ("paper", "masked_residual")


def hidden_mask(frame: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) -> (N, 1, H, W) bool: pixels exactly 0 in every channel (hidden)."""
    return (frame == 0).all(dim=1, keepdim=True)


def copy_fill(target: torch.Tensor, cond_a: torch.Tensor, cond_b: torch.Tensor,
              mask: torch.Tensor, mask_a: torch.Tensor, mask_b: torch.Tensor) -> torch.Tensor:
    """The target's holes filled from the conditioning frames that see them (their mean
    where both do: where they disagree, one of them shows something the target may not),
    else (fallback) with the mean colour of the target's visible pixels."""
    visible = (~mask).to(target.dtype)
    mean = (target * visible).sum((2, 3), keepdim=True) / visible.sum((2, 3), keepdim=True
                                                                       ).clamp(min=1)
    seen_a, seen_b = (~mask_a).to(target.dtype), (~mask_b).to(target.dtype)
    seen = seen_a + seen_b
    fill = (cond_a * seen_a + cond_b * seen_b) / seen.clamp(min=1)
    fill = torch.where(seen > 0, fill, mean.expand_as(target))
    return torch.where(mask, fill, target)


class _DoubleConv(nn.Sequential):
    def __init__(self, cin: int, cout: int):
        super().__init__(
            nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(inplace=True),
        )


class MaskedResidualUNet(nn.Module):
    """Gamma over [target, copy, cond_a, cond_b, masks of all three] -> copy + residual."""

    in_channels = 15

    def __init__(self, channels: tuple[int, ...], paste_known: bool = True):
        super().__init__()
        self.paste_known = paste_known
        self.down = nn.ModuleList()
        prev = self.in_channels
        for ch in channels:
            self.down.append(_DoubleConv(prev, ch))
            prev = ch
        self.up = nn.ModuleList()
        self.fuse = nn.ModuleList()
        for ch in reversed(channels[:-1]):
            self.up.append(nn.ConvTranspose2d(prev, ch, 2, stride=2))
            self.fuse.append(_DoubleConv(2 * ch, ch))
            prev = ch
        self.out = nn.Conv2d(prev, 3, 1)
        nn.init.zeros_(self.out.weight)  # starts as the copy
        nn.init.zeros_(self.out.bias)
        self.factor = 2 ** (len(channels) - 1)

    def forward(
        self, target: torch.Tensor, cond_a: torch.Tensor, cond_b: torch.Tensor,
        mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """(N, 3, H, W) x3 (+ the target's (N, 1, H, W) bool holes) -> (N, 3, H, W) in [0, 1]."""
        h, w = target.shape[-2:]
        if h % self.factor or w % self.factor:
            raise ValueError(f"frame size {h}x{w} must be divisible by {self.factor}")
        mask = hidden_mask(target) if mask is None else mask
        mask_a, mask_b = hidden_mask(cond_a), hidden_mask(cond_b)
        copy = copy_fill(target, cond_a, cond_b, mask, mask_a, mask_b)
        x = torch.cat([target, copy, cond_a, cond_b,
                       mask.to(target.dtype), mask_a.to(target.dtype),
                       mask_b.to(target.dtype)], dim=1)
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else F.avg_pool2d(x, 2))
            skips.append(x)
        for up, fuse, skip in zip(self.up, self.fuse, reversed(skips[:-1])):
            x = fuse(torch.cat([up(x), skip], dim=1))
        out = (copy + self.out(x)).clamp(0.0, 1.0)
        return torch.where(mask, out, target) if self.paste_known else out


def build_local_net(channels: tuple[int, ...], paste_known: bool = True,
                    kind: str = "masked_residual") -> nn.Module:
    """Gamma of the named ``kind``: ``"paper"`` (§5.2.3's 9-channel UNet) or
    ``"masked_residual"`` (masks in, residual over the copy; errata)."""
    if kind == "paper":
        return LocalUNet(channels, paste_known=paste_known)
    if kind == "masked_residual":
        return MaskedResidualUNet(channels, paste_known=paste_known)
    raise ValueError(f"local_net must be one of {', '.join(LOCAL_NETS)}, got {kind!r}")
