"""Blocks R, RPB and URB (§3.4, Figure 4) with sequence-wise batch normalisation (§6.2).

Every block maps ``(B, T, C, H, W)`` videos and carries the state of its one ConvLSTM,
so a network's state is the list of its blocks' states. ``recurrent=False`` swaps the
ConvLSTM for a per-frame convolution: the frame-based baselines reuse the blocks that way.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from rlvid.nn.convlstm import ConvLSTM, State


def frames(x: torch.Tensor) -> torch.Tensor:
    """``(B, T, C, H, W) -> (B*T, C, H, W)``."""
    return x.reshape(-1, *x.shape[2:])


def videos(x: torch.Tensor, batch: int) -> torch.Tensor:
    """``(B*T, C, H, W) -> (B, T, C, H, W)``."""
    return x.reshape(batch, -1, *x.shape[1:])


class SequenceBatchNorm(nn.Module):
    """BatchNorm whose statistics run over batch AND time (§6.2 "sequence-wise").

    The video is reshaped to ``(B*T, C, H, W)`` and passed through ``BatchNorm2d``; with a
    ``mask`` only the real (unpadded) frames enter the statistics and are normalised.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.norm = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if mask is None:
            return videos(self.norm(frames(x)), x.shape[0])
        out = x.clone()
        out[mask] = self.norm(x[mask])
        return out


@torch.no_grad()
def recalibrated(net: nn.Module, videos: torch.Tensor, batch_size: int) -> nn.Module:
    """A copy of ``net`` in eval mode whose batch-norm running statistics are recomputed on
    ``videos`` alone: the average of the batch statistics of ``batch_size`` videos at a time,
    in order (no randomness), with the weights untouched.

    During training a generator also sees other inputs than the ones it translates at test
    time (G_y runs on G_x's fakes in the recycle loss, eq. 6), and the running averages mix
    them in, so eval mode normalised x with the wrong statistics (errata: "Batch-norm
    statistics of the saved translators").
    """
    net = copy.deepcopy(net)
    norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the passes below
    net.train()
    for start in range(0, videos.shape[0], batch_size):
        net(videos[start:start + batch_size])
    for m in norms:
        m.momentum = 0.1
    return net.eval()


class BlockR(nn.Module):
    """Block R (Figure 4a): ``LeakyReLU(ConvLSTM(x) + skip(x))``.

    ``skip`` is a 1x1 convolution when the widths differ, else the identity."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 recurrent: bool = True):
        super().__init__()
        self.recurrent = recurrent
        if recurrent:
            self.core: nn.Module = ConvLSTM(in_channels, out_channels, kernel_size)
        else:
            self.core = nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
        self.skip = (nn.Identity() if in_channels == out_channels
                     else nn.Conv2d(in_channels, out_channels, 1))
        self.act = nn.LeakyReLU(0.2)

    def forward(self, x: torch.Tensor, state: State | None = None,
                mask: torch.Tensor | None = None) -> tuple[torch.Tensor, State | None]:
        b = x.shape[0]
        if self.recurrent:
            y, state = self.core(x, state, mask)
        else:
            y = videos(self.core(frames(x)), b)
        return self.act(y + videos(self.skip(frames(x)), b)), state


class RPB(nn.Module):
    """Residual-Pooling-BatchNorm (Figure 4b): block R, 2x2 max pooling, sequence-wise BN
    (``norm=False`` leaves BN out: the critics' input block, errata)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 recurrent: bool = True, norm: bool = True):
        super().__init__()
        self.residual = BlockR(in_channels, out_channels, kernel_size, recurrent)
        self.pool = nn.MaxPool2d(2, ceil_mode=True)
        self.norm = SequenceBatchNorm(out_channels) if norm else None

    def forward(self, x: torch.Tensor, state: State | None = None,
                mask: torch.Tensor | None = None) -> tuple[torch.Tensor, State | None]:
        y, state = self.residual(x, state, mask)
        y = videos(self.pool(frames(y)), x.shape[0])
        return (y if self.norm is None else self.norm(y, mask)), state


class URB(nn.Module):
    """Upsampling-Residual-BatchNorm (Figure 4c): 2x nearest upsampling, block R, BN."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 recurrent: bool = True):
        super().__init__()
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.residual = BlockR(in_channels, out_channels, kernel_size, recurrent)
        self.norm = SequenceBatchNorm(out_channels)

    def forward(self, x: torch.Tensor, state: State | None = None,
                mask: torch.Tensor | None = None) -> tuple[torch.Tensor, State | None]:
        y = videos(self.up(frames(x)), x.shape[0])
        y, state = self.residual(y, state, mask)
        return self.norm(y, mask), state
