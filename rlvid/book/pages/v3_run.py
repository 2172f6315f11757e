"""Claim V3's long reference run on the synthetic page: which seeds have landed, on how many
seeds pretraining reached a model above the best trivial row, and each seed's two branches
from that model (the RL phase, and GAN training continued for the same FLOPs).

The run itself is ``scripts/reference_run.py v3`` at one pinned commit; its per-seed files
are ``results/<profile>/v3/seed-<s>.json`` and, once every seed has landed, the merged
table ``results/<profile>/v3.json`` with its reference rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from rlvid.book.names import display_name
from rlvid.book.viz import axis_label
from rlvid.claims.judge import best_trivial
from rlvid.paths import reference_path
from rlvid.results import is_seed_row, per_seed
from rlvid.storage.seed_results import read_seed_results
from rlvid.v2v.methods import GAN_CONTINUED, OURS, PRETRAINING

START, ARMS = PRETRAINING, (OURS, GAN_CONTINUED.name)  # claim V3's start and its arms
METRIC = "gated_acc"  # V3's primary metric
LEARNED_SHARE = 0.8  # issue 22: the task is learned when ours beats the floor on >= 4 of 5 seeds
COLOURS = dict(zip(ARMS, ("#1565c0", "#ef6c00")))


def v3_seed_rows(profile: str = "cpu") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rows of every seed file that has landed, and the first one's provenance."""
    done = read_seed_results(reference_path("v3", profile).with_suffix(""))
    rows = [dict(r) for s in sorted(done) for r in done[s]["rows"]]
    return rows, (done[min(done)]["provenance"] if done else {})


def run_settings(provenance: Mapping[str, Any]) -> dict[str, Any]:
    """What the run was: its commit, pretraining steps and rate, DDPG updates."""
    v2v = (provenance.get("config") or {}).get("v2v") or {}
    return {"commit": str(provenance.get("git_commit", "?"))[:10],
            "pretraining steps": v2v.get("pretrain_iterations"), "GAN lr": v2v.get("lr"),
            "DDPG updates": v2v.get("rl_iterations")}


def branches_plot(rows: Sequence[Mapping[str, Any]], floor: tuple[str, float] | None,
                  metric: str = METRIC) -> Figure:
    """Each seed's pretrained model (left) joined to the end of each branch (right): one
    line per seed and branch, the best trivial row dashed."""
    fig, ax = plt.subplots(figsize=(6.2, 3.4))
    start = per_seed(rows, "method", START, metric)
    for arm in ARMS:
        end = per_seed(rows, "method", arm, metric)
        for i, seed in enumerate(sorted(set(start) & set(end))):
            ax.plot([0, 1], [start[seed], end[seed]], "-o", color=COLOURS[arm], alpha=0.8,
                    label=display_name(arm) if i == 0 else None)
    if floor is not None:
        ax.axhline(floor[1], color="grey", ls="--", lw=1, label=f"best trivial ({floor[0]})")
    ax.set_xticks([0, 1], ["pretrained", "after the branch"])
    ax.set_xlim(-0.2, 1.2)
    ax.set_ylabel(axis_label(metric))
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    fig.tight_layout()
    return fig


def v3_sentences(rows: Sequence[Mapping[str, Any]], floor: tuple[str, float] | None,
                 seeds_planned: int = 5, metric: str = METRIC) -> list[str]:
    """What the landed seeds say, computed: how many pretrained above the floor, and how
    many seeds each branch ends above it and above the other branch."""
    start = per_seed(rows, "method", START, metric)
    lines = [f"{len(start)} of {seeds_planned} seeds have landed."]
    if floor is None or not start:
        return lines
    above = sorted(s for s, v in start.items() if v > floor[1])
    lines.append(f"Pretraining reached a model above the best trivial row ({floor[0]}, "
                 f"{floor[1]:.3g}) on {len(above)} of {len(start)} seeds"
                 + (f" (seeds {', '.join(map(str, above))})." if above else "."))
    ends = {arm: per_seed(rows, "method", arm, metric) for arm in ARMS}
    won = {arm: sum(v > floor[1] for v in end.values()) for arm, end in ends.items()}
    for arm, end in ends.items():
        lines.append(f"{display_name(arm)} ends above it on {won[arm]} of {len(end)} seeds.")
    a, b = ends[ARMS[0]], ends[ARMS[1]]
    paired = sorted(set(a) & set(b))
    if paired:
        lines.append(f"{display_name(ARMS[0])} beats {display_name(ARMS[1])} on "
                     f"{sum(a[s] > b[s] for s in paired)} of {len(paired)} paired seeds "
                     f"(ties: {sum(a[s] == b[s] for s in paired)}).")
    if len(a) >= seeds_planned:  # every seed landed: was the task learned at this budget?
        need = math.ceil(LEARNED_SHARE * len(a))
        lines.append(f"{display_name(ARMS[0])} learned the task at this budget: above the "
                     f"best trivial row on {won[ARMS[0]]} of {len(a)} seeds."
                     if won[ARMS[0]] >= need else
                     f"At this budget {display_name(ARMS[0])} did not learn the task: it ends "
                     f"above the best trivial row on {won[ARMS[0]]} of {len(a)} seeds, fewer than "
                     f"{need}; the learning curve above (one seed's pretraining) shows how "
                     "far from the floor the budget leaves it.")
    return lines


def show_v3_run(profile: str = "cpu", seeds_planned: int = 5) -> Figure | None:
    """The run's settings and sentences, and :func:`branches_plot` once a seed has landed."""
    from rlvid.book.html_blocks import show_definitions, show_list
    from rlvid.results import load_table

    rows, provenance = v3_seed_rows(profile)
    if not rows:
        print(f"no seed of V3's reference run has landed in results/{profile}/v3/ yet")
        return None
    merged = reference_path("v3", profile)
    reference = [r for r in load_table(merged)["rows"] if not is_seed_row(r)] \
        if merged.is_file() else []
    floor = best_trivial([*rows, *reference], "method", METRIC, True)
    show_definitions({k: v for k, v in run_settings(provenance).items() if v is not None},
                     caption="V3's long reference run")
    show_list(v3_sentences(rows, floor, seeds_planned))
    return branches_plot(rows, floor)
