"""ROVR Table 1 (§7.1): the pretrained local network Gamma with the best, random and worst
conditioning pairs, per seed, beside non-learned fills of the same holes.

Rows (the evidence contract of issue 12), keyed ``conditioning``:

- per seed (``seed`` an int): ``best``, ``random``, ``worst`` for Gamma as configured
  (``cfg.rovr.local_net``), and ``best (<other> Γ)`` for the other Gamma with the best pair;
  each with ``net``, the metrics, and ``train_s``, ``updates``, ``flops`` of its pretraining;
- reference rows (``seed`` "-"): ``copy-best-pair``, ``copy-nearest-visible`` and
  ``OpenCV Telea`` (kind ``baseline``: simple methods that inpaint), ``mean fill`` and
  ``unfilled`` (kind ``trivial``); kinds from :data:`rlvid.results.ROW_KINDS`.

Metrics: ``hidden_mse`` (MSE over every hidden pixel and channel of the test videos, claim
R1) and its ``psnr`` (10 log10(1 / hidden_mse): a per-frame PSNR is infinite wherever a copy
happens to be exact), and per frame, averaged: ``mse`` (whole frame), ``ssim``,
``perceptual`` (ST-LPIPS), ``vgg_lp`` (L_P of eq. 1).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch

from rlvid.config import Config
from rlvid.data.inpaint_baselines import (
    copy_nearest_visible,
    copy_pair_fill,
    mean_fill,
    telea_fill,
)
from rlvid.nn.local_net import LOCAL_NETS
from rlvid.results import ROW_KINDS, row_kind
from rlvid.rovr.dataset import masked_set
from rlvid.rovr.evaluate import frame_metrics
from rlvid.rovr.local import apply_local, train_local
from rlvid.rovr.methods import BEST, CONDITIONINGS, RANDOM, WORST
from rlvid.rovr.nets import load_local
from rlvid.rovr.pairs import random_pairs, require_pairs
from rlvid.rovr.stage_runner import StageResult

METRICS = {"hidden_mse": False, "mse": False, "psnr": True, "ssim": True,
           "perceptual": False, "vgg_lp": False}  # name -> higher is better


def with_local_net(cfg: Config, kind: str) -> Config:
    """``cfg`` with Gamma of ``kind`` (its runs go to their own directory); the paper's
    Gamma is pretrained on random pairs only, as in §6.1, whatever the profile's
    ``local.valid_share``."""
    local = dataclasses.replace(cfg.rovr.local, valid_share=0.0) if kind == "paper" \
        else cfg.rovr.local
    return dataclasses.replace(cfg, rovr=dataclasses.replace(cfg.rovr, local_net=kind,
                                                             local=local))


def other_net(cfg: Config) -> str:
    return next(k for k in LOCAL_NETS if k != cfg.rovr.local_net)


def stage_counts(result: StageResult) -> dict[str, float]:
    """``train_s``, ``updates``, ``flops`` of a stage, summed over its phases (the
    harness's ``counts.json``)."""
    counts = json.loads((result.run_dir / "counts.json").read_text())
    return {"train_s": float(sum(c["wall_s"] for c in counts.values())),
            "updates": int(sum(c["updates"] for c in counts.values())),
            "flops": float(sum(c["flops"] for c in counts.values()))}


def _states(data: Any) -> tuple[torch.Tensor, torch.Tensor]:
    n, t = data.videos.shape[:2]
    return torch.arange(n).repeat_interleave(t), torch.arange(t).repeat(n)


def score_frames(output: torch.Tensor, data: Any) -> dict[str, np.ndarray]:
    """Per-frame metrics of (N*T, 3, H, W) outputs (video-major), plus ``hidden_mse``
    per frame (squared error summed over hidden pixels / their count, for pooling)."""
    nn_, tt = _states(data)
    truth, hidden = data.videos[nn_, tt], data.masks[nn_, tt].expand(-1, 3, -1, -1)
    out = frame_metrics(output, truth)
    sq = (output.double() - truth.double()).pow(2) * hidden
    out["hidden_sse"] = sq.sum(dim=(1, 2, 3)).numpy()
    out["hidden_count"] = hidden.sum(dim=(1, 2, 3)).double().numpy()
    return out


def summarise(frames: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Table metrics from :func:`score_frames`: pooled hidden MSE, per-frame means."""
    mse = float(frames["hidden_sse"].sum() / frames["hidden_count"].sum())
    row = {"hidden_mse": mse, "psnr": 10 * math.log10(1 / mse) if mse > 0 else math.inf}
    row.update({k: float(np.mean(frames[k])) for k in METRICS if k not in row})
    return row


def gamma_outputs(local: torch.nn.Module, data: Any, seed: int
                  ) -> dict[str, torch.Tensor]:
    """Gamma on every (test video, target) with the best, random and worst pairs taken from
    the corrupted video; the random pairs from a generator seeded by ``seed``."""
    nn_, tt = _states(data)
    gen = torch.Generator().manual_seed(seed)
    pairs = {BEST.name: data.best_pair[nn_, tt],
             RANDOM.name: random_pairs(tt, data.videos.shape[1], gen),
             WORST.name: data.worst_pair[nn_, tt]}
    with torch.no_grad():
        return {name: apply_local(local, data, nn_, tt, pair) for name, pair in pairs.items()}


def reference_outputs(data: Any) -> dict[str, torch.Tensor]:
    """The four non-learned fills of every test frame, (N*T, 3, H, W) each."""
    fills: dict[str, Callable[[int], torch.Tensor]] = {
        "copy-best-pair": lambda k: copy_pair_fill(data.videos[k], data.masks[k],
                                                   data.best_pair[k]),
        "copy-nearest-visible": lambda k: copy_nearest_visible(data.videos[k], data.masks[k]),
        "OpenCV Telea": lambda k: telea_fill(data.videos[k], data.masks[k]),
        "mean fill": lambda k: mean_fill(data.videos[k], data.masks[k]),
    }
    return {name: torch.cat([fill(k) for k in range(len(data))]) for name, fill in fills.items()}


def table1_seed(cfg: Config, progress: bool, seed: int) -> dict[str, Any]:
    """One seed: both Gammas pretrained (or reused from their run directories) and scored on
    the test videos. Returns {"rows": per-seed rows, "raw": {conditioning: frame arrays}}."""
    require_pairs(cfg.rovr, "Table 1 (best, worst and random pairs)")
    test = masked_set(cfg, "test")
    rows, raw = [], {}
    for kind in (cfg.rovr.local_net, other_net(cfg)):
        kcfg = with_local_net(cfg, kind)
        result = train_local(kcfg, seed, progress=progress)
        local = load_local(kcfg, result.state)
        outputs = gamma_outputs(local, test, seed)
        names = CONDITIONINGS if kind == cfg.rovr.local_net else (BEST.name,)
        for name in names:
            frames = score_frames(outputs[name], test)
            label = name if kind == cfg.rovr.local_net else f"{name} ({kind} Γ)"
            raw[label] = frames
            rows.append({"seed": seed, "conditioning": label, "net": kind,
                         **summarise(frames), **stage_counts(result)})
    return {"rows": rows, "raw": raw}


def reference_rows(cfg: Config) -> list[dict[str, Any]]:
    """One deterministic row per non-learned fill (seed "-")."""
    test = masked_set(cfg, "test")
    return [{"seed": "-", "conditioning": name, "net": "none", "kind": ROW_KINDS[name],
             **summarise(score_frames(out, test))}
            for name, out in reference_outputs(test).items()]


def table1_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per conditioning, in table order: the mean over seeds of each metric and
    its seed std (``<metric>_std``; reference rows have none), ``seeds``, ``kind``."""
    out: dict[str, dict[str, Any]] = {}
    for label in dict.fromkeys(r["conditioning"] for r in rows):
        group = [r for r in rows if r["conditioning"] == label]
        row: dict[str, Any] = {"conditioning": label, "net": group[0]["net"],
                               "kind": row_kind(group[0], "conditioning") or "trained",
                               "seeds": len(group)}
        for metric in METRICS:
            values = np.array([r[metric] for r in group], dtype=float)
            row[metric] = float(values.mean())
            row[f"{metric}_std"] = float(values.std(ddof=1)) if len(values) > 1 else None
        out[label] = row
    return list(out.values())


def fill_comparison(cfg: Config, seed: int, video: int = 0) -> dict[str, torch.Tensor]:
    """Every frame of one test video filled by both Gammas (best pair; ``seed``'s
    pretrained nets, reused from their run directories) and by the four reference fills:
    {name: (T, 3, H, W)}, with the corrupted frames first and the original last."""
    require_pairs(cfg.rovr, "Table 1's fills (best pair)")
    test = masked_set(cfg, "test")
    t = test.videos.shape[1]
    nn_, tt = torch.full((t,), video, dtype=torch.long), torch.arange(t)
    out = {"corrupted": test.corrupted[video]}
    for kind in (cfg.rovr.local_net, other_net(cfg)):
        kcfg = with_local_net(cfg, kind)
        local = load_local(kcfg, train_local(kcfg, seed, progress=False).state)
        with torch.no_grad():
            out[f"{kind} Γ"] = apply_local(local, test, nn_, tt, test.best_pair[video])
    subset = dataclasses.replace(test, **{k: getattr(test, k)[video:video + 1] for k in
                                          ("videos", "masks", "corrupted", "best_pair")})
    out.update(reference_outputs(subset))
    out["original"] = test.videos[video]
    return out
