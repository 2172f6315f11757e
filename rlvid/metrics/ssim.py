"""Structural similarity (Wang et al. 2004) with a Gaussian window, as scikit-image computes it."""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
import torch
import torch.nn.functional as F

SIGMA = 1.5
TRUNCATE = 3.5  # scipy.ndimage.gaussian_filter's default, used by skimage
WINDOW = 2 * int(TRUNCATE * SIGMA + 0.5) + 1  # 11


def gaussian_window(sigma: float = SIGMA, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """Normalised 1-D Gaussian of length ``2*int(3.5*sigma+0.5)+1`` (11 for sigma 1.5)."""
    radius = int(TRUNCATE * sigma + 0.5)
    x = torch.arange(-radius, radius + 1, dtype=torch.float64)
    w = torch.exp(-0.5 * (x / sigma) ** 2)
    return (w / w.sum()).to(dtype)


def _cv2_blur_valid(t: torch.Tensor, w1: torch.Tensor) -> torch.Tensor:
    """Separable filter of each (H, W) plane with ``w1``, cropped to the 'valid' region."""
    radius = (w1.numel() - 1) // 2
    planes = t.detach().reshape(-1, *t.shape[-2:]).numpy()
    kernel = w1.cpu().numpy().astype(planes.dtype)
    out = np.stack([
        cv2.sepFilter2D(plane, -1, kernel, kernel, borderType=cv2.BORDER_REFLECT)
        for plane in planes
    ])[:, radius:-radius, radius:-radius]
    return torch.from_numpy(out).reshape(*t.shape[:-2], *out.shape[-2:])


def ssim(
    a: torch.Tensor,
    b: torch.Tensor,
    data_range: float = 1.0,
    reduction: Literal["mean", "none"] = "mean",
    sigma: float = SIGMA,
) -> torch.Tensor:
    """Mean SSIM between images of shape (..., C, H, W); differentiable.

    With Gaussian-weighted local statistics (window 11, ``sigma`` 1.5) ``mu_a``, ``mu_b``,
    ``var_a = G*(a^2) - mu_a^2``, ``var_b``, ``cov = G*(ab) - mu_a mu_b`` and
    ``C1 = (0.01 R)^2``, ``C2 = (0.03 R)^2`` (``R = data_range``)::

        SSIM = (2 mu_a mu_b + C1)(2 cov + C2) / ((mu_a^2 + mu_b^2 + C1)(var_a + var_b + C2))

    averaged over the 'valid' positions (the window entirely inside the image) and over
    channels. Without gradients on the CPU the filtering runs in OpenCV (same numbers, much
    faster); with gradients it runs as torch convolutions. This equals
    ``skimage.metrics.structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False, data_range=R, channel_axis=0)``.
    ``reduction="none"`` returns one value per image, shape (...).
    """
    if a.shape != b.shape:
        raise ValueError(f"ssim: shapes differ: {tuple(a.shape)} vs {tuple(b.shape)}")
    if a.dim() < 3:
        raise ValueError(f"ssim: expected (..., C, H, W), got shape {tuple(a.shape)}")
    *lead, channels, height, width = a.shape
    w1 = gaussian_window(sigma, a.dtype if a.is_floating_point() else torch.float32)
    size = w1.numel()
    if height < size or width < size:
        raise ValueError(f"ssim: images must be at least {size}x{size}, got {height}x{width}")
    x = a.reshape(-1, channels, height, width)
    y = b.reshape(-1, channels, height, width).to(x.dtype)
    w1 = w1.to(x.device)
    kh = w1.view(1, 1, size, 1).expand(channels, 1, size, 1)
    kw = w1.view(1, 1, 1, size).expand(channels, 1, 1, size)

    use_cv2 = not (torch.is_grad_enabled() and (a.requires_grad or b.requires_grad))
    use_cv2 = use_cv2 and x.device.type == "cpu" and x.dtype in (torch.float32, torch.float64)

    def blur(t: torch.Tensor) -> torch.Tensor:  # separable Gaussian, 'valid' positions only
        if use_cv2:  # same numbers, ~30x faster than torch's CPU conv for one channel
            return _cv2_blur_valid(t, w1)
        return F.conv2d(F.conv2d(t, kh, groups=channels), kw, groups=channels)

    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x**2
    var_y = blur(y * y) - mu_y**2
    cov = blur(x * y) - mu_x * mu_y
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    s_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / (
        (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)
    )
    value = s_map.mean(dim=(1, 2, 3)).reshape(lead) if lead else s_map.mean()
    if reduction == "none":
        return value
    if reduction == "mean":
        return value.mean()
    raise ValueError(f"ssim: reduction must be 'mean' or 'none', got {reduction!r}")


__all__ = ["ssim", "gaussian_window", "WINDOW"]
