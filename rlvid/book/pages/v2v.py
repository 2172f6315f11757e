"""What the RL-V2V-GAN pages (notebooks 10-13) show beyond the shared display code: the
result table of per-seed rows with its reference rows (and their kinds) and budget ratios,
and the RL phase's learning curves (issue 13 item 8).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from rlvid.book.display import Stat, Tables, html_table
from rlvid.book.names import display_name
from rlvid.book.viz import curves, metric_label
from rlvid.results import is_seed_row, row_kind, t_interval
from rlvid.v2v.methods import METHODS

SCALE = {"ewarp": 1e3, "flicker": 1e3, "tdiff": 1e3}  # shown x 1000
ORDER = tuple(METHODS)  # the book's order of methods
# the evidence columns every trained row carries (contract of issue 12), when present
COST = {"budget_ratio": "FLOPs / RL-V2V-GAN's", "updates": "updates", "train_s": "train s"}
LABELS = {"gated_acc": "content-gated accuracy ↑", "tdiff": "temporal-difference error ↓",
          "gated_share": "judged Y and mask IoU ≥ 0.5 ↑"}


def label(metric: str) -> str:
    """Column label: :func:`rlvid.book.viz.metric_label`, with this page's own metrics."""
    scale = SCALE.get(metric, 1.0)
    if metric not in LABELS:
        return metric_label(metric, scale)
    text = LABELS[metric]
    return f"{text[:-2]} ×{scale:g}{text[-2:]}" if scale != 1.0 else text


MIN_SEEDS_FOR_CI = 3  # with fewer, a t-interval is wider than most metrics' range


def _mean_ci(values: Sequence[float]) -> Stat | float:
    """The mean with its 95% t half-width, or the mean alone below three seeds."""
    mean, half = t_interval(values)
    return Stat(mean, half) if np.isfinite(half) and len(values) >= MIN_SEEDS_FOR_CI else mean


CORE_METRICS = 4  # the first metrics of a page (its verdict metrics first) share a table


def result_table(rows: Sequence[Mapping[str, Any]], metrics: Mapping[str, bool],
                 caption: str, notes: str = "") -> Any:
    """Per-seed rows as one line per method (mean ± 95% t half-width over seeds), then the
    reference rows (``seed`` "-") with their kind (:func:`rlvid.results.row_kind`), as up
    to three tables that each fit the column: the first :data:`CORE_METRICS` of
    ``metrics`` (name -> higher is better; the page's primary metrics come first), the
    others, and the training cost (budget ratio, updates, seconds)."""
    methods = list(dict.fromkeys(r["method"] for r in rows if is_seed_row(r)))
    methods.sort(key=lambda m: ORDER.index(m) if m in ORDER else len(ORDER))
    present = [m for m in metrics if any(m in r for r in rows)]
    cost = [c for c in COST if any(c in r for r in rows if is_seed_row(r))]
    headers = {**{m: label(m) for m in present},
               **{c: COST[c] for c in cost}}
    table = []
    for method in methods:
        mine = [r for r in rows if r.get("method") == method and is_seed_row(r)]
        line: dict[str, Any] = {"method": method, "seeds": len(mine)}
        for m in present + cost:
            values = [float(r[m]) * SCALE.get(m, 1.0) for r in mine if m in r]
            if values:
                line[m] = _mean_ci(values)
        table.append(line)
    reference = [{"method": f"{r['method']} ({row_kind(r, 'method') or 'reference'})",
                  "seeds": "-",
                  **{m: float(r[m]) * SCALE.get(m, 1.0) for m in present if m in r}}
                 for r in rows if not is_seed_row(r)]
    few = any(line["seeds"] < MIN_SEEDS_FOR_CI for line in table)
    spread = "mean ± 95% t half-width over seeds" + (
        "; the mean alone for fewer than 3 seeds" if few else "")
    core, other = present[:CORE_METRICS], present[CORE_METRICS:]
    parts = [(core, caption, "; ".join(x for x in (spread, notes) if x))]
    for start in range(0, len(other), CORE_METRICS):  # four measures a table fit the column
        parts.append((other[start:start + CORE_METRICS], f"{caption}: "
                      + ("other measures" if start == 0 else "more measures"), spread))
    tables = [html_table(table, reference_rows=reference,
                         columns={"method": "method", "seeds": "seeds",
                                  **{m: headers[m] for m in ms}},
                         caption=cap, best={m: "max" if metrics[m] else "min" for m in ms},
                         notes=note, reference_label="reference rows (not trained)")
              for ms, cap, note in parts]
    if cost:
        tables.append(html_table(
            [{k: v for k, v in line.items() if k in ("method", *cost)} for line in table],
            columns={"method": "method", **{c: headers[c] for c in cost}},
            caption=f"{caption}: training cost",
            notes="FLOPs of each method over RL-V2V-GAN's, optimizer updates and seconds "
                  "of training, mean over seeds"))
    return Tables(tables)


def rl_phase_curves(history: Sequence[Mapping[str, Any]]) -> Figure:
    """The RL phase of one RL-V2V-GAN run: the critic's TD error (warm-up, then DDPG), the
    actor's objective (mean Q of the policy's action) and reward, and each policy
    network's relative parameter change ‖Δθ‖/‖θ‖ over the phase."""
    rl = [e for e in history if e.get("phase") in ("q_warmup", "rl")]
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.1))

    def series(key: str, sign: float = 1.0, phases: tuple[str, ...] = ("q_warmup", "rl")
               ) -> tuple[list[int], list[float]]:
        picked = [e for e in rl if key in e and e["phase"] in phases]
        return [e["step"] for e in picked], [sign * float(e[key]) for e in picked]

    curves(axes[0], {"critic warm-up": series("loss_q", phases=("q_warmup",)),
                     "DDPG": series("loss_q", phases=("rl",))},
           "step", "TD error (L_Q)", "critic")
    curves(axes[1], {"actor objective Q(s, π(s))": series("loss_actor", -1.0, ("rl",)),
                     "mean reward": series("reward", phases=("rl",))},
           "step", "value", "actor")
    last = next((e for e in reversed(rl) if any(k.startswith("dtheta_") for k in e)), {})
    changes = {k[len("dtheta_"):]: float(v) for k, v in last.items() if k.startswith("dtheta_")}
    if changes:
        axes[2].bar(list(changes), list(changes.values()), color="tab:blue")
        axes[2].set_yscale("log")
        axes[2].axhline(1e-2, ls=":", c="k", lw=1)  # the "not tested" floor (claims V3)
    else:
        axes[2].text(0.5, 0.5, "no RL phase recorded", ha="center", transform=axes[2].transAxes)
    axes[2].set_title("‖Δθ‖/‖θ‖ over the RL phase", fontsize=9)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- learning curves (issue 22)

def committed_curves(dataset: str, profile: str = "cpu") -> list[dict[str, Any]]:
    """The committed learning curves of ``dataset`` (``results/<profile>/curves/``, written
    by ``scripts/learning_curves.py``), one dict per method; [] when none is committed."""
    import json

    from rlvid.paths import project_root

    folder = project_root() / "results" / profile / "curves"
    return [json.loads(p.read_text()) for p in sorted(folder.glob(f"{dataset}-*.json"))]


def curve_label(method: str) -> str:
    """A curve's method in the book's words, a probe's override after it in brackets
    (``pretrain_only v2v.lr=1e-3`` -> ``pretraining only (v2v.lr=1e-3)``)."""
    name, _, probe = method.partition(" ")
    return display_name(name) + (f" ({probe})" if probe else "")


def learning_curves_plot(curves_: Sequence[Mapping[str, Any]], metrics: Sequence[str]
                         ) -> Figure:
    """One panel per metric: each method's score against the FLOPs it has spent (log axis),
    the best trivial row dashed (the floor a method must clear) and the twin dotted."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.2), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        series = {curve_label(c["method"]): ([r["flops"] / 1e12 for r in c["rows"]],
                                [r[metric] for r in c["rows"]]) for c in curves_}
        label = metric.replace("_", " ") + " ↑"  # the short name: the long one overflows
        curves(ax, series, "training TFLOP (log)", label)
        ax.set_xscale("log")
        reference = curves_[0]["reference"] if curves_ else []
        trivial = [r[metric] for r in reference
                   if row_kind(r, "method") == "trivial" and metric in r]
        twin = [r[metric] for r in reference if r.get("method") == "twin" and metric in r]
        if trivial:
            ax.axhline(max(trivial), color="grey", ls="--", lw=1, label="best trivial row")
        if twin:
            ax.axhline(twin[0], color="grey", ls=":", lw=1, label="twin")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def curve_budget_lines(curves_: Sequence[Mapping[str, Any]], metric: str,
                       margin: float) -> list[str]:
    """Per method: the first step from which ``metric`` stays above the best trivial row
    by ``margin`` (:func:`rlvid.v2v.curves.first_step_beating`), or that it never does."""
    from rlvid.v2v.curves import first_step_beating

    lines = []
    for c in curves_:
        trivial = [r[metric] for r in c["reference"]
                   if row_kind(r, "method") == "trivial" and metric in r]
        floor = max(trivial) if trivial else 0.0
        step = first_step_beating(c["rows"], metric, floor, margin)
        last = max(c["rows"], key=lambda r: r["step"])
        end = int(last["step"])
        where = (f"stays above the best trivial row ({floor:.3f}) + {margin:g} from step "
                 f"{step} on" if step is not None else
                 f"never stays above the best trivial row ({floor:.3f}) + {margin:g}: the "
                 f"task was not learned up to step {end}")
        lines.append(f"{curve_label(c['method'])}: {metric} {where}; {last[metric]:.3f} at "
                     f"step {end} "
                     f"({last['flops'] / 1e12:.1f} TFLOP, commit "
                     f"{c['provenance']['git_commit'][:10]})")
    return lines


CURVE_METRICS = {"synthetic": ("gated_acc", "coherent_pairs"),
                 "flowers": ("gated_share", "coherent_pairs"),
                 "city": ("gated_share", "coherent_pairs")}  # each claim's primary metrics
CURVE_MARGIN = 0.1  # "clearly beats": 0.1 above the best trivial row


def show_learning_curves(dataset: str, profile: str = "cpu") -> Figure | None:
    """The committed learning curves of ``dataset``: the figure, and one line per method on
    when its first primary metric clears the best trivial row by :data:`CURVE_MARGIN`."""
    found = committed_curves(dataset, profile)
    if not found:
        print(f"no learning curve of {dataset} is committed under results/{profile}/curves")
        return None
    metrics = CURVE_METRICS[dataset]
    fig = learning_curves_plot(found, metrics)
    print("\n".join(curve_budget_lines(found, metrics[0], CURVE_MARGIN)))
    return fig
