"""Figure helpers for ROVR: which frames a policy chose (Figure 3) and the context it
recovered (Figure 6), as arrays; the book draws them (:mod:`rlvid.book.figures`)."""

from __future__ import annotations

import numpy as np
import torch


def choice_heatmap(pairs: torch.Tensor) -> np.ndarray:
    """(T, 2) chosen pairs of one video -> (T, T) map: 1 target (diagonal), 2 chosen, 0 else
    (Figure 3)."""
    t = pairs.shape[0]
    grid = np.zeros((t, t))
    grid[np.arange(t), np.arange(t)] = 1
    for step, (i, j) in enumerate(pairs.tolist()):
        grid[step, i] = grid[step, j] = 2
    return grid


def context_overlay(frame: torch.Tensor, mask_t: torch.Tensor, mask_i: torch.Tensor,
                    mask_j: torch.Tensor) -> torch.Tensor:
    """Figure 6: green = hidden in the target but visible in a chosen context frame, red =
    hidden in the target and both context frames. (3, H, W) frame, (1, H, W) masks."""
    green = mask_t & ~(mask_i & mask_j)
    red = mask_t & mask_i & mask_j
    out = frame.clone()
    out = torch.where(green, torch.tensor([0.1, 0.85, 0.1])[:, None, None], out)
    return torch.where(red, torch.tensor([0.9, 0.1, 0.1])[:, None, None], out)
