"""A small procedural test video and known perturbations, for showing how metrics respond.

The video is a textured background seen through a window that pans at a constant integer
velocity, with a differently textured square moving the other way across it. All of it is
made from a seeded numpy generator, so the same arguments give the same tensor.
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
import torch

Perturbation = Literal["shift", "noise", "blur", "flicker", "masking"]
PERTURBATIONS: tuple[str, ...] = ("shift", "noise", "blur", "flicker", "masking")


def _texture(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Multi-scale smooth colour noise in [0, 1], (H, W, 3) float32."""
    layers = []
    for sigma, weight in ((1.0, 0.4), (3.0, 0.6)):
        noise = rng.random((height, width, 3)).astype(np.float32)
        layers.append(weight * cv2.GaussianBlur(noise, (0, 0), sigma))
    tex = sum(layers)
    tex = (tex - tex.min()) / (tex.max() - tex.min() + 1e-8)
    return tex.astype(np.float32)


def demo_video(
    size: int = 64, frames: int = 12, seed: int = 0, velocity: tuple[int, int] = (1, 2)
) -> torch.Tensor:
    """A (T, 3, size, size) float32 video in [0, 1]: panning texture plus a moving square.

    The background window moves by ``velocity = (dy, dx)`` pixels per frame, so between
    consecutive frames the background's flow is exactly ``(-dx, -dy)`` (content moves
    against the pan); the square (side ``size // 4``) moves by ``(dx, dy)`` on screen.
    """
    rng = np.random.default_rng(seed)
    dy, dx = velocity
    margin_y, margin_x = abs(dy) * frames, abs(dx) * frames
    background = _texture(rng, size + margin_y, size + margin_x)
    side = max(size // 4, 2)
    patch = _texture(rng, side, side)[..., ::-1]  # channel-swapped so it looks different
    out = np.empty((frames, size, size, 3), dtype=np.float32)
    oy0, ox0 = (0 if dy >= 0 else margin_y), (0 if dx >= 0 else margin_x)
    start_y, start_x = size // 3, size // 5
    for t in range(frames):
        y, x = oy0 + dy * t, ox0 + dx * t
        frame = background[y : y + size, x : x + size].copy()
        py = (start_y + dx * t) % (size - side)
        px = (start_x + dy * t) % (size - side)
        frame[py : py + side, px : px + side] = patch
        out[t] = frame
    return torch.from_numpy(out).permute(0, 3, 1, 2).contiguous()


def box_masks(
    shape: tuple[int, ...], level: float, seed: int = 0, boxes: int = 1
) -> torch.Tensor:
    """(T, 1, H, W) bool masks (True = hidden): ``boxes`` squares per frame covering about
    ``level`` of each frame's area in total, at seeded random positions."""
    frames, _, height, width = shape
    rng = np.random.default_rng(seed)
    side = max(1, round(np.sqrt(level * height * width / boxes)))
    side = min(side, height, width)
    masks = torch.zeros(frames, 1, height, width, dtype=torch.bool)
    for t in range(frames):
        for _ in range(boxes):
            y = int(rng.integers(0, height - side + 1))
            x = int(rng.integers(0, width - side + 1))
            masks[t, 0, y : y + side, x : x + side] = True
    return masks


def perturb(video: torch.Tensor, kind: Perturbation, level: float, seed: int = 0) -> torch.Tensor:
    """``video`` (T, C, H, W) in [0, 1] with one known perturbation at strength ``level``.

    - ``shift``: every frame translated right by ``level`` pixels (integer, wrapping);
    - ``noise``: i.i.d. Gaussian noise of standard deviation ``level``, clipped to [0, 1];
    - ``blur``: Gaussian blur of standard deviation ``level`` pixels on every frame;
    - ``flicker``: each frame's brightness offset by ``level * s_t``, ``s_t`` = +-1 at random;
    - ``masking``: boxes covering a share ``level`` of each frame set to 0 (see
      :func:`box_masks`), as in ROVR's corrupted videos.
    """
    generator = torch.Generator().manual_seed(seed)
    if kind == "shift":
        return torch.roll(video, shifts=int(level), dims=-1)
    if kind == "noise":
        noise = torch.randn(video.shape, generator=generator, dtype=video.dtype)
        return (video + level * noise).clamp(0, 1)
    if kind == "blur":
        if level <= 0:
            return video.clone()
        frames = video.permute(0, 2, 3, 1).numpy()
        blurred = np.stack([cv2.GaussianBlur(f, (0, 0), level) for f in frames])
        return torch.from_numpy(blurred.reshape(frames.shape)).permute(0, 3, 1, 2).contiguous()
    if kind == "flicker":
        signs = torch.randint(0, 2, (video.shape[0],), generator=generator) * 2 - 1
        return (video + level * signs.view(-1, 1, 1, 1).to(video.dtype)).clamp(0, 1)
    if kind == "masking":
        masks = box_masks(tuple(video.shape), level, seed)
        return video.masked_fill(masks, 0.0)
    raise ValueError(f"perturb: kind must be one of {', '.join(PERTURBATIONS)}, got {kind!r}")


def fill_from_neighbours(corrupted: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """A naive reconstruction: each hidden pixel copied from the nearest frame (earlier
    first) where that pixel is visible; pixels hidden in every frame stay as they are."""
    out = corrupted.clone()
    frames = corrupted.shape[0]
    for t in range(frames):
        todo = masks[t].clone()
        for offset in range(1, frames):
            for s in (t - offset, t + offset):
                if 0 <= s < frames:
                    use = todo & ~masks[s]
                    out[t] = torch.where(use, corrupted[s], out[t])
                    todo &= ~use
            if not todo.any():
                break
    return out


DEFAULT_LEVELS: dict[str, tuple[float, ...]] = {
    "shift": (1, 2, 4),  # pixels
    "noise": (0.02, 0.05, 0.1),  # standard deviation
    "blur": (0.5, 1.0, 2.0),  # Gaussian sigma, pixels
    "flicker": (0.02, 0.05, 0.1),  # brightness offset per frame
    "masking": (0.05, 0.1, 0.2),  # share of each frame hidden
}


def metric_sweep(
    video: torch.Tensor,
    levels: dict[str, tuple[float, ...]] | None = None,
    seed: int = 0,
    perceptual_backend: str = "auto",
    flow_backend: str = "auto",
) -> list[dict[str, object]]:
    """Every metric of every perturbation of ``video`` at every level, as table rows.

    Columns: ``perturbation``, ``level``, ``psnr`` (dB), ``ssim``, ``perceptual`` (mean over
    frames), ``e_warp`` (Lai et al.'s protocol: flow and occlusion masks from the clean video)
    and ``o`` — ROVR's flow recovery, for ``masking`` rows only, of the naive
    :func:`fill_from_neighbours` reconstruction of the masked video. The first row is the
    clean video against itself.
    """
    from rlvid.metrics import flow_recovery, perceptual_distance, psnr, ssim, warping_error

    levels = DEFAULT_LEVELS if levels is None else levels

    def row(kind: str, level: float, changed: torch.Tensor, o: float | None) -> dict[str, object]:
        return {
            "perturbation": kind,
            "level": float(level),
            "psnr": float(psnr(changed, video)),
            "ssim": float(ssim(changed, video)),
            "perceptual": float(perceptual_distance(changed, video, perceptual_backend).mean()),
            "e_warp": float(warping_error(changed, video, flow_backend)),
            "o": o,
        }

    rows = [row("none", 0.0, video, None)]
    for kind, kind_levels in levels.items():
        for level in kind_levels:
            if kind == "masking":
                masks = box_masks(tuple(video.shape), level, seed)
                corrupted = video.masked_fill(masks, 0.0)
                filled = fill_from_neighbours(corrupted, masks)
                o = flow_recovery(filled, video, corrupted, flow_backend, zero_denominator=1.0)
                rows.append(row(kind, level, corrupted, o))
            else:
                rows.append(row(kind, level, perturb(video, kind, level, seed), None))
    return rows
