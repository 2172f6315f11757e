"""Procedural flowers (RL-V2V-GAN §6.1, dataset 2; Table 3).

- X: red flowers blooming on black.
- Y: yellow flowers blooming on natural backgrounds.
- Z: yellow flowers blooming on black (the paper's "images"; here frames of videos).
- Zbar: still images of flowers of random colours on natural backgrounds.
- twin of an X video: the same flower and bloom in yellow on a natural background.

A flower has a petal count, a petal shape (width and pointedness), a size, a bloom
curve over time (a logistic opening), a sway of its centre and a slow rotation, two
rings of petals shaded from base to tip, a disc and a stem. "Natural" backgrounds are
procedural foliage, grass, or sky over foliage (smooth value noise, slightly blurred).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from rlvid.data.render import SUPERSAMPLE, downsample, hsv_colours, pixel_grid, smooth_noise
from rlvid.progress import progress


@dataclass(frozen=True)
class Flowers:
    """Parameters of ``n`` flowers, one per video; arrays have a leading ``n`` axis."""

    centre: np.ndarray  # (n, 2) y, x in [0, 1]
    petals: np.ndarray  # (n,) petal count
    width: np.ndarray  # (n,) petal half-width as a share of the angle between petals
    point: np.ndarray  # (n,) petal shape exponent (small: round, large: pointed)
    radius: np.ndarray  # (n,) fully open radius, frame units
    bloom: np.ndarray  # (n, T) openness in [0, 1]
    sway: np.ndarray  # (n, T, 2) centre offset
    angle: np.ndarray  # (n, T) rotation, radians
    hue: np.ndarray  # (n,)
    sat: np.ndarray  # (n,)
    val: np.ndarray  # (n,)


def random_flowers(rng: np.random.Generator, n: int, frames: int, hue: tuple[float, float],
                   still: bool = False) -> Flowers:
    """Random flowers whose hue lies in ``hue`` (wrapping past 1); ``still``: single
    frames at a random bloom stage instead of a bloom over time."""
    t = np.arange(frames)[None, :] / max(frames - 1, 1)
    if still:
        bloom = rng.uniform(0.15, 1.0, (n, 1)) * np.ones((1, frames))
    else:  # logistic opening, from a bud or part-open start
        onset = rng.uniform(0.2, 0.7, (n, 1))
        speed = rng.uniform(0.08, 0.2, (n, 1))
        start = rng.uniform(0.0, 0.3, (n, 1))
        bloom = start + (1 - start) / (1 + np.exp(-(t - onset) / speed))
    phase = rng.uniform(0, 2 * np.pi, (n, 1, 1))
    amp = rng.uniform(0.005, 0.025, (n, 1, 2))
    cycles = rng.uniform(0.3, 1.0, (n, 1, 1))
    sway = amp * np.sin(2 * np.pi * cycles * t[..., None] + phase + np.array([0.0, 1.3]))
    spin = rng.uniform(-0.06, 0.06, (n, 1))
    angle = rng.uniform(0, 2 * np.pi, (n, 1)) + spin * np.arange(frames)[None, :]
    return Flowers(
        centre=rng.uniform(0.38, 0.62, (n, 2)),
        petals=rng.integers(5, 11, n),
        width=rng.uniform(0.3, 0.5, n),
        point=rng.uniform(0.4, 1.6, n),
        radius=rng.uniform(0.3, 0.42, n),
        bloom=bloom, sway=sway, angle=angle,
        hue=rng.uniform(*hue, n) % 1.0,
        sat=rng.uniform(0.75, 1.0, n),
        val=rng.uniform(0.8, 1.0, n),
    )


def _petal_ring(rho, phi, count, width, point, radius):
    """Coverage and petal-relative radius of one ring of ``count`` petals."""
    u = (phi * count / (2 * np.pi)) % 1.0 - 0.5  # angle within one petal, 0 at its axis
    across = np.clip(np.abs(u) / width, 0, 1)
    reach = radius * (1 - across**2) ** point  # petal outline: radius along each direction
    return rho <= reach, rho / np.maximum(reach, 1e-6)


def draw_flower(f: Flowers, k: int, size: int, background: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Flower ``k`` over ``background`` (T, S, S, 3) at the supersampled size ``S``.

    Returns the frames (T, S, S, 3) and the flower's coverage (T, S, S) bool (petals and
    disc; the stem is scenery).
    """
    frames = f.bloom.shape[1]
    ys, xs = pixel_grid(size)
    cy = (f.centre[k, 0] + f.sway[k, :, 0])[:, None, None]
    cx = (f.centre[k, 1] + f.sway[k, :, 1])[:, None, None]
    dy, dx = ys - cy, xs - cx
    rho = np.sqrt(dy**2 + dx**2)
    phi = np.arctan2(dy, dx) - f.angle[k][:, None, None]
    bloom = f.bloom[k][:, None, None]
    radius = f.radius[k] * (0.3 + 0.7 * bloom)
    width = f.width[k] * (0.45 + 0.55 * bloom)  # a bud's petals are narrow and closed
    out = background.copy()

    # stem: a green band from the flower down to the bottom edge
    base_x = f.centre[k, 1]
    along = np.clip((ys - cy) / np.maximum(1.0 - cy, 1e-3), 0, 1)
    stem_x = cx + (base_x - cx) * along
    stem = (ys >= cy) & (np.abs(xs - stem_x) <= 0.012 + 0.006 * along)
    out = np.where(stem[..., None], np.float32([0.18, 0.45, 0.12]), out)

    petal = hsv_colours(f.hue[k:k + 1], f.sat[k:k + 1], f.val[k:k + 1])[0]
    outer, outer_r = _petal_ring(rho, phi, f.petals[k], width, f.point[k], radius)
    inner, inner_r = _petal_ring(rho, phi + np.pi / f.petals[k], f.petals[k], width * 0.9,
                                 f.point[k], radius * 0.7)
    for cover, rel, dark in ((outer, outer_r, 0.75), (inner, inner_r, 0.62)):
        shade = dark + (1 - dark) * np.clip(rel, 0, 1)  # darker at the base, bright at the tip
        vein = 1.0 - 0.08 * np.cos(phi * f.petals[k] * 6) ** 2
        out = np.where(cover[..., None], petal * (shade * vein)[..., None], out)
    disc_r = 0.06 + 0.08 * radius
    disc = rho <= disc_r
    seeds = 0.8 + 0.2 * np.cos(rho / np.maximum(disc_r, 1e-3) * 9)
    disc_colour = np.float32([0.45, 0.25, 0.06])
    out = np.where(disc[..., None], disc_colour * seeds[..., None], out)
    assert out.shape[0] == frames
    return out.astype(np.float32), outer | inner | disc


def natural_background(rng: np.random.Generator, size: int) -> np.ndarray:
    """Foliage, grass or sky over foliage, (S, S, 3) float32."""
    kind = rng.integers(3)
    dark, light = np.float32([0.05, 0.18, 0.05]), np.float32([0.35, 0.6, 0.2])
    if kind == 0:  # foliage: leafy blobs of several greens, some sunlit spots
        n = smooth_noise(rng, size, 4, octaves=4)
        spots = smooth_noise(rng, size, 10, octaves=2)
        img = dark + (light - dark) * n[..., None]
        img += np.float32([0.3, 0.3, 0.1]) * np.clip(spots - 0.75, 0, 1)[..., None] * 2
    elif kind == 1:  # grass: vertical streaks, yellow-green
        n = smooth_noise(rng, size, 12, octaves=3, aspect=6.0)
        tint = smooth_noise(rng, size, 2, octaves=2)
        light = np.float32([0.55, 0.65, 0.2])
        img = dark + (light - dark) * (0.6 * n + 0.4 * tint)[..., None]
    else:  # sky (gradient with clouds) over a wavy line of foliage
        ys = np.linspace(0, 1, size, dtype=np.float32)[:, None]
        sky = np.float32([0.35, 0.55, 0.9]) + np.float32([0.25, 0.2, 0.05]) * ys[..., None]
        cloud = np.clip(smooth_noise(rng, size, 3, octaves=4) * 1.6 - 0.7, 0, 1)
        sky = sky * (1 - cloud[..., None]) + np.float32([0.95, 0.95, 0.97]) * cloud[..., None]
        trees = dark + (light - dark) * smooth_noise(rng, size, 6, octaves=3)[..., None]
        horizon = rng.uniform(0.45, 0.75) + 0.08 * (smooth_noise(rng, size, 3, 2)[0] - 0.5)
        img = np.where((ys >= horizon[None, :])[..., None], trees, sky)
    img = cv2.GaussianBlur(img.astype(np.float32), (0, 0), size / 128)  # depth of field
    return np.clip(img, 0, 1).astype(np.float32)


def render(f: Flowers, size: int, rng: np.random.Generator | None
           ) -> tuple[np.ndarray, np.ndarray]:
    """Frames (n, T, H, W, 3) and flower masks (n, T, H, W); black background when
    ``rng`` is None, else a natural background (static within a video)."""
    n, frames = f.bloom.shape
    big = size * SUPERSAMPLE
    video = np.empty((n, frames, size, size, 3), np.float32)
    fg = np.empty((n, frames, size, size), bool)
    for k in progress(range(n), desc="flowers: rendering videos"):
        if rng is None:
            bg = np.zeros((frames, big, big, 3), np.float32)
        else:
            bg = np.broadcast_to(natural_background(rng, big), (frames, big, big, 3))
        frames_big, cover = draw_flower(f, k, big, bg)
        video[k] = downsample(frames_big)
        fg[k] = downsample(cover.astype(np.float32)) >= 0.5
    return video, fg


RED = (-0.03, 0.03)
YELLOW = (0.12, 0.16)


def make_sets(
    rngs: dict[str, np.random.Generator], counts: dict[str, int], size: int, frames: int
) -> dict[str, np.ndarray]:
    """Every domain of dataset 2, channels last; see :mod:`rlvid.data.v2v_sets`."""
    out: dict[str, np.ndarray] = {}
    r = rngs
    out["x"], _ = render(random_flowers(r["x"], counts["x"], frames, RED), size, None)
    out["y"], _ = render(random_flowers(r["y"], counts["y"], frames, YELLOW), size, r["y"])
    out["z"], _ = render(random_flowers(r["z"], counts["z"], frames, YELLOW), size, None)
    out["y_test"], _ = render(random_flowers(r["y_test"], counts["y_test"], frames, YELLOW),
                              size, r["y_test"])
    zbar, _ = render(random_flowers(r["zbar"], counts["zbar"], 1, (0.0, 1.0), still=True),
                     size, r["zbar"])
    out["zbar"] = zbar[:, 0]
    # held-out X videos and their twins: the same flower and bloom, yellow on nature
    rng = r["x_test"]
    f = random_flowers(rng, counts["x_test"], frames, RED)
    out["x_test"], out["x_test_fg"] = render(f, size, None)
    yellow = replace(f, hue=rng.uniform(*YELLOW, counts["x_test"]))
    out["x_test_twin"], out["twin_fg"] = render(yellow, size, rng)
    return out
