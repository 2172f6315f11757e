"""ROVR's scaling claim (R5, §1: "sub-quadratic time complexity given that we do not leverage
attention"), timed: one whole masked video of T frames, Gamma included, for four selectors.

- ``rovr-paper-state``: the paper's state (§5.1.3), the whole tiled video re-encoded at every
  step (what ``rlvid inpaint`` did before :func:`rlvid.rovr.inference.greedy_rollout`): O(T)
  CNN tiles per step, O(T^2) per video;
- ``rovr-incremental``: :func:`~rlvid.rovr.inference.greedy_rollout`, the code ``rlvid
  inpaint`` runs: one frame re-encoded per step, the FC layer's per-frame block cached
  (:class:`~rlvid.nn.streaming.StreamingPolicy`); its head still scores T candidates per step
  (a (T, hidden) add, ReLU and dot), so the video is O(T^2) with a small constant;
- ``attention``: self-attention over all frames at every step
  (:class:`~rlvid.nn.streaming.SelfAttentionSelector`), frame embeddings cached: O(T^2) per
  step, O(T^3) per video;
- ``attention-query``: one softmax query per step over cached keys of every frame
  (:class:`~rlvid.nn.streaming.QueryAttentionSelector`): O(T) per step, ROVR's class.

Every selector runs the same environment (:class:`~rlvid.rovr.env.InpaintEnv`, Gamma as the
profile builds it, on the frame at full size) with random weights: timing does not depend on
what was learned.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from time import perf_counter, process_time

import numpy as np
import torch

from rlvid.config.rovr import ROVRConfig
from rlvid.nn.rovr import PolicyNet, candidate_log_probs, greedy_pair
from rlvid.nn.streaming import FrameCache, QueryAttentionSelector, SelfAttentionSelector
from rlvid.rovr.env import InpaintEnv
from rlvid.rovr.inference import greedy_rollout
from rlvid.rovr.methods import (
    ATTENTION,
    ATTENTION_QUERY,
    INCREMENTAL,
    PAPER_STATE,
    SCALING_SELECTORS,
)
from rlvid.rovr.nets import build_local
from rlvid.rovr.selectors import policy_selector

SELECTORS = SCALING_SELECTORS
LENGTHS = (100, 200, 400, 800, 1200, 1600, 2000)


def fit_exponent(lengths: Sequence[float], seconds: Sequence[float]
                 ) -> tuple[float, tuple[float, float]]:
    """Least-squares slope k of log(seconds) on log(T), i.e. seconds ~ T^k, with its 95%
    Student-t CI (n - 2 degrees of freedom). Pass every repeat as its own point: the CI then
    holds both timing noise and any curvature a single power law misses."""
    from scipy import stats

    x, y = np.log(np.asarray(lengths, float)), np.log(np.asarray(seconds, float))
    if x.size < 3 or np.ptp(x) == 0:
        raise ValueError("an exponent fit needs at least 3 points over 2 or more lengths")
    fit = stats.linregress(x, y)
    half = float(stats.t.ppf(0.975, x.size - 2) * fit.stderr)
    return float(fit.slope), (float(fit.slope) - half, float(fit.slope) + half)


@dataclass
class Nets:
    """The four selectors' networks and Gamma, random weights at the profile's sizes."""

    rcfg: ROVRConfig
    local: torch.nn.Module  # Gamma as the profile builds it (rovr.local_net)
    policy: PolicyNet
    attention: SelfAttentionSelector
    query: QueryAttentionSelector


def paper_state_config(rcfg: ROVRConfig) -> ROVRConfig:
    """``rcfg`` with the paper's RGB-only state tiles (§5.2; no mask channel)."""
    if "policy_masks" in ROVRConfig.__dataclass_fields__:
        return dataclasses.replace(rcfg, policy_masks=False)
    return rcfg


def build_nets(rcfg: ROVRConfig, seed: int = 0) -> Nets:
    """Random-weight selectors at ``rcfg``'s sizes, on the paper's RGB state tiles."""
    torch.manual_seed(seed)
    rcfg = paper_state_config(rcfg)
    heads = 4 if rcfg.policy_hidden % 4 == 0 else 1
    return Nets(rcfg, build_local(rcfg).eval(),
                PolicyNet(rcfg.policy_channels, rcfg.policy_hidden,
                          frames=rcfg.conditioning_frames).eval(),
                SelfAttentionSelector(rcfg.policy_channels, rcfg.policy_hidden, heads).eval(),
                QueryAttentionSelector(rcfg.policy_channels, rcfg.policy_hidden).eval())


def masked_video(length: int, size: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A random (T, 3, size, size) video and (T, 1, size, size) masks, one box a frame
    hiding a quarter of it: content does not change the work, only the shapes do."""
    gen = torch.Generator().manual_seed(seed)
    video = torch.rand(length, 3, size, size, generator=gen)
    masks = torch.zeros(length, 1, size, size, dtype=torch.bool)
    corner = torch.randint(0, size // 2 + 1, (length, 2), generator=gen)
    for t, (r, c) in enumerate(corner.tolist()):
        masks[t, :, r:r + size // 2, c:c + size // 2] = True
    return video, masks


def _paper_state(env: InpaintEnv, nets: Nets, clock: list[tuple[float, float]]) -> None:
    select = policy_selector(nets.policy, nets.rcfg)
    rows = torch.arange(env.n)
    while not env.done:
        start = perf_counter()
        small, target = env.observe()  # a copy of the whole state, re-encoded below
        pair = select(small, target, rows)
        chosen = perf_counter()
        env.step(pair)
        clock.append((chosen - start, perf_counter() - chosen))


def _cached(env: InpaintEnv, nets: Nets, clock: list[tuple[float, float]], query: bool) -> None:
    """Either attention selector, with per-frame embeddings (and keys) updated in place."""
    net = nets.query if query else nets.attention
    frames = FrameCache(net.frame_cnn, env.small)
    keys = nets.query.keys(frames) if query else None
    tau = nets.rcfg.gumbel_temperature
    while not env.done:
        t, start = env.t, perf_counter()
        if query:
            logits = nets.query.logits(keys, env.small[:, t], t)
        else:
            logits = nets.attention.logits(frames, env.small[:, t], t)
        pair = greedy_pair(candidate_log_probs(logits, tau), env.k)
        chosen = perf_counter()
        env.step(pair)
        stepped = perf_counter()
        frames.update(t, env.small[:, t])
        if query:
            nets.query.update_key(keys, frames, t)
        clock.append((chosen - start + perf_counter() - stepped, stepped - chosen))


def time_video(selector: str, nets: Nets, video: torch.Tensor, masks: torch.Tensor
               ) -> tuple[float, float, list[tuple[float, float]]]:
    """Wall and CPU seconds for one whole video (environment and caches built inside), and
    the per-step (selection, Gamma) wall seconds."""
    clock: list[tuple[float, float]] = []
    start, cpu = perf_counter(), process_time()
    with torch.no_grad():
        env = InpaintEnv(nets.local, video[None], masks[None], video.masked_fill(masks, 0)[None],
                         nets.rcfg, rewards=False, track_flow=False)
        if selector == INCREMENTAL.name:
            greedy_rollout(env, nets.policy, nets.rcfg, clock)
        elif selector == PAPER_STATE.name:
            _paper_state(env, nets, clock)
        elif selector in (ATTENTION.name, ATTENTION_QUERY.name):
            _cached(env, nets, clock, query=selector == ATTENTION_QUERY.name)
        else:
            raise ValueError(f"unknown selector {selector!r}; choose from {SELECTORS}")
    return perf_counter() - start, process_time() - cpu, clock


@dataclass
class Timing:
    selector: str
    length: int
    repeat: int
    video_s: float  # CPU seconds of this process for the whole video (contention-proof)
    wall_s: float  # wall seconds for the whole video
    select_s: float  # wall seconds of selection, summed over the steps
    step_ms: float  # median over the steps, selection + Gamma
    select_ms: float  # median selection time per step
    gamma_ms: float  # median Gamma time per step


def measure(selector: str, nets: Nets, length: int, size: int, repeat: int) -> Timing:
    video, masks = masked_video(length, size, seed=repeat)
    wall, cpu, clock = time_video(selector, nets, video, masks)
    sel, gam = np.array(clock).T
    return Timing(selector, length, repeat, cpu, wall, float(sel.sum()),
                  1e3 * float(np.median(sel + gam)), 1e3 * float(np.median(sel)),
                  1e3 * float(np.median(gam)))


def summarise(timings: Sequence[Timing]) -> list[dict]:
    """One row per selector: exponents with 95% CIs and per-T median timings as columns."""
    rows = []
    for name in dict.fromkeys(t.selector for t in timings):
        mine = [t for t in timings if t.selector == name]
        lengths = sorted({t.length for t in mine})
        exp, ci = fit_exponent([t.length for t in mine], [t.video_s for t in mine])
        wall, wall_ci = fit_exponent([t.length for t in mine], [t.wall_s for t in mine])
        sel, sel_ci = fit_exponent([t.length for t in mine], [t.select_s for t in mine])
        step = fit_exponent([t.length for t in mine], [t.select_ms for t in mine])[0]
        med = {n: {f: float(np.median([getattr(t, f) for t in mine if t.length == n]))
                   for f in ("video_s", "wall_s", "select_s", "step_ms", "select_ms", "gamma_ms")}
               for n in lengths}
        top = (math.log(med[lengths[-1]]["video_s"] / med[lengths[-2]]["video_s"])
               / math.log(lengths[-1] / lengths[-2]))
        row = {"selector": name, "exponent": exp, "exponent_ci95": list(ci),
               "exponent_wall": wall, "exponent_wall_ci95": list(wall_ci),
               "exponent_selection": sel, "exponent_selection_ci95": list(sel_ci),
               "exponent_top": top, "t_min": lengths[0], "t_max": lengths[-1],
               "repeats": len({t.repeat for t in mine}),
               "exponent_step_selection": step,
               "selection_share_t_max": med[lengths[-1]]["select_s"]
               / med[lengths[-1]]["wall_s"]}
        for n in lengths:
            row.update({f"video_s_T{n}": med[n]["video_s"], f"wall_s_T{n}": med[n]["wall_s"],
                        f"step_ms_T{n}": med[n]["step_ms"],
                        f"select_ms_T{n}": med[n]["select_ms"],
                        f"gamma_ms_T{n}": med[n]["gamma_ms"]})
        rows.append(row)
    return rows
