"""ROVR's experiments: Table 1 (notebook 20; rows in :mod:`rlvid.rovr.table1`), O of the
fixed selectors on pretrained Gamma (:func:`flow_separation`) and Table 2 with its per-seed
study (notebook 21). Seeds run in parallel processes (:func:`rlvid.parallel.sweep.run_seeds`, one
torch thread each at the cpu profile); ``backend="serial"`` runs them here, in order, with
the same results."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch

from rlvid.config import Config
from rlvid.parallel.sweep import run_seeds
from rlvid.rovr.dataset import masked_set
from rlvid.rovr.evaluate import (
    evaluate_rollout,
)
from rlvid.rovr.local import train_local
from rlvid.rovr.methods import FLOW_SELECTORS, ORACLE, RANDOM, SEQUENTIAL
from rlvid.rovr.nets import load_local
from rlvid.rovr.pairs import best_sets
from rlvid.rovr.selectors import (
    Selector,
    oracle_selector,
    random_selector,
    run_selector,
    sequential_selector,
)
from rlvid.rovr.table1 import reference_rows, table1_seed


def _per_seed(fn: Any, cfg: Config, backend: str) -> dict[int, Any]:
    return run_seeds(fn, cfg.seeds, threads=cfg.torch_threads or 1, backend=backend)


def table1(cfg: Config, progress: bool = True,
           backend: str = "process") -> tuple[list[dict[str, Any]], dict]:
    """Table 1 for every seed in ``cfg.seeds`` (:mod:`rlvid.rovr.table1`): per-seed rows of
    both Gammas, then the reference rows. Returns (rows, {seed: {conditioning: per-frame
    metric arrays}})."""
    per_seed = _per_seed(functools.partial(table1_seed, cfg, progress), cfg, backend)
    rows = [row for s in cfg.seeds for row in per_seed[s]["rows"]]
    return rows + reference_rows(cfg), {s: per_seed[s]["raw"] for s in cfg.seeds}


def flow_separation_seed(cfg: Config, progress: bool, seed: int) -> list[dict[str, Any]]:
    """O (eq. 3, whole frames) and the valid-pair rate of the oracle, sequential and random
    selectors (k frames each) driving the MDP with ``seed``'s pretrained Gamma, on the test
    videos."""
    test = masked_set(cfg, "test")
    local = load_local(cfg, train_local(cfg, seed, progress=progress).state)
    k = cfg.rovr.conditioning_frames
    selectors: dict[str, Selector] = {ORACLE.name: oracle_selector(best_sets(test, k)),
                                      SEQUENTIAL.name: sequential_selector(k),
                                      RANDOM.name: random_selector(seed, k)}
    videos = torch.arange(cfg.rovr.eval_videos or len(test))
    rows = []
    for name in FLOW_SELECTORS:
        rollout = run_selector(local, test, selectors[name], cfg.rovr, videos)
        metrics = evaluate_rollout(rollout, test, videos, vgg=False)
        rows.append({"seed": seed, "selector": name,
                     "flow_recovery": metrics["flow_recovery"],
                     "valid_pair_rate": metrics["valid_pair_rate"],
                     "perceptual": metrics["perceptual"]})
    return rows


def flow_separation(cfg: Config, progress: bool = True,
                    backend: str = "process") -> list[dict[str, Any]]:
    """:func:`flow_separation_seed` for every seed in ``cfg.seeds`` (issue 14 item 2: does
    O rank oracle > sequential > random before any policy is trained?). One row per
    (seed, selector)."""
    per_seed = _per_seed(functools.partial(flow_separation_seed, cfg, progress), cfg, backend)
    return [row for s in cfg.seeds for row in per_seed[s]]


def separation_summary(rows: list[dict[str, Any]], metric: str = "flow_recovery"
                       ) -> list[dict[str, Any]]:
    """Per consecutive pair of :data:`FLOW_SELECTORS` (oracle vs sequential, sequential vs
    random), paired by seed: the mean gap, the std over seeds of the paired gaps and of
    each arm (the larger), the gap over each spread, and the wins out of the seeds."""
    by = {(r["selector"], r["seed"]): r[metric] for r in rows}
    seeds = sorted({r["seed"] for r in rows})
    out = []
    for upper, lower in zip(FLOW_SELECTORS, FLOW_SELECTORS[1:]):
        a = np.array([by[upper, s] for s in seeds])
        b = np.array([by[lower, s] for s in seeds])
        gap = float((a - b).mean())
        paired = float((a - b).std(ddof=1)) if len(seeds) > 1 else 0.0
        arm = max(float(a.std(ddof=1)), float(b.std(ddof=1))) if len(seeds) > 1 else 0.0
        out.append({"comparison": f"{upper} > {lower}", "gap": gap,
                    "paired_spread": paired, "arm_spread": arm,
                    "gap_over_paired_spread": gap / paired if paired else float("inf"),
                    "gap_over_arm_spread": gap / arm if arm else float("inf"),
                    "wins": f"{int((a > b).sum())}/{len(seeds)}"})
    return out


