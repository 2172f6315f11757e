"""Peak signal-to-noise ratio."""

from __future__ import annotations

from typing import Literal

import torch


def psnr(
    a: torch.Tensor,
    b: torch.Tensor,
    data_range: float = 1.0,
    reduction: Literal["mean", "none"] = "mean",
) -> torch.Tensor:
    """PSNR in dB between images ``a`` and ``b`` of shape (..., C, H, W).

    For each image, ``PSNR = 10 log10(R^2 / MSE)`` with ``R = data_range`` and
    ``MSE = mean over (C, H, W) of (a - b)^2``; identical images give ``inf``.
    ``reduction="none"`` returns the per-image values, shape (...); ``"mean"`` returns
    their mean (the mean of per-frame PSNRs, as video papers report it, not the PSNR of
    the mean MSE).

    >>> a = torch.zeros(1, 3, 4, 4)
    >>> round(float(psnr(a, a + 0.1)), 4)
    20.0
    """
    if a.shape != b.shape:
        raise ValueError(f"psnr: shapes differ: {tuple(a.shape)} vs {tuple(b.shape)}")
    if a.dim() < 3:
        raise ValueError(f"psnr: expected (..., C, H, W), got shape {tuple(a.shape)}")
    mse = (a.double() - b.double()).pow(2).mean(dim=(-3, -2, -1))
    value = 10.0 * torch.log10(data_range**2 / mse)
    if reduction == "none":
        return value
    if reduction == "mean":
        return value.mean()
    raise ValueError(f"psnr: reduction must be 'mean' or 'none', got {reduction!r}")
