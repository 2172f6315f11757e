"""The book's figures: one function per figure the notebooks show, built on
:mod:`rlvid.book.viz`. Each returns a pyplot figure with labelled axes (unit, backend, better
direction); end the notebook cell with ``plt.show()``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from rlvid.book.names import display_name, plot_text
from rlvid.book.viz import curves, metric_label
from rlvid.rovr.methods import BEST, FROZEN, RANDOM, REGIMES, TUNED, WORST
from rlvid.v2v.methods import BASELINES, OURS, PRETRAINING

# ---------------------------------------------------------------- 00: metric toolkit


def metric_response(rows: Sequence[Mapping[str, Any]],
                    metrics: Sequence[str] = ("psnr", "ssim", "perceptual", "e_warp"),
                    clean_psnr: float = 50.0) -> Figure:
    """Each metric against the perturbation level (0 = clean, then the three levels), one
    line per perturbation kind, from :func:`rlvid.metrics.demo.metric_sweep` rows. The clean
    video's infinite PSNR is drawn at ``clean_psnr``."""
    clean = rows[0]
    kinds = list(dict.fromkeys(r["perturbation"] for r in rows[1:]))
    n_rows = -(-len(metrics) // 2)
    fig, axes = plt.subplots(n_rows, 2, figsize=(7, 2.5 * n_rows), squeeze=False)
    axes = list(axes.flat)
    for ax, metric in zip(axes, metrics):
        for kind in kinds:
            kind_rows = [r for r in rows if r["perturbation"] == kind]
            start = clean_psnr if metric == "psnr" else clean[metric]
            ax.plot(range(len(kind_rows) + 1), [start] + [r[metric] for r in kind_rows],
                    marker="o", ms=3, label=kind)
        ax.set_xlabel("perturbation level (0 = clean)", fontsize=8)
        ax.set_ylabel(metric_label(metric), fontsize=8)
        ax.set_xticks(range(4))
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    axes[0].annotate(f"clean: ∞, drawn at {clean_psnr:g}", (0, clean_psnr), fontsize=6,
                     xytext=(4, -10), textcoords="offset points")
    axes[len(metrics) - 1].legend(fontsize=7)
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- 01: datasets


def valid_pair_layout(valid: np.ndarray) -> Figure:
    """For one ROVR video's (T, T, T) validity array: valid pairs per target (bars) and how
    many valid pairs use each frame, per target (heat map)."""
    t = valid.shape[0]
    n_pairs = t * (t - 1) // 2 - (t - 1)
    pairs_per_target = np.triu(valid, 1).sum(axis=(1, 2))
    in_valid_pairs = valid.sum(axis=2)  # [target, frame]: valid pairs that use the frame
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    left.bar(np.arange(t), pairs_per_target, color="tab:blue")
    left.set(xlabel="target frame", ylabel=f"valid pairs (of {n_pairs})",
             title="valid pairs per target", xticks=range(0, t, 2))
    im = right.imshow(in_valid_pairs, cmap="viridis")
    right.set(xlabel="conditioning frame", ylabel="target frame",
              title="valid pairs using each frame", xticks=range(0, t, 2),
              yticks=range(0, t, 2))
    fig.colorbar(im, ax=right, label="valid pairs")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- V2V experiments


def v2v_training_curves(histories: Mapping[str, Sequence[Mapping[str, Any]]]) -> Figure:
    """First-seed training curves: RL-V2V-GAN's pretraining losses, Algorithm 1's reward,
    Q and critic loss, and the baselines' generator losses."""
    h = histories
    # RL-V2V-GAN branches from the pretrain_only run: its pretraining is logged there
    pre = [e for name in (PRETRAINING, OURS) for e in h.get(name, [])
           if e["phase"] == "pretrain"]
    rl = [e for e in h[OURS] if e["phase"] == "rl"]
    step = lambda es: [e["step"] for e in es]
    fig, axes = plt.subplots(2, 2, figsize=(7, 4.6))
    axes = list(axes.flat)
    curves(axes[0], {"G, P: L (eq. 10)": (step(pre), [e["loss_gp"] for e in pre]),
                     "D: −L": (step(pre), [e["loss_d"] for e in pre])},
           "pretraining step", "loss", "RL-V2V-GAN pretraining")
    curves(axes[1], {"mean reward": (step(rl), [e["reward"] for e in rl]),
                     "mean Q": (step(rl), [e["q_mean"] for e in rl])},
           "step (one video per step)", "reward, Q", "Algorithm 1 (DDPG)")
    curves(axes[2], {"critic L_Q": (step(rl), [e["loss_q"] for e in rl])},
           "step (one video per step)", "critic loss L_Q", "Algorithm 1 (DDPG)")
    curves(axes[3], {f"{display_name(name)} G": (step(h[name]), [e["loss_g"] for e in h[name]])
                     for name in BASELINES if name in h},
           "step", "generator loss", "baselines")
    fig.tight_layout()
    return fig


def background_by_frame(rows: Sequence[Mapping[str, Any]], methods: Sequence[str]) -> Figure:
    """The Figure 1 test: background-colour accuracy at each frame position, mean over
    seeds and test videos, from per-seed rows with a ``bg_acc_t`` list."""
    from rlvid.results import t_interval

    fig, ax = plt.subplots(figsize=(7, 2.8))
    for k, method in enumerate(methods):
        per_seed = np.array([r["bg_acc_t"] for r in rows if r["method"] == method])
        t = np.arange(1, per_seed.shape[1] + 1)
        stats = [t_interval(per_seed[:, i]) for i in range(per_seed.shape[1])]
        mean = np.array([s[0] for s in stats])
        ax.plot(t, mean, marker="o", ms=3, color=f"C{k}", label=display_name(method))
        half = np.array([s[1] for s in stats])
        if np.isfinite(half).all():
            ax.fill_between(t, np.clip(mean - half, 0, 1), np.clip(mean + half, 0, 1),
                            color=f"C{k}", alpha=0.12)  # an accuracy stays in [0, 1]
    half_way = per_seed.shape[1] / 2 + 0.5
    ax.axvline(half_way, color="grey", lw=0.8, ls=":")
    ax.annotate("blue | red", (half_way, 1.02), ha="center", fontsize=7, color="grey")
    ax.set_xlabel("frame position in the video")
    ax.set_ylabel("background colour accuracy ↑\n(share of test videos)", fontsize=8)
    ax.set_ylim(-0.05, 1.1)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(alpha=0.3)  # the key sits beside the axes: inside, it covered points
    fig.tight_layout()
    return fig


def window_seams_plot(seams: Mapping[str, Any], window: int) -> Figure:
    """E_warp of every consecutive frame pair of a long translated video, with the ConvLSTM
    state carried across windows and reset at each window; grey lines mark boundaries."""
    frames = int(seams["frames"])
    fig, ax = plt.subplots(figsize=(8, 2.8))
    pairs = range(1, frames)
    ax.plot(pairs, np.asarray(seams["reset_pairs"]) * 1e3, lw=0.8, color="tab:red",
            label="state reset per window")
    ax.plot(pairs, np.asarray(seams["carried_pairs"]) * 1e3, lw=1.2, color="tab:blue",
            label="state carried (rlvid translate)")
    for boundary in range(window, frames, window):
        ax.axvline(boundary, color="grey", lw=0.3)
    ax.set_xlabel("frame t (pair t−1, t); grey lines: window boundaries")
    ax.set_ylabel(metric_label("ewarp", 1e3), fontsize=8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- ROVR


def tensorboard_scalars(run_dir: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every scalar a training stage logged (``tag -> (steps, values)``), read from the
    TensorBoard files under ``run_dir/tb``; a resumed run's later files win."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out: dict[str, dict[int, float]] = {}
    for path in sorted(Path(run_dir, "tb").glob("events.out.tfevents.*")):
        acc = EventAccumulator(str(path), size_guidance={"scalars": 0})
        acc.Reload()
        for tag in acc.Tags().get("scalars", []):
            out.setdefault(tag, {}).update({e.step: e.value for e in acc.Scalars(tag)})
    return {tag: (np.array(sorted(v)), np.array([v[s] for s in sorted(v)]))
            for tag, v in out.items()}


def lambda_schedule_plot(steps: Sequence[int], lams: Sequence[float]) -> Figure:
    fig, ax = plt.subplots(figsize=(4, 2.2))
    curves(ax, {"λ": (steps, lams)}, "pretraining iteration of Γ",
           "λ (weight of L_P in L_R)", "perceptual weight in L_R")
    fig.tight_layout()
    return fig


def stage_curves(runs: Mapping[str, str | Path], tags: Mapping[str, str],
                 smooth: int = 1) -> Figure:
    """One panel per logged tag (``tag -> axis label``), one line per run (``name ->
    run directory``); runs that did not log a tag are skipped."""
    logged = {name: tensorboard_scalars(path) for name, path in runs.items()}
    fig, axes = plt.subplots(1, len(tags), figsize=(3.3 * len(tags), 2.6), squeeze=False)
    for ax, (tag, label) in zip(axes[0], tags.items()):
        series = {name: s[tag] for name, s in logged.items() if tag in s}
        curves(ax, series, "iteration", label, smooth=smooth)  # the label names the tag
    fig.tight_layout()
    return fig


def table1_figure(rows: Sequence[Mapping[str, Any]], paper_ratio: Mapping[str, float],
                  order: Sequence[str] = (BEST.name, RANDOM.name, WORST.name)) -> Figure:
    """ROVR Table 1 as points: per conditioning pair, Γ's hidden-pixel MSE (Table 1's
    number, left) and its ratio to random pairs (right) for every seed, the mean and its
    95% t-interval over seeds; the paper's ratios as red crosses."""
    from rlvid.book.viz import method_points

    seeds = list(dict.fromkeys(r["seed"] for r in rows if isinstance(r.get("seed"), int)))
    value = {(r["seed"], r["conditioning"]): float(r["hidden_mse"]) for r in rows
             if r.get("seed") in seeds and r["conditioning"] in order}
    mse = {name: [value[s, name] for s in seeds] for name in order}
    ratio = {name: [value[s, name] / value[s, RANDOM.name] for s in seeds] for name in order}
    fig, (left, right) = plt.subplots(1, 2, figsize=(7, 2.4), sharey=True)
    method_points(left, mse, label=metric_label("hidden_mse"))
    method_points(right, ratio, label="hidden MSE / with random pairs ↓")
    right.scatter([paper_ratio[n] for n in order], range(len(order)), marker="x",
                  color="tab:red", s=30, zorder=4, label="paper (Table 1)")
    right.axvline(1.0, color="0.5", lw=0.8, ls=":")
    handles, labels = right.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper right", fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.25 / fig.get_figheight()))
    return fig


def choice_maps(maps: Mapping[str, np.ndarray]) -> Figure:
    """ROVR Figure 3: for each policy a (steps x frames) map, yellow the target, green the
    two conditioning frames chosen at that step."""
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap(["#f4f4f4", "#f2d22e", "#2e9e44"])
    fig, axes = plt.subplots(1, len(maps), figsize=(1.75 * len(maps), 2.3))
    for ax, (name, grid) in zip(np.atleast_1d(axes), maps.items()):
        ax.imshow(grid, cmap=cmap, vmin=0, vmax=2)
        ax.set_title(name, fontsize=7)
        ax.set_xlabel("frame", fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    np.atleast_1d(axes)[0].set_ylabel("step (target frame)", fontsize=7)
    fig.tight_layout()
    return fig


def history_figure(curves: dict[str, list[dict]], keys: dict[str, str], phase: str,
                   smooth: int = 1) -> Figure:
    """One panel per logged key (``key -> axis label``), one line per run (``name ->``
    harness history rows); only the steps of ``phase``, in order, moving mean of ``smooth``."""
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
                   regimes: tuple[str, ...] = tuple(REGIMES)) -> Figure:
    """Table 2 as points: per metric a panel, per policy (``name -> label``) one point per
    regime (seed mean, 95% t-interval), seeds as dots. The policy names are the first
    panel's row labels, the regimes' key sits above the panels."""
    from matplotlib.ticker import FormatStrFormatter, MaxNLocator

    from rlvid.results import t_interval

    fig, axes = plt.subplots(1, len(metrics), figsize=(7, 0.32 * len(policies) + 1.3),
                             squeeze=False, sharey=True)
    colours = {TUNED: "#1f5fa8", FROZEN: "#c2571a"}
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


# ---------------------------------------------------------------- 90: results


def forest_plot(claims: Sequence[Mapping[str, Any]]) -> Figure:
    """One line per claim, grouped by paper and labelled by its short statement: the paired
    effect (positive = the paper's direction) with its 95% CI, each scaled by its own
    largest |value| so that claims on different metrics share one axis; the verdict and the
    raw numbers are printed beside. Claims without an effect (not tested, not comparable)
    are listed with a cross at 0."""
    from rlvid.book.html_blocks import VERDICT_COLOURS
    from rlvid.book.names import claim_short

    papers = list(dict.fromkeys(c["paper"] for c in claims))
    lines: list[tuple[str, Mapping[str, Any] | None]] = []
    for paper in papers:
        lines.append((paper, None))
        lines += [(f"{c.get('id', '')}  {claim_short(c)}", c) for c in claims
                  if c["paper"] == paper]
    fig, ax = plt.subplots(figsize=(7, 0.24 * len(lines) + 0.8))
    for y, (_, c) in enumerate(lines):
        if c is None:
            continue
        colour = VERDICT_COLOURS.get(str(c["verdict"]), "0.4")
        note = str(c["verdict"])
        if c.get("effect") is not None and c.get("ci95"):
            lo, hi = (float(v) for v in c["ci95"])
            eff = float(c["effect"])
            scale = max(abs(lo), abs(hi), abs(eff)) or 1.0
            ax.plot([lo / scale, hi / scale], [y, y], color=colour, lw=2)
            ax.plot([eff / scale], [y], "o", color=colour, ms=5)
            note = f"{note}: {eff:+.3g} [{lo:+.3g}, {hi:+.3g}]".replace("-", "−")
        else:
            ax.plot([0], [y], "x", color=colour, ms=5)
        ax.text(1.04, y, note, fontsize=7.5, va="center", color=colour,
                transform=ax.get_yaxis_transform())
    ax.axvline(0, color="0.5", lw=0.8, ls="--")
    ax.set_xlim(-1.1, 1.1)
    ax.set_ylim(len(lines) - 0.5, -0.5)
    ax.set_yticks(range(len(lines)), [label for label, _ in lines], fontsize=8)
    for tick, (_, c) in zip(ax.get_yticklabels(), lines):
        if c is None:
            tick.set_fontweight("bold")
    ax.tick_params(axis="y", length=0)
    ax.set_xticks([-1, 0, 1], ["−1\nagainst", "0", "+1\nas claimed"], fontsize=7.5)
    ax.set_xlabel("effect / its largest |value| (95% CI)", fontsize=7.5)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    fig.subplots_adjust(left=0.42, right=0.66, top=1 - 0.15 / fig.get_figheight(),
                        bottom=0.65 / fig.get_figheight())
    return fig
