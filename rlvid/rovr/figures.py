"""Figure helpers for ROVR: which frames a policy chose (Figure 3) and the context it
recovered (Figure 6)."""

from __future__ import annotations

import textwrap

import numpy as np
import torch

from rlvid.names import plot_text


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


def history_figure(curves: dict[str, list[dict]], keys: dict[str, str], phase: str,
                   smooth: int = 1):
    """One panel per logged key (``key -> axis label``), one line per run (``name ->``
    harness history rows); only the steps of ``phase``, in order, moving mean of ``smooth``."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(keys), figsize=(min(7.0, 3.4 * len(keys)), 2.6),
                             squeeze=False)
    for ax, (k, label) in zip(axes[0], keys.items()):
        for name, rows in curves.items():
            ys = np.array([r[k] for r in rows if r.get("phase") == phase and k in r], float)
            if not len(ys):
                continue
            if smooth > 1 and len(ys) >= smooth:
                ys = np.convolve(ys, np.ones(smooth) / smooth, mode="valid")
            ax.plot(np.arange(1, len(ys) + 1), ys, label=name, lw=1.2)
        ax.set_xlabel(f"{phase} step", fontsize=8)
        ax.set_ylabel(plot_text(label), fontsize=8)
        ax.tick_params(labelsize=7)
    handles, labels = axes[0][0].get_legend_handles_labels()
    if len(labels) > 1:  # the runs' key above the panels, not over the curves
        fig.legend(handles, labels, loc="upper center", ncol=len(labels), fontsize=7.5,
                   frameon=False)
    else:
        axes[0][-1].legend(fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.25 / fig.get_figheight() * (len(labels) > 1)))
    return fig


def regimes_figure(rows: list[dict], policies: dict[str, str], metrics: dict[str, str],
                   regimes: tuple[str, ...] = ("tuned", "frozen")):
    """Table 2 as points: per metric a panel, per policy (``name -> label``) one point per
    regime (seed mean, 95% t-interval), seeds as dots. The policy names are the first
    panel's row labels, the regimes' key sits above the panels."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FormatStrFormatter, MaxNLocator

    from rlvid.names import REGIMES
    from rlvid.results import t_interval

    fig, axes = plt.subplots(1, len(metrics), figsize=(7, 0.32 * len(policies) + 1.3),
                             squeeze=False, sharey=True)
    colours = {"tuned": "#1f5fa8", "frozen": "#c2571a"}
    for ax, (metric, label) in zip(axes[0], metrics.items()):
        for y, name in enumerate(policies):
            for k, regime in enumerate(regimes):
                vals = [r[metric] for r in rows if r.get("policy") == f"{name}:{regime}"
                        and isinstance(r.get("seed"), int)]
                if not vals:
                    continue
                yy = y + (k - 0.5) * 0.3
                ax.plot(vals, [yy] * len(vals), ".", color="0.6", ms=4)
                mean, half = t_interval(vals)
                ax.errorbar([mean], [yy], xerr=[[0.0 if np.isnan(half) else half]] * 2,
                            fmt="o", color=colours.get(regime, "k"), ms=4,
                            label=REGIMES.get(regime, regime) if y == 0 else None)
        ax.set_yticks(range(len(policies)), list(policies.values()), fontsize=8)
        ax.set_xlabel(plot_text(textwrap.fill(label, 34)), fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(3))
        ax.xaxis.set_major_formatter(FormatStrFormatter("%.3g"))
        ax.tick_params(axis="x", labelsize=7.5)
        ax.grid(axis="x", alpha=0.3)
    axes[0][0].invert_yaxis()
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), fontsize=8,
               frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / fig.get_figheight()))
    return fig
