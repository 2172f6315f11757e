"""Notebook helpers: inline videos, frame grids, method figures and axis labels.

Inline videos use matplotlib's ``to_jshtml`` (frames embedded as PNG, no ffmpeg needed).
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import torch
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

from rlvid.book.names import display_name, plot_text
from rlvid.rovr.methods import REGIMES
from rlvid.v2v.methods import CYCLEGAN, OURS, RECYCLE

ROW_LABEL_CHARS = 18  # a frame grid's row labels wrap at this many characters
AXIS_LABEL_CHARS = 34  # a method panel's axis label wraps at this many characters
# metrics that are shares or similarities: their intervals are drawn within [0, 1]
UNIT_METRICS = {"ssim", "iou", "edge_ssim", "mask_iou", "target_share", "gated_acc",
                "gated_share", "bg_acc", "bg_acc_first_half", "bg_acc_second_half",
                "valid_pair_rate"}
UNIT_RANGE = (0.0, 1.0)


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
    inches: float | None = None,
    dpi: int = 72,
) -> Any:
    """An inline looping player (IPython ``HTML``) for one video or several side by side.

    Videos are (T, C, H, W) in [0, 1]; shorter ones hold their last frame. The HTML is made
    by ``FuncAnimation.to_jshtml`` with embedded PNG frames at a low ``dpi`` so it stays
    small (``inches`` per video: by default at most 1.8, less for many videos, so the row
    stays within about 680 px), and its element ids are derived from the content, so the
    same videos give the same HTML (stable notebook outputs).
    """
    from IPython.display import HTML

    clips = [videos] if isinstance(videos, torch.Tensor) else list(videos)
    frames = [_frames_hwc(v) for v in clips]
    if titles is not None and len(titles) != len(frames):
        raise ValueError(f"show_video: {len(titles)} titles for {len(frames)} videos")
    length = max(len(f) for f in frames)
    if inches is None:  # the row of players fits the book's ~700 px column
        inches = min(1.8, 9.2 / len(frames))
    # 9 pt titles above the frames, wrapped to the frame's width (about 5.5 px a glyph)
    shown = [textwrap.fill(display_name(t), max(6, int(inches * dpi / 5.5)))
             for t in titles] if titles is not None else None
    title_in = 0.05 + 0.17 * max(t.count("\n") + 1 for t in shown) if shown else 0.0
    fig = Figure(figsize=(inches * len(frames), inches + title_in), dpi=dpi)
    axes = fig.subplots(1, len(frames), squeeze=False)[0]
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, wspace=0.06,
                        top=inches / (inches + title_in))
    images = []
    for i, (ax, clip) in enumerate(zip(axes, frames)):
        images.append(ax.imshow(clip[0], interpolation="nearest", vmin=0, vmax=1))
        ax.set_axis_off()
        if shown is not None:
            ax.set_title(shown[i], fontsize=9)

    def update(t: int) -> list[Any]:
        for image, clip in zip(images, frames):
            image.set_data(clip[min(t, len(clip) - 1)])
        return images

    animation = FuncAnimation(fig, update, frames=length, interval=1000.0 / fps, blit=False)
    with matplotlib.rc_context({"animation.frame_format": "png"}):
        text = animation.to_jshtml(fps=fps, embed_frames=True, default_mode="loop")
    plt.close(fig)
    text = _offline_buttons(text)
    digest = hashlib.sha1(b"".join(f.tobytes() for f in frames)).hexdigest()
    ids = dict.fromkeys(re.findall(r"[0-9a-f]{32}", text))
    for n, old in enumerate(ids):
        text = text.replace(old, f"{digest[:24]}{n:08d}")
    return HTML(text)


# the player's Font Awesome icons (a CDN stylesheet) as plain glyphs: no external resource
_ICONS = {"fa-play fa-flip-horizontal": "\u25c0", "fa-fast-backward": "\u21e4",
          "fa-step-backward": "\u25c1", "fa-fast-forward": "\u21e5",
          "fa-step-forward": "\u25b7", "fa-pause": "\u2016", "fa-play": "\u25b6",
          "fa-minus": "\u2212", "fa-plus": "+"}


def _offline_buttons(text: str) -> str:
    """``to_jshtml`` output without its Font Awesome ``<link>``, icons as Unicode glyphs."""
    text = re.sub(r"<link[^>]*font-awesome[^>]*>", "", text)
    for name, glyph in _ICONS.items():
        text = text.replace(f'<i class="fa {name}"></i>', glyph)
    return text


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
    clips = {textwrap.fill(display_name(name), ROW_LABEL_CHARS): _frames_hwc(video)
             for name, video in rows.items()}
    longest = max(len(c) for c in clips.values())
    columns = min(max_frames, longest)
    label_in = 0.075 * max(len(line) for n in clips for line in n.splitlines()) + 0.15
    fig, axes = plt.subplots(
        len(clips), columns, squeeze=False,
        figsize=(inches * columns + label_in, inches * len(clips) + 0.2),
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


# ---------------------------------------------------------------- axis labels

def backend_names() -> dict[str, str]:
    """Short names of the active perceptual and flow backends, for labels."""
    from rlvid.metrics.flow import flow_backend
    from rlvid.metrics.perceptual import perceptual_backend

    perceptual = {"stlpips": "ST-LPIPS (AlexNet)", "lpips": "LPIPS (AlexNet)"}
    flow = {"dis": "OpenCV DIS flow", "raft": "RAFT flow"}
    p, f = perceptual_backend().name, flow_backend().name
    return {"perceptual": perceptual.get(p, p), "flow": flow.get(f, f)}


def metric_label(metric: str, scale: float = 1.0) -> str:
    """An axis or column label for ``metric``: its name, unit, active backend and the
    direction that is better (``↑``/``↓``); ``scale`` != 1 is written as a factor."""
    b = backend_names()
    labels = {
        "psnr": "PSNR (dB) ↑",
        "ssim": "SSIM ↑",
        "perceptual": f"{b['perceptual']} distance ↓",
        "e_warp": f"E_warp ({b['flow']}) ↓",
        "ewarp": f"E_warp ({b['flow']}) ↓",
        "o": f"flow recovery 𝒪 ({b['flow']}) ↑",
        "flow_recovery": f"flow recovery 𝒪 ({b['flow']}) ↑",
        "bg_acc": "background colour accuracy (share of frames) ↑",
        "bg_acc_first_half": "bg accuracy, 1st half ↑",
        "bg_acc_second_half": "bg accuracy, 2nd half ↑",
        "iou": "shape IoU vs twin ↑",
        "edge_ssim": "edge SSIM vs source ↑",
        "mask_iou": "flower-mask IoU vs twin ↑",
        "target_share": "target share (classifier, share of frames) ↑",
        "colour_fd": "colour Fréchet distance to Z̄ ↓",
        "flicker": "flicker (mean |Δ frame mean|) ↓",
        "mse": "MSE per pixel ([0, 1] units) ↓",
        "vgg_lp": "L_P (VGG16 features) ↓",
        "valid_pair_rate": "valid pairs (share of steps) ↑",
        "gated_acc": "content-gated accuracy (colour right and shape IoU ≥ 0.5) ↑",
        "tdiff": "temporal-difference error vs twin (shapes) ↓",
        "gated_share": "frames judged target with flower IoU ≥ 0.5 ↑",
        "hidden_mse": "hidden-pixel MSE ([0, 1] units) ↓",
    }
    label = labels.get(metric, metric)
    if scale != 1.0:
        text, arrow = (label[:-2], label[-2:]) if label[-1] in "↑↓" else (label, "")
        label = f"{text} ×{scale:g}{arrow}"
    return label


def axis_label(metric: str, scale: float = 1.0) -> str:
    """:func:`metric_label`, wrapped to fit beside a panel (``AXIS_LABEL_CHARS`` a line)."""
    return textwrap.fill(metric_label(metric, scale), AXIS_LABEL_CHARS)


# code keys in running text: with an underscore, or one of these plain ones (other plain
# keys such as "random" or "best" are also English words and stay as written)
_PLAIN_KEYS = (OURS, CYCLEGAN.name, *RECYCLE.aliases, "tdiff", "psnr", "ssim", "iou", "ewarp")
_KEY = re.compile(r"(?<![\w-])(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|"
                  + "|".join(_PLAIN_KEYS) + r")(?::(?:" + "|".join(REGIMES) + r"))?(?![\w-])")


def readable(text: str) -> str:
    """``text`` with the code keys in it (``rovr_flow_warm:tuned``, ``hidden_mse``) in
    words: display names for methods, metric labels (without the arrow) for metrics."""
    def words(match: re.Match) -> str:
        key = match.group(0)
        name = display_name(key)
        if name != key:
            return name
        label = metric_label(key)
        return label.rstrip(" ↑↓") if label != key else key
    return _KEY.sub(words, text)


# ---------------------------------------------------------------- per-method figures

def method_points(
    ax: Any,
    values: Mapping[str, Sequence[float]],
    reference: Mapping[str, float] | None = None,
    label: str = "",
    level: float = 0.95,
    bounds: tuple[float, float] = (-np.inf, np.inf),
) -> Any:
    """One row per method on ``ax``: every seed as a small grey dot, the mean as a point
    and its ``level`` Student-t confidence interval over seeds as a bar (none for one
    seed), clipped to ``bounds``. ``reference`` values (twin, identity...) are dashed
    vertical lines."""
    from rlvid.results import t_interval

    names = list(values)
    for y, name in enumerate(names):
        seeds = np.asarray(values[name], dtype=float)
        mean, half = t_interval(seeds, level)
        ax.scatter(seeds, np.full(len(seeds), y), s=10, color="0.6", zorder=2)
        low, high = np.clip([mean - half, mean + half], *bounds)  # within the metric's range
        xerr = None if np.isnan(half) else [[mean - low], [high - mean]]
        ax.errorbar([mean], [y], xerr=xerr, fmt="o", color="tab:blue", capsize=3,
                    markersize=5, zorder=3)
    for k, (name, x) in enumerate((reference or {}).items()):
        if x is None or not np.isfinite(x):
            continue
        ax.axvline(x, color=f"C{k + 1}", ls="--", lw=1, label=display_name(name))
    ax.set_yticks(range(len(names)), [display_name(n) for n in names], fontsize=8)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.invert_yaxis()
    ax.set_xlabel(plot_text(label), fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
    formatter = ax.xaxis.get_major_formatter()
    if isinstance(formatter, matplotlib.ticker.ScalarFormatter):
        formatter.set_useOffset(False)  # plain values on the axis, never "1e-6 + 0.0114"
    ax.grid(axis="x", alpha=0.3)
    return ax


def method_panels(
    rows: Sequence[Mapping[str, Any]],
    metrics: Sequence[str],
    key: str = "method",
    order: Sequence[str] | None = None,
    reference_rows: Sequence[Mapping[str, Any]] = (),
    scale: Mapping[str, float] | None = None,
    columns: int = 3,
    title: str | None = None,
) -> Figure:
    """Small multiples of :func:`method_points`, one panel per metric, from per-seed rows
    (``{key: ..., metric: value}``); reference rows give the dashed lines. Panels are
    labelled by :func:`metric_label`. End the cell with ``plt.show()``."""
    scale = dict(scale or {})
    names = list(order) if order is not None else list(dict.fromkeys(r[key] for r in rows))
    names = [n for n in names if any(r[key] == n for r in rows)]
    n_rows = -(-len(metrics) // columns)
    width = 2.4 * min(columns, len(metrics)) + 1.2
    fig, axes = plt.subplots(n_rows, min(columns, len(metrics)), squeeze=False,
                             figsize=(width, 0.3 * len(names) * n_rows + 1.3 * n_rows),
                             sharey=True)
    for ax, metric in zip(axes.flat, metrics):
        k = scale.get(metric, 1.0)
        values = {n: [r[metric] * k for r in rows if r[key] == n and metric in r]
                  for n in names}
        reference = {str(r[key]): r[metric] * k for r in reference_rows
                     if r.get(metric) is not None}
        method_points(ax, values, reference,
                      axis_label(metric, k),
                      bounds=UNIT_RANGE if metric in UNIT_METRICS else (-np.inf, np.inf))
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color="0.6", marker="o", ls="", markersize=3, label="one seed"),
               Line2D([], [], color="tab:blue", marker="o", ls="-", markersize=5,
                      label="mean, 95% t-interval over seeds")]
    seen: dict[str, Any] = {}
    for ax in axes.flat:
        for handle, text in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(text, handle)
    fig.legend(handles + list(seen.values()), [h.get_label() for h in handles] + list(seen),
               loc="upper center", ncol=min(4, len(handles) + len(seen)), fontsize=7,
               frameon=False)
    if title:
        fig.suptitle(title, fontsize=9, y=1.02)
    top = 1 - 0.35 / fig.get_figheight()
    fig.tight_layout(rect=(0, 0, 1, top))
    return fig


def curves(ax: Any, series: Mapping[str, tuple[Sequence[float], Sequence[float]]],
           xlabel: str, ylabel: str, title: str = "", smooth: int = 1) -> Any:
    """Named ``(x, y)`` lines on ``ax`` with labelled axes; ``smooth`` > 1 draws a running
    mean over that many points over the faint raw line."""
    for k, (name, (x, y)) in enumerate(series.items()):
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if smooth > 1 and len(y) > smooth:
            ax.plot(x, y, color=f"C{k}", alpha=0.25, lw=0.8)
            kernel = np.ones(smooth) / smooth
            ax.plot(x[smooth - 1:], np.convolve(y, kernel, mode="valid"), color=f"C{k}",
                    label=name, lw=1.4)
        else:
            ax.plot(x, y, color=f"C{k}", label=name, lw=1.2)
    ax.set_xlabel(plot_text(xlabel), fontsize=8)
    ax.set_ylabel(plot_text(ylabel), fontsize=8)
    ax.tick_params(labelsize=7)
    if title:
        ax.set_title(plot_text(title), fontsize=9)
    if len(series) > 1:
        ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return ax
