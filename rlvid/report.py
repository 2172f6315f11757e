"""The book's tables: each function turns an experiment's rows into the rows, reference rows,
headers and best-value directions of one :func:`rlvid.display.html_table`. Numbers are
shown as measured (no rounding here; the display formats them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rlvid.display import Stat, html_table, stats
from rlvid.viz import metric_label

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
                      notes="O only for masking rows: flow recovery of the neighbour-copy fill")


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

SYNTHETIC_METRICS = ("bg_acc", "bg_acc_first_half", "bg_acc_second_half", "iou", "psnr",
                     "ssim", "ewarp")
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


STYLE_GROUPS = {
    "content kept and target style reached": ("edge_ssim", "mask_iou", "target_share",
                                              "colour_fd"),
    "closeness to the twin and temporal coherence": ("perceptual", "psnr", "ssim", "ewarp",
                                                     "flicker"),
}


def show_style_tables(summary: Sequence[Mapping[str, Any]],
                      reference: Sequence[Mapping[str, Any]], title: str,
                      notes: str = "") -> None:
    """The style experiments' results as two tables (content and style; twin and
    coherence), each with the reference rows; columns a table has no value for are left
    out (no twin: no PSNR)."""
    from IPython.display import display

    from rlvid.v2v.style import METHOD_ORDER

    for name, metrics in STYLE_GROUPS.items():
        if not any(f"{m}_mean" in r or m in r for r in [*summary, *reference] for m in metrics):
            continue
        display(method_table(summary, reference, metrics, caption=f"{title}: {name}",
                             order=METHOD_ORDER, notes=notes))


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
                  baselines: Sequence[str] = ("recycle", "cyclegan")) -> Any:
    """RL-V2V-GAN's Table 1 read off the built networks (:func:`rlvid.nn.table1`), then
    the parameter counts of the baselines' networks. Builds networks: it draws from
    torch's global random generator."""
    import torch

    from rlvid.nn import count_parameters, table1
    from rlvid.v2v.common import TrainingData
    from rlvid.v2v.train import make_method

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
                   methods: Sequence[str] = ("rlv2v", "recycle", "cyclegan")) -> Any:
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


def show_rovr_table1(rows: Sequence[Mapping[str, Any]]) -> None:
    """ROVR Table 1 (rows of :func:`rlvid.rovr.tables.table1`) as two tables: the MSE beside
    the paper's, then the other metrics."""
    from IPython.display import display

    ours = [{"conditioning": r["conditioning"],
             "mse": Stat(r["mse_mean"], r["mse_seed_std"]),
             "ratio": r["mse_vs_random"],
             "paper": Stat(r["paper_mse_mean"], r["paper_mse_std"]),
             "paper_ratio": r["paper_mse_vs_random"]} for r in rows]
    display(html_table(
        ours, caption="Table 1: Γ's MSE with each conditioning pair, beside the paper's",
        columns={"conditioning": "conditioning pair", "mse": "MSE per pixel, ours ↓",
                 "ratio": "ours / random", "paper": "paper MSE (unstated scale)",
                 "paper_ratio": "paper / random"},
        best={"mse": "min"},
        notes="ours: mean ± standard deviation over seeds, [0, 1] pixel units; paper: "
              "mean ± std over frames; only the ratios to random are comparable"))
    other = [{"conditioning": r["conditioning"], "frame_std": r["mse_frame_std"],
              **{k: Stat(r[k], r.get(f"{k}_seed_std")) for k in ("psnr", "ssim", "perceptual",
                                                                "vgg_lp")}} for r in rows]
    display(html_table(
        other, caption="Table 1, other metrics of the same reconstructions",
        columns={"conditioning": "conditioning pair", "frame_std": "MSE std over frames",
                 "psnr": metric_label("psnr"), "ssim": metric_label("ssim"),
                 "perceptual": metric_label("perceptual"), "vgg_lp": metric_label("vgg_lp")},
        best={"psnr": "max", "ssim": "max", "perceptual": "min", "vgg_lp": "min"},
        notes="mean ± standard deviation over seeds"))


def seed_order_table(raw: Mapping[int, Mapping[str, Mapping[str, Any]]]) -> Any:
    """Per seed: Γ's MSE with the best, random and worst pairs, and whether they are
    ordered as the paper's Table 1."""
    rows = []
    for seed, per in raw.items():
        m = {k: float(per[k]["mse"].mean()) for k in ("best", "random", "worst")}
        rows.append({"seed": str(seed), **m,
                     "best < random < worst": m["best"] < m["random"] < m["worst"]})
    return html_table(rows, caption="The order of Table 1, seed by seed (MSE per pixel)")


ROVR_REFERENCE = ("random", "oracle")  # content-free floor and ceiling of Table 2
ROVR_SHORT = {  # Table 2's policies, short enough for figure labels
    "rovr_flow_cold": "ROVR flow, cold", "rovr_noflow_warm": "ROVR no flow, warm",
    "rovr_flow_warm": "ROVR flow, warm", "imitation_bce": "imitation (BCE)",
    "imitation_contrastive": "imitation (contrastive)", "sequential": "sequential (t-1, t-2)",
    "random": "random pairs", "oracle": "oracle best pair",
    "rovr_flow_warm_pretrained_local": "ROVR flow, warm; pretrained Γ",
}


def show_rovr_table2(rows: Sequence[Mapping[str, Any]]) -> None:
    """ROVR Table 2 (rows of :func:`rlvid.rovr.tables.table2`) as two tables: O and the
    perceptual distance beside the paper's and the poster's numbers, then the other
    metrics. Random and oracle pairs are reference rows."""
    from IPython.display import display

    from rlvid.rovr.paper import TABLE2_LABELS

    reference_labels = {TABLE2_LABELS[k] for k in ROVR_REFERENCE}

    def split(shown: list[dict[str, Any]]) -> dict[str, Any]:
        return {"rows": [r for r in shown if r["policy"] not in reference_labels],
                "reference_rows": [r for r in shown if r["policy"] in reference_labels],
                "reference_label": "reference: random pairs (floor), oracle best pair "
                                   "(ceiling)"}

    paper = [{"policy": r["policy"],
              "o": Stat(r["flow_recovery"], r["flow_recovery_std"]),
              "paper_o": r["paper_flow_recovery"], "poster_o": r["poster_flow_recovery"],
              "perceptual": Stat(r["perceptual"], r["perceptual_std"]),
              "paper_perceptual": r["paper_perceptual"]} for r in rows]
    display(html_table(
        caption="Table 2: every conditioning policy, beside the paper's numbers",
        columns={"policy": "policy", "o": metric_label("flow_recovery"),
                 "paper_o": "paper O", "poster_o": "poster O",
                 "perceptual": metric_label("perceptual"),
                 "paper_perceptual": "paper perceptual (unstated scale)"},
        best={"o": "max", "perceptual": "min"},
        notes="ours: mean ± standard deviation over seeds; the paper's perceptual loss is on "
              "another scale (compare orderings, not values)", **split(paper)))
    other = [{"policy": r["policy"], **{k: Stat(r[k], r[f"{k}_std"]) for k in
                                        ("psnr", "ssim", "vgg_lp", "valid_pair_rate")}}
             for r in rows]
    display(html_table(
        caption="Table 2, other metrics of the same reconstructions",
        columns={"policy": "policy", "psnr": metric_label("psnr"),
                 "ssim": metric_label("ssim"), "vgg_lp": metric_label("vgg_lp"),
                 "valid_pair_rate": metric_label("valid_pair_rate")},
        best={"psnr": "max", "ssim": "max", "vgg_lp": "min", "valid_pair_rate": "max"},
        notes="mean ± standard deviation over seeds", **split(other)))


def imitation_valid_table(studies: Mapping[int, Any]) -> Any:
    """How often the imitation warm start's pair is valid (greedy top-2, a sampled pair),
    on training and test videos, against uniformly random pairs; means over seeds."""
    import numpy as np

    rows = []
    for key in ("bce/train", "bce/test", "contrastive/train", "contrastive/test"):
        per = [st.imitation_valid[key] for st in studies.values()]
        loss, split = key.split("/")
        rows.append({"loss": loss, "videos": split,
                     **{k: float(np.mean([p[k] for p in per]))
                        for k in ("greedy", "sampled", "random")}})
    return html_table(rows, label_columns=2,
                      caption="Valid pairs chosen by the imitation warm start (share of steps)",
                      columns={"loss": "imitation loss", "videos": "videos",
                               "greedy": "greedy top-2 ↑", "sampled": "sampled pair ↑",
                               "random": "uniformly random pair"},
                      notes="mean over seeds; states visited when the oracle drives the MDP")


def logprob_table(studies: Mapping[int, Any]) -> Any:
    """Geometric-mean vs exact pair log-probability, means over seeds."""
    import numpy as np

    what = {"geometric_mass": "total probability of all pairs, geometric mean",
            "exact_mass": "total probability of all pairs, exact (1 by definition)",
            "spearman": "rank correlation of the two over pairs (Spearman)",
            "top_pair_agree": "share of states where the most probable pair agrees"}
    rows = [{"quantity": text,
             "value": float(np.mean([st.logprob_comparison[k] for st in studies.values()]))}
            for k, text in what.items()]
    return html_table(rows, caption="Pair log-probabilities: the paper's geometric mean "
                      "against the exact probability", notes="mean over seeds")


__all__ = ["LEVEL_UNITS", "ROVR_SHORT", "Stat", "dataset_counts", "imitation_valid_table",
           "logprob_table", "method_table", "network_table", "profile_sizes", "seams_table",
           "seed_order_table", "show_rovr_table1", "show_rovr_table2", "show_style_tables",
           "sweep_table", "training_times", "valid_pair_summary"]
