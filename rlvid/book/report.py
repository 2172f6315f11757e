"""The book's tables: each function turns an experiment's rows into the rows, reference rows,
headers and best-value directions of one :func:`rlvid.book.display.html_table`. Numbers are
shown as measured (no rounding here; the display formats them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rlvid.book.display import Stat, html_table, stats
from rlvid.book.viz import metric_label
from rlvid.rovr.methods import CONDITIONINGS
from rlvid.v2v.methods import BASELINES, OURS

# ---------------------------------------------------------------- 00: metric toolkit

LEVEL_UNITS = {"shift": "{:g} px", "noise": "σ {:g}", "blur": "σ {:g} px",
               "flicker": "±{:g}", "masking": "{:.0%} hidden"}


def sweep_table(rows: Sequence[Mapping[str, Any]], caption: str = "") -> Any:
    """:func:`rlvid.metrics.demo.metric_sweep` rows: the clean video is the reference row."""
    metrics = ("psnr", "ssim", "perceptual", "e_warp", "o")
    columns = {"perturbation": "perturbation", "level": "level",
               **{m: metric_label(m) for m in metrics}}

    def shown(r: Mapping[str, Any]) -> dict[str, Any]:
        unit = LEVEL_UNITS.get(str(r["perturbation"]), "{:g}")
        if r["perturbation"] == "none":
            return {**r, "perturbation": "clean video", "level": "–"}
        return {**r, "level": unit.format(r["level"])}

    return html_table([shown(r) for r in rows[1:]], reference_rows=[shown(rows[0])],
                      columns=columns, caption=caption, label_columns=2,
                      reference_label="reference: the clean video against itself",
                      notes="𝒪 only for masking rows: flow recovery of the neighbour-copy fill")


# ---------------------------------------------------------------- 01: datasets


def dataset_counts() -> Any:
    """Frames of every V2V set: the paper's count beside each profile's."""
    from rlvid.config import PROFILE_NAMES, load_config
    from rlvid.data import DOMAINS, PAPER_FRAMES, V2V_NAMES, v2v_counts

    rows = []
    for name in V2V_NAMES:
        for key in ("x", "y", "z", "zbar"):
            row: dict[str, Any] = {"dataset": name, "set": "z̄" if key == "zbar" else key,
                                   "content": DOMAINS[name][key],
                                   "paper_frames": PAPER_FRAMES[name][key]}
            for p in PROFILE_NAMES:
                dp = load_config(p).data
                n = v2v_counts(name, dp)[key]
                row[p] = f"{n} img" if key == "zbar" else f"{n}×{dp.video_len} = " \
                    f"{n * dp.video_len:,}"
            rows.append(row)
    return html_table(rows, label_columns=2, caption="Frames per set: the paper's and each "
                      "profile's (videos × T, or still images for z̄)",
                      columns={"dataset": "dataset", "set": "set", "content": "content",
                               "paper_frames": "paper (frames)",
                               **{p: f"{p} profile" for p in PROFILE_NAMES}})


def profile_sizes() -> Any:
    """Frame sizes, lengths and video counts of every profile."""
    from rlvid.config import PROFILE_NAMES, load_config

    rows = []
    for p in PROFILE_NAMES:
        dp = load_config(p).data
        rows.append({"profile": p, "V2V frame size": f"{dp.size}×{dp.size}",
                     "T": dp.video_len, "test videos (+twins)": dp.test_videos,
                     "ROVR frame size": f"{dp.rovr_size}×{dp.rovr_size}",
                     "ROVR train videos": dp.rovr_train_videos,
                     "ROVR test videos": dp.rovr_test_videos})
    return html_table(rows, caption="Sizes of each profile")


def valid_pair_summary(valid: Any) -> Any:
    """How the ROVR task's valid pairs spread over a set's (N, T, T, T) validity array,
    against a uniformly random frame."""
    import numpy as np

    valid = np.asarray(valid)
    t = valid.shape[1]
    counts = np.triu(valid, 1).sum(axis=(2, 3))
    _, t_idx, i_idx, _ = np.nonzero(valid)
    uniform = np.mean([np.mean([abs(a - b) for a in range(t) if a != b]) for b in range(t)])
    distance = np.abs(i_idx - t_idx)
    rows = [{"statistic": "valid pairs per target (min / mean / max)",
             "this set": f"{counts.min()} / {counts.mean():.2f} / {counts.max()}",
             "uniformly random frames": "–"},
            {"statistic": "mean |frame − target| over valid pairs",
             "this set": float(distance.mean()), "uniformly random frames": float(uniform)},
            {"statistic": "share of valid-pair frames next to the target",
             "this set": float((distance == 1).mean()),
             "uniformly random frames": 2 / (t - 1)}]
    return html_table(rows, caption=f"Valid pairs in the training set ({len(valid)} videos)")


# ---------------------------------------------------------------- V2V experiments

DIRECTION = {"bg_acc": "max", "bg_acc_first_half": "max", "bg_acc_second_half": "max",
             "iou": "max", "psnr": "max", "ssim": "max", "ewarp": "min",
             "edge_ssim": "max", "mask_iou": "max", "target_share": "max", "colour_fd": "min",
             "perceptual": "min", "flicker": "min"}
SCALE = {"ewarp": 1e3, "flicker": 1e3}


def method_table(summary: Sequence[Mapping[str, Any]], reference: Sequence[Mapping[str, Any]],
                 metrics: Sequence[str], caption: str, order: Sequence[str] | None = None,
                 notes: str = "") -> Any:
    """Methods (aggregated rows: ``<m>_mean``, ``<m>_std``, ``seeds``) as ``mean ± seed std``
    with the best of each column bold; reference rows (twin, identity...) set apart.
    E_warp and flicker are shown ×1000."""
    rank = {m: i for i, m in enumerate(order or ())}
    ordered = sorted(summary, key=lambda r: rank.get(r["method"], len(rank)))
    present = [m for m in metrics if any(f"{m}_mean" in r for r in ordered)
               or any(m in r for r in reference)]
    columns = {"method": "method", **{m: metric_label(m, SCALE.get(m, 1.0)) for m in present}}
    rows = [{"method": r["method"], **stats(r, present, scale=SCALE)} for r in ordered]
    ref = [{"method": r["method"], **stats(r, present, scale=SCALE)} for r in reference]
    seeds = sorted({int(r["seeds"]) for r in ordered if "seeds" in r})
    spread = ("" if not seeds else "mean ± standard deviation over seeds" if len(seeds) > 1
              else f"mean ± standard deviation over {seeds[0]} seed{'s' if seeds[0] > 1 else ''}")
    return html_table(rows, reference_rows=ref, columns=columns, caption=caption,
                      best={m: DIRECTION[m] for m in present if m in DIRECTION},
                      notes="; ".join(x for x in (spread, notes) if x))


def seams_table(seams: Mapping[str, Any]) -> Any:
    """E_warp (x1000) of frame pairs that cross a window boundary and of those inside a
    window, for a long video translated in windows (:func:`window_seams`); the source
    video itself is the reference row."""
    label = metric_label("ewarp", 1e3)
    rows = [{"translation": text, "boundary pairs": seams[f"{key}_ewarp_boundary"] * 1e3,
             "pairs within windows": seams[f"{key}_ewarp_within"] * 1e3}
            for key, text in (("carried", "windows, state carried"),
                              ("reset", "windows, state reset"))]
    ref = [{"translation": "the source video itself",
            "boundary pairs": seams["source_ewarp_boundary"] * 1e3,
            "pairs within windows": seams["source_ewarp_within"] * 1e3}]
    gap = seams["max_diff_carried_vs_single_pass"]
    return html_table(rows, reference_rows=ref, caption=f"{label}, by frame pair",
                      reference_label="reference: the source's own E_warp",
                      notes=f"{seams['frames']} frames in windows of {seams['window']}; "
                            "largest difference between the windowed and the one-pass "
                            "translation: " + ("below 1e-5" if gap < 1e-5 else f"{gap:.3g}"))


def network_table(cfg: Any, data: Any,
                  baselines: Sequence[str] = BASELINES) -> Any:
    """RL-V2V-GAN's Table 1 read off the built networks (:func:`rlvid.nn.table1`), then
    the parameter counts of the baselines' networks. Builds networks: it draws from
    torch's global random generator."""
    import torch

    from rlvid.nn import count_parameters, table1
    from rlvid.v2v.train import make_method
    from rlvid.v2v.training_parts import TrainingData

    rows = [{"network": r["network"], "encoder": r["encoder"], "decoder": r["decoder"],
             "final function": r["final"],
             "parameters": ", ".join(f"{k} {v:,}" for k, v in r["parameters"].items())}
            for r in table1(cfg.v2v, cfg.data.size)]
    train = TrainingData.from_dataset(data, torch.device("cpu"))
    for name in baselines:
        nets = make_method(name, cfg, train, torch.device("cpu")).nets
        rows.append({"network": f"{name} (baseline)", "encoder": "as G",
                     "decoder": "per-frame convolutions", "final function": "as G, D",
                     "parameters": ", ".join(f"{k} {count_parameters(m):,}"
                                             for k, m in nets.items())})
    return html_table(rows, caption="Table 1: the networks, read off the code",
                      notes="RPB and URB: the paper's blocks (§3.4, Figure 4)")


def training_times(rows: Sequence[Mapping[str, Any]],
                   methods: Sequence[str] = (OURS, *BASELINES)) -> Any:
    """Mean training seconds per seed on this machine (varies between machines)."""
    out = []
    for m in methods:
        seconds = [r["train_s"] for r in rows if r["method"] == m]
        if seconds:
            out.append({"method": m, "seeds": len(seconds),
                        "training s per seed": sum(seconds) / len(seconds)})
    return html_table(out, caption="Training time on this machine",
                      notes="wall-clock seconds; differ between machines and runs")


# ---------------------------------------------------------------- ROVR


def seed_order_table(rows: Sequence[Mapping[str, Any]]) -> Any:
    """Per seed: Γ's hidden-pixel MSE (Table 1's number) with the best, random and worst
    pairs, and whether they are ordered as the paper's Table 1."""
    order = CONDITIONINGS  # best, random, worst: the paper's order, lowest MSE first
    seeds = dict.fromkeys(r["seed"] for r in rows if isinstance(r.get("seed"), int))
    table = []
    for seed in seeds:
        m = {r["conditioning"]: float(r["hidden_mse"]) for r in rows
             if r.get("seed") == seed and r["conditioning"] in order}
        table.append({"seed": str(seed), **{k: m[k] for k in order},
                      "best < random < worst": m[order[0]] < m[order[1]] < m[order[2]]})
    return html_table(table, caption="The order of Table 1, seed by seed (hidden-pixel MSE)",
                      columns={"seed": "seed", **{k: f"{k} pair" for k in order},
                               "best < random < worst": "best < random < worst"})


__all__ = ["LEVEL_UNITS", "Stat", "dataset_counts", "method_table", "network_table",
           "profile_sizes", "seams_table", "seed_order_table", "sweep_table", "training_times",
           "valid_pair_summary"]
