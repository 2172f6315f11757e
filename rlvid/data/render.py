"""Small numpy helpers shared by the procedural renderers.

Every renderer draws at ``SUPERSAMPLE`` times the target size and averages blocks
down (:func:`downsample`), which anti-aliases edges so a 32x32 frame still shows
the shapes clearly. Images are float32 in [0, 1], channels last while drawing
(``(..., H, W, 3)``) and channels first in the returned sets (``(..., 3, H, W)``).
"""

from __future__ import annotations

import colorsys

import cv2
import numpy as np

SUPERSAMPLE = 2  # draw at 2x, then average 2x2 blocks


def downsample(images: np.ndarray, factor: int = SUPERSAMPLE) -> np.ndarray:
    """Average ``factor`` x ``factor`` blocks of ``(..., H, W[, C])`` images (box filter)."""
    if factor == 1:
        return images
    has_channels = images.ndim >= 3 and images.shape[-1] in (1, 3) and images.shape[-2] > 3
    if has_channels:
        *lead, h, w, c = images.shape
        blocks = images.reshape(*lead, h // factor, factor, w // factor, factor, c)
        return blocks.mean(axis=(-4, -2))
    *lead, h, w = images.shape
    blocks = images.reshape(*lead, h // factor, factor, w // factor, factor)
    return blocks.mean(axis=(-3, -1))


def pixel_grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates ``(ys, xs)`` in [0, 1) of a ``size`` x ``size`` raster."""
    coords = (np.arange(size, dtype=np.float32) + 0.5) / size
    return coords[:, None], coords[None, :]


def to_channels_first(images: np.ndarray) -> np.ndarray:
    """``(..., H, W, C)`` -> ``(..., C, H, W)`` float32 in [0, 1], contiguous."""
    moved = np.moveaxis(images, -1, -3)
    return np.ascontiguousarray(np.clip(moved, 0.0, 1.0), dtype=np.float32)


def hsv_colours(hue: np.ndarray, sat: np.ndarray, val: np.ndarray) -> np.ndarray:
    """RGB colours ``(..., 3)`` from arrays of hue, saturation and value in [0, 1]."""
    flat = [colorsys.hsv_to_rgb(h, s, v) for h, s, v in zip(hue.ravel(), sat.ravel(), val.ravel())]
    return np.asarray(flat, dtype=np.float32).reshape(*np.shape(hue), 3)


def smooth_noise(
    rng: np.random.Generator, size: int, cells: int, octaves: int = 3, aspect: float = 1.0
) -> np.ndarray:
    """Fractal value noise in [0, 1], shape ``(size, size)``.

    ``cells`` is the coarsest lattice (features about ``size / cells`` pixels wide);
    each octave doubles the lattice and halves the amplitude. ``aspect`` > 1 stretches
    features vertically (grass blades), < 1 horizontally.
    """
    total = np.zeros((size, size), np.float32)
    amplitude, weight = 1.0, 0.0
    for octave in range(octaves):
        n = cells * 2**octave
        ny = max(2, int(round(n / aspect)))
        lattice = rng.random((ny + 1, n + 1), dtype=np.float32)
        total += amplitude * cv2.resize(lattice, (size, size), interpolation=cv2.INTER_CUBIC)
        weight += amplitude
        amplitude /= 2
    total /= weight
    lo, hi = total.min(), total.max()
    return (total - lo) / max(hi - lo, 1e-6)


def bounce_paths(
    rng: np.random.Generator, n: int, k: int, frames: int, margin: np.ndarray,
    speed: tuple[float, float] = (0.03, 0.08),
) -> np.ndarray:
    """Centres ``(n, frames, k, 2)`` (y, x in [0, 1]) of ``k`` objects per video.

    Each object moves at a constant speed and bounces off the walls, staying at least
    ``margin`` (shape ``(n, k)``, in frame units) from every edge.
    """
    lo = margin[..., None]  # (n, k, 1)
    span = np.maximum(1.0 - 2 * lo, 1e-3)
    start = lo + rng.random((n, k, 2)) * span
    angle = rng.uniform(0, 2 * np.pi, (n, k))
    step = rng.uniform(*speed, (n, k))
    velocity = np.stack([np.sin(angle), np.cos(angle)], -1) * step[..., None]
    t = np.arange(frames)[None, :, None, None]
    raw = (start[:, None] - lo[:, None]) + velocity[:, None] * t  # unfolded path
    period = 2 * span[:, None]
    folded = np.abs((raw % period + period) % period)
    folded = np.where(folded > span[:, None], period - folded, folded)  # reflect at walls
    return (folded + lo[:, None]).astype(np.float32)
