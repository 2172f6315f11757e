"""Synthetic shapes (RL-V2V-GAN §6.1, dataset 1; Figure 1; Table 2).

- X: colourful rectangles moving on black.
- Y: circles moving on a background that is blue in the first half of each video and
  red in the second half (the Figure 1 rule: frame t is blue iff 2 t < T).
- Z: circles moving on black.
- Zbar: images of random circles on a blue or a red background.
- twin of an X video: the same objects (same centres, colours and areas, so the same
  foreground centroids) drawn as circles on the blue-then-red background.

A circle replaces a 2h x 2w rectangle with the circle of the same area, radius
``2 sqrt(h w / pi)``, so a twin's foreground centroid equals its source's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlvid.data.render import SUPERSAMPLE, bounce_paths, downsample, hsv_colours, pixel_grid
from rlvid.progress import progress

BLACK = np.zeros(3, np.float32)
BLUE = np.array([0.10, 0.20, 0.90], np.float32)
RED = np.array([0.90, 0.12, 0.10], np.float32)
MAX_OBJECTS = 3


@dataclass(frozen=True)
class Motion:
    """Objects of ``n`` videos: centres ``(n, T, k, 2)`` (y, x in [0, 1]),
    rectangle half-sizes ``(n, k, 2)``, colours ``(n, k, 3)``, ``present`` ``(n, k)``."""

    centres: np.ndarray
    half: np.ndarray
    colours: np.ndarray
    present: np.ndarray

    @property
    def radius(self) -> np.ndarray:
        """Radius ``(n, k)`` of the circle with the rectangle's area."""
        return 2 * np.sqrt(self.half[..., 0] * self.half[..., 1] / np.pi)


def random_motion(rng: np.random.Generator, n: int, frames: int) -> Motion:
    """1..3 objects per video with random sizes, bright colours and bouncing paths."""
    k = MAX_OBJECTS
    half = rng.uniform(0.07, 0.15, (n, k, 2)).astype(np.float32)
    # hues from yellow through green to cyan and violet-pink: colourful, never the
    # pure blue or red of the target backgrounds
    hue = np.where(rng.random((n, k)) < 0.8, rng.uniform(0.12, 0.55, (n, k)),
                   rng.uniform(0.75, 0.9, (n, k)))
    colours = hsv_colours(hue, rng.uniform(0.55, 1.0, (n, k)), rng.uniform(0.85, 1.0, (n, k)))
    count = rng.integers(1, k + 1, n)
    present = np.arange(k)[None, :] < count[:, None]
    r = 2 * np.sqrt(half[..., 0] * half[..., 1] / np.pi)
    margin = np.maximum(np.maximum(half[..., 0], half[..., 1]), r) + 0.01
    centres = bounce_paths(rng, n, k, frames, margin)
    return Motion(centres, half, colours, present)


def background_black(n: int, frames: int) -> np.ndarray:
    return np.broadcast_to(BLACK, (n, frames, 3)).copy()


def background_blue_then_red(n: int, frames: int) -> np.ndarray:
    """Figure 1 rule: blue while 2 t < T, red afterwards; shape ``(n, T, 3)``."""
    blue = 2 * np.arange(frames) < frames
    return np.broadcast_to(np.where(blue[:, None], BLUE, RED), (n, frames, 3)).copy()


def render(
    motion: Motion, size: int, shape: str, background: np.ndarray, chunk: int = 16
) -> tuple[np.ndarray, np.ndarray]:
    """Draw objects over per-frame background colours ``(n, T, 3)``.

    Returns frames ``(n, T, H, W, 3)`` and foreground masks ``(n, T, H, W)`` (bool: at
    least half of the pixel covered), both at ``size`` after 2x supersampling.
    """
    n, frames = motion.centres.shape[:2]
    big = size * SUPERSAMPLE
    ys, xs = pixel_grid(big)
    video = np.empty((n, frames, size, size, 3), np.float32)
    fg = np.empty((n, frames, size, size), bool)
    for lo in progress(range(0, n, chunk), desc=f"synthetic: rendering {shape}s"):
        sl = slice(lo, lo + chunk)
        cy = motion.centres[sl, :, :, 0, None, None]  # (c, T, k, 1, 1)
        cx = motion.centres[sl, :, :, 1, None, None]
        if shape == "rectangle":
            hy = motion.half[sl, None, :, 0, None, None]
            hx = motion.half[sl, None, :, 1, None, None]
            cover = (np.abs(ys - cy) <= hy) & (np.abs(xs - cx) <= hx)
        elif shape == "circle":
            r = motion.radius[sl, None, :, None, None]
            cover = (ys - cy) ** 2 + (xs - cx) ** 2 <= r**2
        else:
            raise ValueError(f"shape must be 'rectangle' or 'circle', got {shape!r}")
        cover &= motion.present[sl, None, :, None, None]
        canvas = np.broadcast_to(
            background[sl, :, None, None, :], (*cover.shape[:2], big, big, 3)
        ).copy()
        for k in range(cover.shape[2]):  # painter's order: later objects on top
            canvas = np.where(cover[:, :, k, ..., None], motion.colours[sl, None, k, None, None],
                              canvas)
        video[sl] = downsample(canvas)
        fg[sl] = downsample(cover.any(axis=2).astype(np.float32)) >= 0.5
    return video, fg


def make_sets(
    rngs: dict[str, np.random.Generator], counts: dict[str, int], size: int, frames: int
) -> dict[str, np.ndarray]:
    """Every domain of dataset 1, channels last; see :mod:`rlvid.data.v2v_sets`."""
    out: dict[str, np.ndarray] = {}
    black, blue_red = background_black, background_blue_then_red
    m = random_motion(rngs["x"], counts["x"], frames)
    out["x"], _ = render(m, size, "rectangle", black(counts["x"], frames))
    m = random_motion(rngs["y"], counts["y"], frames)
    out["y"], _ = render(m, size, "circle", blue_red(counts["y"], frames))
    m = random_motion(rngs["z"], counts["z"], frames)
    out["z"], _ = render(m, size, "circle", black(counts["z"], frames))
    m = random_motion(rngs["y_test"], counts["y_test"], frames)
    out["y_test"], _ = render(m, size, "circle", blue_red(counts["y_test"], frames))
    # Zbar: still images of circles on either blue or red
    rng = rngs["zbar"]
    m = random_motion(rng, counts["zbar"], 1)
    bg = np.where(rng.random(counts["zbar"])[:, None, None] < 0.5, BLUE, RED)
    zbar, _ = render(m, size, "circle", bg.astype(np.float32))
    out["zbar"] = zbar[:, 0]
    # held-out X videos and their twins: one motion, two renderings
    m = random_motion(rngs["x_test"], counts["x_test"], frames)
    out["x_test"], out["x_test_fg"] = render(m, size, "rectangle", black(counts["x_test"], frames))
    out["x_test_twin"], out["twin_fg"] = render(
        m, size, "circle", blue_red(counts["x_test"], frames)
    )
    return out
