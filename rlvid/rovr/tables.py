"""ROVR's experiments: Table 1 (notebook 20) and Table 2 with its per-seed study (notebook
21). Seeds run in parallel processes (:func:`rlvid.sweep.run_seeds`, one torch thread each
at the cpu profile); ``backend="serial"`` runs them here, in order, with the same results."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from rlvid.config import Config
from rlvid.nn.rovr import LocalUNet
from rlvid.progress import progress as progress_bar
from rlvid.results import mean_std
from rlvid.rovr.evaluate import (
    evaluate_rollout,
    imitation_valid_rates,
    local_table,
    logprob_comparison,
)
from rlvid.rovr.imitation import train_imitation
from rlvid.rovr.local import train_local
from rlvid.rovr.paper import PAPER_TABLE1, PAPER_TABLE2, POSTER_FLOW_RECOVERY, TABLE2_LABELS
from rlvid.rovr.ppg_stage import train_ppg
from rlvid.rovr.runs import load_local, load_policy, masked_set
from rlvid.rovr.selectors import (
    Selector,
    oracle_selector,
    policy_selector,
    random_selector,
    run_selector,
    sequential_selector,
)
from rlvid.sweep import run_seeds


def _per_seed(fn: Any, cfg: Config, backend: str) -> dict[int, Any]:
    return run_seeds(fn, cfg.seeds, threads=cfg.torch_threads or 1, backend=backend)


def table1_seed(cfg: Config, progress: bool, seed: int) -> dict[str, dict[str, np.ndarray]]:
    """One seed of Table 1: Gamma pretrained (or reused) and evaluated on the test videos."""
    local = load_local(cfg, train_local(cfg, seed, progress=progress).state)
    return local_table(local, masked_set(cfg, "test"), cfg.rovr, seed)


def table1(cfg: Config, progress: bool = True,
           backend: str = "process") -> tuple[list[dict[str, Any]], dict]:
    """Table 1 for every seed in ``cfg.seeds``: Gamma pretrained (or reused) per seed and
    evaluated on the test videos with best / worst / random pairs from the corrupted video.
    Returns (rows, per-seed raw arrays)."""
    raw = _per_seed(functools.partial(table1_seed, cfg, progress), cfg, backend)
    rows = []
    for name in ("best", "worst", "random"):
        per_seed = [raw[s][name] for s in cfg.seeds]
        ratio = [float(r[name]["mse"].mean() / r["random"]["mse"].mean()) for r in raw.values()]
        paper_mean, paper_std = PAPER_TABLE1[name]
        mse_mean, mse_seed_std = mean_std(float(m["mse"].mean()) for m in per_seed)
        row = {"conditioning": name,
               "mse_mean": mse_mean,
               "mse_frame_std": float(np.mean([m["mse"].std(ddof=1) for m in per_seed])),
               "mse_seed_std": mse_seed_std,
               "mse_vs_random": mean_std(ratio)[0]}
        for key in ("psnr", "ssim", "perceptual", "vgg_lp"):
            row[key], row[f"{key}_seed_std"] = mean_std([float(m[key].mean()) for m in per_seed])
        row.update({"paper_mse_mean": paper_mean, "paper_mse_std": paper_std,
                    "paper_mse_vs_random": paper_mean / PAPER_TABLE1["random"][0],
                    "seeds": len(cfg.seeds)})
        rows.append(row)
    return rows, raw


@dataclass
class SeedStudy:
    """Everything notebook 21 shows for one seed."""

    metrics: dict[str, dict[str, float]]  # policy -> metric -> value
    pairs: dict[str, torch.Tensor]  # policy -> (N_test, T, 2) chosen pairs
    imitation_valid: dict[str, dict[str, float]]  # "loss/split" -> greedy/sampled/random rate
    logprob_comparison: dict[str, float]


def seed_study(cfg: Config, seed: int, progress: bool = True) -> SeedStudy:
    """Train (or reuse) every stage for ``seed`` and evaluate every conditioning policy."""
    rcfg = cfg.rovr
    test = masked_set(cfg, "test")
    local_state = train_local(cfg, seed, progress=progress).state
    local = load_local(cfg, local_state)
    imitation = {loss: train_imitation(cfg, seed, local_state, loss=loss, progress=progress).state
                 for loss in ("bce", "contrastive")}
    ppg = {
        "rovr_flow_cold": train_ppg(cfg, seed, local_state, None, True, progress=progress),
        "rovr_noflow_warm": train_ppg(cfg, seed, local_state, imitation["bce"], False,
                                      progress=progress),
        "rovr_flow_warm": train_ppg(cfg, seed, local_state, imitation["bce"], True,
                                    progress=progress),
    }
    videos = torch.arange(rcfg.eval_videos or len(test))
    runs: dict[str, tuple[LocalUNet, Selector]] = {
        name: (load_local(cfg, r.state), policy_selector(load_policy(cfg, r.state), rcfg))
        for name, r in ppg.items()
    }
    runs["rovr_flow_warm_pretrained_local"] = (local, runs["rovr_flow_warm"][1])
    for loss, state in imitation.items():
        runs[f"imitation_{loss}"] = (local, policy_selector(load_policy(cfg, state), rcfg))
    runs["sequential"] = (local, sequential_selector())
    runs["random"] = (local, random_selector(seed))
    runs["oracle"] = (local, oracle_selector(test.best_pair))
    metrics, pairs = {}, {}
    for name, (net, selector) in progress_bar(runs.items(), total=len(runs), enabled=progress,
                                              desc=f"evaluate seed {seed}"):
        rollout = run_selector(net, test, selector, rcfg, videos)
        metrics[name] = evaluate_rollout(rollout, test, videos)
        pairs[name] = rollout.pairs
    train = masked_set(cfg, "train")
    valid = {f"{loss}/{split}": imitation_valid_rates(load_policy(cfg, state), data, local, rcfg,
                                                      seed)
             for loss, state in imitation.items()
             for split, data in (("train", train), ("test", test))}
    comparison = logprob_comparison(load_policy(cfg, imitation["bce"]), test, local, rcfg)
    return SeedStudy(metrics, pairs, valid, comparison)


def _seed_study(cfg: Config, progress: bool, seed: int) -> SeedStudy:
    return seed_study(cfg, seed, progress)


def seed_studies(cfg: Config, progress: bool = True,
                 backend: str = "process") -> dict[int, SeedStudy]:
    """:func:`seed_study` for every seed in ``cfg.seeds``, in parallel processes."""
    return _per_seed(functools.partial(_seed_study, cfg, progress), cfg, backend)


def table2(cfg: Config, studies: dict[int, SeedStudy]) -> list[dict[str, Any]]:
    """Table 2 rows: mean and seed std of each metric per policy, the paper beside."""
    rows = []
    for name, label in TABLE2_LABELS.items():
        row: dict[str, Any] = {"policy": label}
        for key in ("perceptual", "flow_recovery", "psnr", "ssim", "mse", "vgg_lp",
                    "valid_pair_rate"):
            row[key], row[f"{key}_std"] = mean_std(
                [studies[s].metrics[name][key] for s in studies])
        paper = PAPER_TABLE2.get(name, (None, None))
        row["paper_perceptual"], row["paper_flow_recovery"] = paper
        row["poster_flow_recovery"] = POSTER_FLOW_RECOVERY.get(name)
        row["seeds"] = len(studies)
        rows.append(row)
    return rows
