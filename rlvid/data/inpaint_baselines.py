"""Reference fills for masked videos, and scores on the hidden pixels only.

Fills that need no training, to set beside ROVR's inpainting:

- **copy-best-pair**: each target's hidden pixels pasted from the two frames of a given pair
  (its best pair in Table 1), the frame nearer in time first (:func:`copy_pair_fill`);
- **copy-nearest-visible**: each hidden pixel takes its value from the nearest frame in
  time (earlier first on ties) where that pixel is visible
  (:func:`rlvid.metrics.demo.fill_from_neighbours`, reused here);
- **OpenCV Telea**: ``cv2.inpaint(frame, mask, radius, cv2.INPAINT_TELEA)`` on each frame
  alone (fast marching from the hole's border; no other frame is used);
- **mean fill**: every hidden pixel gets the mean colour of the visible pixels of its frame.

Videos are (T, 3, H, W) float in [0, 1]; masks (T, 1, H, W) bool, True = hidden. Every fill
keeps the visible pixels exactly.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from rlvid.errors import RlvidError
from rlvid.metrics.demo import fill_from_neighbours


def _check(video: torch.Tensor, masks: torch.Tensor) -> None:
    if video.dim() != 4 or video.shape[1] != 3:
        raise RlvidError(f"expected a (T, 3, H, W) video, got {tuple(video.shape)}")
    t, _, h, w = video.shape
    if tuple(masks.shape) != (t, 1, h, w) or masks.dtype != torch.bool:
        raise RlvidError(f"masks must be (T, 1, H, W) = {(t, 1, h, w)} bool, got "
                         f"{tuple(masks.shape)} {masks.dtype}")


def copy_nearest_visible(video: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Each hidden pixel copied from the nearest frame in time where it is visible (earlier
    first on ties); a pixel hidden in every frame stays black (0), as in the masked input."""
    _check(video, masks)
    return fill_from_neighbours(video.masked_fill(masks, 0.0), masks).where(masks, video)


def copy_pair_fill(video: torch.Tensor, masks: torch.Tensor, pairs: torch.Tensor
                   ) -> torch.Tensor:
    """Each frame t's hidden pixels pasted from frames ``pairs[t]`` (T, 2) where they are
    visible, the frame nearer to t first (earlier on ties); a pixel hidden in both stays
    black (0), as in the masked input."""
    _check(video, masks)
    frames = video.shape[0]
    if tuple(pairs.shape) != (frames, 2):
        raise RlvidError(f"pairs must be (T, 2) = {(frames, 2)}, got {tuple(pairs.shape)}")
    out = video.masked_fill(masks, 0.0)
    for t in range(frames):
        todo = masks[t].clone()
        for s in sorted(pairs[t].tolist(), key=lambda s: (abs(s - t), s)):
            use = todo & ~masks[s]
            out[t] = torch.where(use, video[s], out[t])
            todo &= ~use
    return out


def telea_fill(video: torch.Tensor, masks: torch.Tensor, radius: int = 3) -> torch.Tensor:
    """OpenCV's Telea inpainting of each frame on its own (8-bit, as OpenCV needs);
    visible pixels are kept exactly."""
    import cv2

    _check(video, masks)
    frames = (video.detach().cpu().clamp(0, 1) * 255).round().to(torch.uint8)
    frames_np = np.ascontiguousarray(frames.permute(0, 2, 3, 1).numpy())
    holes = masks[:, 0].cpu().numpy().astype(np.uint8) * 255
    out = np.stack([cv2.inpaint(f, m, radius, cv2.INPAINT_TELEA) if m.any() else f
                    for f, m in zip(frames_np, holes)])
    filled = torch.from_numpy(out).permute(0, 3, 1, 2).float() / 255.0
    return filled.to(video.dtype).where(masks, video)


def mean_fill(video: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Hidden pixels set to the mean colour of the visible pixels of their frame (0.5 grey
    when a frame is hidden entirely)."""
    _check(video, masks)
    visible = (~masks).to(video.dtype)
    count = visible.sum(dim=(1, 2, 3), keepdim=True)
    mean = (video * visible).sum(dim=(2, 3), keepdim=True) / count.clamp(min=1)
    mean = torch.where(count > 0, mean, torch.full_like(mean, 0.5))
    return mean.expand_as(video).where(masks, video)


def unfilled(video: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """The masked input left as it is: hidden pixels 0, as the kit's corrupted videos hold
    them. A trivial row: it does not inpaint."""
    _check(video, masks)
    return torch.zeros_like(video).where(masks, video)


REFERENCE_FILLS = {
    "copy-nearest-visible": copy_nearest_visible,
    "OpenCV Telea": telea_fill,
    "mean fill": mean_fill,
    "unfilled": unfilled,
}


def reference_fills(video: torch.Tensor, masks: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every fill of :data:`REFERENCE_FILLS`, by name."""
    return {name: fill(video, masks) for name, fill in REFERENCE_FILLS.items()}


def hidden_scores(output: torch.Tensor, truth: torch.Tensor, masks: torch.Tensor
                  ) -> dict[str, float]:
    """Scores of a fill against the true video.

    - ``hidden_mse``: mean squared error over every hidden pixel and channel of the video;
    - ``hidden_psnr``: ``10 log10(1 / hidden_mse)`` dB (inf when exact);
    - ``ssim``: mean SSIM per frame (:func:`rlvid.metrics.ssim`) of the *composite* (visible
      pixels from ``truth``, hidden ones from ``output``) against ``truth``: it measures the
      fill and its 11x11 surroundings, not changes to the visible pixels;
    - ``visible_mse``: mean squared change of the visible pixels (0 for a fill that keeps
      them; a model that resizes its input in and out changes them a little).
    """
    from rlvid.metrics import ssim

    _check(truth, masks)
    if output.shape != truth.shape:
        raise RlvidError(f"output {tuple(output.shape)} and truth {tuple(truth.shape)} differ")
    diff = (output.double() - truth.double()).pow(2)
    hidden = masks.expand_as(truth)
    if not hidden.any():
        raise RlvidError("no hidden pixels to score")
    mse = float(diff[hidden].mean())
    visible = float(diff[~hidden].mean()) if (~hidden).any() else 0.0
    composite = output.where(masks, truth)
    return {"hidden_mse": mse,
            "hidden_psnr": math.inf if mse == 0 else 10 * math.log10(1 / mse),
            "ssim": float(ssim(composite.float(), truth.float())),
            "visible_mse": visible}


# score -> True when higher is better
SCORE_DIRECTIONS = {"hidden_mse": False, "hidden_psnr": True, "ssim": True}


def comparison_sentences(ours: str, scores: dict[str, float],
                         references: dict[str, dict[str, float]]) -> list[str]:
    """One plain sentence per reference row: where ``ours`` wins, where it loses (ties
    count as not better), computed from the numbers of :data:`SCORE_DIRECTIONS`."""
    lines = []
    for name, ref in references.items():
        wins, losses = [], []
        for key, higher in SCORE_DIRECTIONS.items():
            a, b = scores[key], ref[key]
            better = a > b if higher else a < b
            (wins if better else losses).append(f"{key} {a:.4g} vs {b:.4g}")
        if not losses:
            lines.append(f"{ours} beats {name} on every score: {', '.join(wins)}.")
        elif not wins:
            lines.append(f"{ours} loses to {name} on every score: {', '.join(losses)}.")
        else:
            lines.append(f"{ours} is mixed against {name}: better on {', '.join(wins)}; "
                         f"not better on {', '.join(losses)}.")
    return lines


__all__ = ["REFERENCE_FILLS", "SCORE_DIRECTIONS", "comparison_sentences",
           "copy_nearest_visible", "copy_pair_fill", "hidden_scores", "mean_fill",
           "reference_fills", "telea_fill", "unfilled"]
