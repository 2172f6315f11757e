"""ROVR Table 2 (notebook 21) in two Gamma regimes, one row per (policy, regime, seed).

Per seed: Gamma pretrained (or reused from notebook 20), two imitation warm starts (the
paper's per-frame top-2 with BCE, §6.2; the pair-aware policy with the pair ranking loss,
§8's proposal), three PPG runs of the pair-aware policy (flow reward and warm start; no flow
reward and warm start; flow reward and cold start; §7.3), Gamma fine-tuned in each (§6.3).
Every selector is then scored on the held-out videos twice:

- ``tuned``: the paper's regime, every selector with the final Gamma of the flow + warm PPG
  run (the method under test), so the baselines get the same Gamma it has;
- ``frozen``: every selector with the pretrained Gamma, so no row gains from fine-tuning.

Per-seed rows carry the evidence contract's columns (``seed``, ``train_s``, ``updates``,
``flops`` of the policy's own training: imitation + PPG; ``param_change``,
``phase_updates`` and ``transitions`` for PPG rows); rows without Γ or policy follow:
copy-nearest-visible (a baseline), the mean fill and the unfilled input (trivial). Seeds
run in parallel (:func:`rlvid.parallel.sweep.run_seeds`).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

import torch

from rlvid.config import Config
from rlvid.parallel.sweep import run_seeds
from rlvid.results import relative_change
from rlvid.rovr.dataset import masked_set
from rlvid.rovr.evaluate import action_ceilings, evaluate_rollout, imitation_valid_rates
from rlvid.rovr.imitation import train_imitation
from rlvid.rovr.local import train_local
from rlvid.rovr.methods import (
    ACTION_OF,
    COPY_NEAREST,
    FROZEN,
    IMITATION_RUNS,
    MEAN_FILL,
    ORACLE,
    OURS,
    PPG_RUNS,
    RANDOM,
    SEQUENTIAL,
    TABLE2_LABELS,
    TUNED,
    UNFILLED,
    UNTRAINED_PAIR,
    WARM_START,
    method_record,
)
from rlvid.rovr.nets import build_policy, load_local, load_policy
from rlvid.rovr.pairs import require_pairs
from rlvid.rovr.ppg_stage import train_ppg
from rlvid.rovr.selectors import (
    Rollout,
    oracle_selector,
    policy_selector,
    random_selector,
    run_selector,
    sequential_selector,
)
from rlvid.rovr.stage_runner import StageResult

REGIMES = (TUNED, FROZEN)
METRICS = ("flow_recovery", "perceptual", "valid_pair_rate", "mse", "psnr", "ssim")


def key(name: str, regime: str) -> str:
    """Table 2's key: a policy in a Gamma regime, e.g. ``rovr_flow_warm:tuned``."""
    return f"{name}:{regime}"


@dataclass
class SeedTable2:
    """One seed: its rows, the imitation valid rates and the training curves."""

    rows: list[dict[str, Any]]
    imitation_valid: dict[str, dict[str, float]]  # "name/split" -> greedy/sampled/random
    curves: dict[str, list[dict[str, Any]]]  # stage name -> harness history
    pairs: dict[str, torch.Tensor]  # key -> (N_test, T, 2) chosen pairs


def _history(result: StageResult) -> list[dict[str, Any]]:
    path = result.run_dir / "history.json"
    return json.loads(path.read_text()) if path.is_file() else []


def _costs(*results: StageResult) -> dict[str, float]:
    return {"train_s": sum(r.total("wall_s") for r in results),
            "updates": sum(r.total("updates") for r in results),
            "flops": sum(r.total("flops") for r in results)}


def seed_table2(cfg: Config, seed: int, progress: bool = True) -> SeedTable2:
    """Train (or reuse) every stage for ``seed`` and score every selector in both regimes."""
    rcfg = cfg.rovr
    require_pairs(rcfg, "Table 2 (imitation of the pair-aware policy)")
    test, train = masked_set(cfg, "test"), masked_set(cfg, "train")
    local_state = train_local(cfg, seed, progress=progress).state
    local = load_local(cfg, local_state)
    il = {name: train_imitation(cfg, seed, local_state, loss=method_record(name).imitation_loss,
                                action=method_record(name).action, progress=progress)
          for name in IMITATION_RUNS}
    ppg = {name: train_ppg(cfg, seed, local_state,
                           il[WARM_START].state if method_record(name).warm_start else None,
                           method_record(name).flow_reward, progress=progress)
           for name in PPG_RUNS}
    selectors = {RANDOM.name: random_selector(seed), SEQUENTIAL.name: sequential_selector(),
                 ORACLE.name: oracle_selector(test.best_pair)}
    costs: dict[str, dict[str, float]] = {}
    for name, result in il.items():
        selectors[name] = policy_selector(load_policy(cfg, result.state), rcfg)
        costs[name] = _costs(result)
    extra: dict[str, dict[str, float]] = {}
    for name, result in ppg.items():
        selectors[name] = policy_selector(load_policy(cfg, result.state), rcfg)
        warm = [il[WARM_START]] if method_record(name).warm_start else []
        costs[name] = _costs(result, *warm)
        extra[name] = {"param_change": relative_change(result.state["policy_start"],
                                                       result.state["policy"]),
                       "phase_updates": result.total("updates"),
                       "transitions": result.counts["policy"].samples}
    gammas = {TUNED: load_local(cfg, ppg[OURS].state), FROZEN: local}
    videos = torch.arange(rcfg.eval_videos or len(test))
    rows, pairs = [], {}
    for regime, net in gammas.items():
        selectors[RANDOM.name] = random_selector(seed)  # the same random pairs in each regime
        for name, selector in selectors.items():
            rollout: Rollout = run_selector(net, test, selector, rcfg, videos)
            metrics = evaluate_rollout(rollout, test, videos, vgg=False)
            row: dict[str, Any] = {"policy": key(name, regime), "regime": regime,
                                   "label": TABLE2_LABELS[name], "seed": seed}
            row.update({m: metrics[m] for m in METRICS})
            if name == ORACLE.name:
                row["kind"] = ORACLE.kind
            row.update(costs.get(name, {}))
            row.update(extra.get(name, {}))
            rows.append(row)
            pairs[key(name, regime)] = rollout.pairs
    valid = {f"{name}/{split}": imitation_valid_rates(load_policy(cfg, r.state), data, local,
                                                     rcfg, seed)
             for name, r in [*il.items(), *ppg.items()]
             for split, data in (("train", train), ("test", test))}
    with torch.random.fork_rng(devices=[]):  # an untrained pair-aware policy, for scale
        torch.manual_seed(seed)
        fresh = build_policy(rcfg, UNTRAINED_PAIR.action).eval()
    for split, data in (("train", train), ("test", test)):
        valid[f"{UNTRAINED_PAIR.name}/{split}"] = imitation_valid_rates(fresh, data, local, rcfg,
                                                                         seed)
    curves = {name: _history(r) for name, r in [*il.items(), *ppg.items()]}
    return SeedTable2(rows, valid, curves, pairs)


def _seed(cfg: Config, progress: bool, seed: int) -> SeedTable2:
    return seed_table2(cfg, seed, progress)


def table2_seeds(cfg: Config, progress: bool = True,
                 backend: str = "process") -> dict[int, SeedTable2]:
    """:func:`seed_table2` for every seed in ``cfg.seeds``, in parallel processes."""
    return run_seeds(functools.partial(_seed, cfg, progress), cfg.seeds,
                     threads=cfg.torch_threads or 1, backend=backend)


def reference_rows(cfg: Config) -> list[dict[str, Any]]:
    """Deterministic rows without Γ or policy (seed "-"): copy-nearest-visible (a baseline),
    the mean fill and the unfilled input (trivial); kinds from
    :data:`rlvid.results.ROW_KINDS`."""
    from rlvid.data.inpaint_baselines import copy_nearest_visible, mean_fill, unfilled
    from rlvid.results import ROW_KINDS
    from rlvid.rovr.env import flow_recovery_batch
    from rlvid.rovr.evaluate import frame_metrics, mean_frame_metrics

    test = masked_set(cfg, "test")
    rows = []
    for name, fill in ((COPY_NEAREST.name, copy_nearest_visible), (MEAN_FILL.name, mean_fill),
                       (UNFILLED.name, unfilled)):
        filled = torch.stack([fill(v, m) for v, m in zip(test.videos, test.masks)])
        frames = frame_metrics(filled.flatten(0, 1), test.videos.flatten(0, 1), vgg=False)
        row: dict[str, Any] = {"policy": name, "regime": "none",
                               "label": TABLE2_LABELS[name], "seed": "-",
                               "kind": ROW_KINDS[name], **mean_frame_metrics(frames)}
        row["flow_recovery"] = float(flow_recovery_batch(filled, test.videos,
                                                         test.corrupted).mean())
        rows.append(row)
    return rows


def table2_rows(cfg: Config, seeds: dict[int, SeedTable2]) -> list[dict[str, Any]]:
    """Every seed's rows, then the reference rows; budget ratios against the method under
    test (flow + warm PPG)."""
    from rlvid.results import add_budget_ratios

    rows = [r for s in seeds.values() for r in s.rows]  # costs do not depend on the regime
    return add_budget_ratios(rows, key(OURS, TUNED), key="policy") + \
        reference_rows(cfg)


def action_rates(seeds: dict[int, SeedTable2], ceilings: dict[str, dict[str, float]]
                 ) -> list[dict[str, Any]]:
    """Per trained policy: its action form, the best valid rate that form can express
    (``ceilings[split]`` from :func:`action_ceilings`; the per-frame top-2 with a frame-wise
    score), and its achieved greedy valid rate, train and test, mean over seeds."""
    out = []
    for name, action in ACTION_OF.items():
        form = "pair" if action == "pair" else "top2_frame_score"
        row: dict[str, Any] = {"policy": TABLE2_LABELS[name], "action": action}
        for split in ("train", "test"):
            rates = [s.imitation_valid[f"{name}/{split}"]["greedy"] for s in seeds.values()]
            row[f"ceiling_{split}"] = ceilings[split][form]
            row[f"achieved_{split}"] = float(sum(rates) / len(rates))
        row[RANDOM.name] = ceilings["test"][RANDOM.name]
        out.append(row)
    return out


__all__ = ["ACTION_OF", "METRICS", "REGIMES", "SeedTable2", "action_ceilings", "action_rates",
           "key", "reference_rows", "seed_table2", "table2_rows",
           "table2_seeds"]


def paper_beside(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The paper's Table 2 (and the poster's O) beside our seed-means in both regimes, for
    the policies the paper reports; its perceptual loss is on another scale than ours."""
    from rlvid.rovr.paper import PAPER_TABLE2, POSTER_FLOW_RECOVERY

    def mean(name: str, regime: str, metric: str) -> float | None:
        values = [float(r[metric]) for r in rows if r.get("policy") == key(name, regime)
                  and isinstance(r.get("seed"), int) and metric in r]
        return sum(values) / len(values) if values else None

    return [{"policy": TABLE2_LABELS[name], "paper: perceptual": perceptual,
             "paper: O": flow, "poster: O": POSTER_FLOW_RECOVERY.get(name),
             "ours: O (tuned Γ)": mean(name, TUNED, "flow_recovery"),
             "ours: O (frozen Γ)": mean(name, FROZEN, "flow_recovery"),
             "ours: perceptual (tuned Γ)": mean(name, TUNED, "perceptual")}
            for name, (perceptual, flow) in PAPER_TABLE2.items()]
