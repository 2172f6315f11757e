"""Notebook helpers: inline videos, frame grids and small tables.

Inline videos use matplotlib's ``to_jshtml`` (frames embedded as PNG, no ffmpeg needed).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure


def _frames_hwc(video: torch.Tensor) -> np.ndarray:
    """(T, C, H, W) or (C, H, W) tensor in [0, 1] -> (T, H, W, 3) float array for imshow."""
    if video.dim() == 3:
        video = video[None]
    if video.dim() != 4 or video.shape[1] not in (1, 3):
        raise ValueError(f"expected a (T, 1|3, H, W) video, got {tuple(video.shape)}")
    video = video.detach().to("cpu", torch.float32).clamp(0, 1)
    if video.shape[1] == 1:
        video = video.expand(-1, 3, -1, -1)
    return video.permute(0, 2, 3, 1).numpy()


def show_video(
    videos: torch.Tensor | Sequence[torch.Tensor],
    titles: Sequence[str] | None = None,
    fps: float = 4,
    inches: float = 1.8,
    dpi: int = 72,
) -> Any:
    """An inline looping player (IPython ``HTML``) for one video or several side by side.

    Videos are (T, C, H, W) in [0, 1]; shorter ones hold their last frame. The HTML is made
    by ``FuncAnimation.to_jshtml`` with embedded PNG frames at a low ``dpi`` so it stays
    small, and its element ids are derived from the content, so the same videos give the
    same HTML (stable notebook outputs).
    """
    from IPython.display import HTML

    clips = [videos] if isinstance(videos, torch.Tensor) else list(videos)
    frames = [_frames_hwc(v) for v in clips]
    if titles is not None and len(titles) != len(frames):
        raise ValueError(f"show_video: {len(titles)} titles for {len(frames)} videos")
    length = max(len(f) for f in frames)
    fig = Figure(figsize=(inches * len(frames), inches * 1.15), dpi=dpi)
    axes = fig.subplots(1, len(frames), squeeze=False)[0]
    images = []
    for i, (ax, clip) in enumerate(zip(axes, frames)):
        images.append(ax.imshow(clip[0], interpolation="nearest", vmin=0, vmax=1))
        ax.set_axis_off()
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    fig.tight_layout(pad=0.3)

    def update(t: int) -> list[Any]:
        for image, clip in zip(images, frames):
            image.set_data(clip[min(t, len(clip) - 1)])
        return images

    animation = FuncAnimation(fig, update, frames=length, interval=1000.0 / fps, blit=False)
    with matplotlib.rc_context({"animation.frame_format": "png"}):
        text = animation.to_jshtml(fps=fps, embed_frames=True, default_mode="loop")
    plt.close(fig)
    digest = hashlib.sha1(b"".join(f.tobytes() for f in frames)).hexdigest()
    ids = dict.fromkeys(re.findall(r"[0-9a-f]{32}", text))
    for n, old in enumerate(ids):
        text = text.replace(old, f"{digest[:24]}{n:08d}")
    return HTML(text)


def frame_grid(
    rows: Mapping[str, torch.Tensor],
    max_frames: int = 8,
    inches: float = 1.0,
    titles: Sequence[str] | None = None,
) -> plt.Figure:
    """A pyplot figure with one row per entry of ``rows`` (label -> (T, C, H, W) or
    (N, C, H, W) tensor in [0, 1]) and up to ``max_frames`` evenly spaced frames per row.

    Column titles default to the frame indices of the longest row. End the cell with
    ``plt.show()`` (which also closes the figure).
    """
    if not rows:
        raise ValueError("frame_grid: no rows given")
    clips = {name: _frames_hwc(video) for name, video in rows.items()}
    longest = max(len(c) for c in clips.values())
    columns = min(max_frames, longest)
    fig, axes = plt.subplots(
        len(clips), columns, squeeze=False,
        figsize=(inches * columns + 0.8, inches * len(clips)),
    )
    picks = np.linspace(0, longest - 1, columns).round().astype(int)
    for r, (name, clip) in enumerate(clips.items()):
        for c, t in enumerate(picks):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if t < len(clip):
                ax.imshow(clip[t], interpolation="nearest", vmin=0, vmax=1)
            if c == 0:
                ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
            if r == 0:
                label = titles[c] if titles is not None else f"t={t}"
                ax.set_title(label, fontsize=8)
    fig.tight_layout(pad=0.2)
    return fig


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, torch.Tensor):
        value = value.item()
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if np.isnan(value):
            return "nan"
        if np.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:.{digits}g}" if abs(value) < 1e-3 and value != 0 else f"{value:.{digits}f}"
    if value is None:
        return "-"
    return str(value)


class Table:
    """Rows of dicts shown as an aligned text table (``print``) or HTML in a notebook."""

    def __init__(self, rows: Sequence[Mapping[str, Any]], digits: int = 4) -> None:
        self.columns: list[str] = list(dict.fromkeys(k for row in rows for k in row))
        self.cells = [[_cell(row.get(k), digits) for k in self.columns] for row in rows]

    def __str__(self) -> str:
        widths = [
            max([len(c)] + [len(r[i]) for r in self.cells]) for i, c in enumerate(self.columns)
        ]

        def line(values: Sequence[str]) -> str:
            return "  ".join(v.rjust(w) for v, w in zip(values, widths)).rstrip()
        rule = "  ".join("-" * w for w in widths)
        return "\n".join([line(self.columns), rule] + [line(r) for r in self.cells])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
            for row in self.cells
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def table(rows: Sequence[Mapping[str, Any]], digits: int = 4) -> Table:
    """A :class:`Table` of ``rows`` (dicts; columns in first-seen order, floats rounded to
    ``digits`` decimals, tiny values in ``digits`` significant figures)."""
    return Table(rows, digits)
