"""ROVR training and evaluation, top to bottom (§5.1, §6.1-6.3).

Stages, each resumable from its run directory:

1. :func:`train_local` — pretrain the local network Gamma on random conditioning pairs with
   L_R = lambda * perceptual + (1 - lambda) * MSE, lambda growing 0 -> 0.9 (§6.1, eq. 1).
2. :func:`train_imitation` — warm-start pi with BCE on positive/negative expert pairs (§6.2),
   or the ranking/contrastive loss over pairs the paper proposes in §8.
3. :func:`train_ppg` — run the MDP (:class:`InpaintEnv`) and optimise pi, V with PPG while
   Gamma keeps training on L_R (§6.3); reward = perceptual improvement per step plus
   ``flow_reward_coef`` * flow recovery O at the end (eq. 3).

:func:`run_selector` / :func:`evaluate_selector` evaluate any conditioning policy (ROVR,
sequential (t-1, t-2), random, oracle best pair) on the test videos.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from rlvid.config import Config
from rlvid.config.rovr import ROVRConfig
from rlvid.errors import RlvidError
from rlvid.nn.rovr import (
    CriticNet,
    LocalUNet,
    PolicyNet,
    candidate_log_probs,
    downsample_frames,
    greedy_pair,
    pair_log_prob,
    sample_pair,
)
from rlvid.results import mean_std
from rlvid.rl.ppg import (
    Batch,
    advantages,
    auxiliary_phase,
    policy_phase_update,
    rewards_to_go,
)
from rlvid.runtime import (
    Run,
    check_finite,
    load_checkpoint,
    runs_root,
    save_checkpoint,
    seed_everything,
    set_rng_state,
    stop_requests,
)

STAGES = ("local", "imitation", "ppg")
DATA_SEED = 0  # one fixed masked-video task; training seeds vary the networks, not the data

# ---------------------------------------------------------------- data and run directories


def masked_set(cfg: Config, split: str, seed: int) -> Any:
    """The masked-video task of ROVR §4 (``rlvid.data.make_masked_set``)."""
    from rlvid.data import make_masked_set

    return make_masked_set(cfg.data, split, seed)


def config_tag(cfg: Config) -> str:
    """Profile plus a short hash of the data and ROVR sections: runs with other settings
    never reuse each other's checkpoints."""
    blob = json.dumps({"data": cfg.to_dict()["data"], "rovr": cfg.to_dict()["rovr"]},
                      sort_keys=True, default=str)
    return f"{cfg.profile}-{hashlib.sha1(blob.encode()).hexdigest()[:8]}"


def stage_dir(cfg: Config, seed: int, stage: str, root: str | Path | None = None) -> Path:
    """``<runs>/rovr/<profile>-<hash>/seed<seed>/<stage>``."""
    base = Path(root) if root is not None else runs_root() / "rovr" / config_tag(cfg)
    return base / f"seed{seed}" / stage


def _open_run(run_dir: Path, cfg: Config) -> Run:
    from rlvid.metrics import metric_backends

    return Run.create(run_dir.name, cfg, metric_backends(), root=run_dir.parent)


# ---------------------------------------------------------------- losses (eq. 1)


@functools.lru_cache(maxsize=1)
def vgg_model() -> tuple[torch.nn.Module, str]:
    """The frozen trained VGG16 of ``rlvid.metrics.vgg16_features`` and its backend name
    (torchvision's ImageNet VGG16 when cached, else the one shipped in stlpips-pytorch)."""
    from rlvid.metrics import vgg16_features

    model, backend = vgg16_features()
    return model, str(backend)


def vgg_perceptual(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """L_P per image (N,): sum over the five VGG16 relu layers of the spatial mean of the
    squared difference of channel-normalised features (eq. 1 with w_l = 1, see errata)."""
    model, _ = vgg_model()
    total = x.new_zeros(x.shape[0])
    for fx, fy in zip(model(x), model(y)):
        fx = fx / (fx.norm(dim=1, keepdim=True) + 1e-10)
        fy = fy / (fy.norm(dim=1, keepdim=True) + 1e-10)
        total = total + (fx - fy).pow(2).sum(1).mean(dim=(-2, -1))
    return total


def reconstruction_loss(
    x_hat: torch.Tensor, x: torch.Tensor, lam: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """L_R = lam * L_P + (1 - lam) * MSE (eq. 1); returns (L_R, L_P per image, MSE per image)."""
    mse = (x_hat - x).pow(2).mean(dim=(1, 2, 3))
    perceptual = vgg_perceptual(x_hat, x) if lam > 0 else torch.zeros_like(mse)
    return (lam * perceptual + (1 - lam) * mse).mean(), perceptual, mse


def lambda_schedule(step: int, rcfg: ROVRConfig) -> float:
    """lambda_i = lambda_max (1 - exp(-rate i / iterations)): 0 at the start, -> 0.9 (§6.1)."""
    frac = step / max(rcfg.local_iterations, 1)
    return rcfg.lambda_max * (1.0 - math.exp(-rcfg.lambda_rate * frac))


# ---------------------------------------------------------------- pair sampling


def random_pairs(target: torch.Tensor, num_frames: int,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """(N, 2) uniformly random unordered pairs of distinct frames, neither the target."""
    weights = torch.ones(target.shape[0], num_frames)
    weights[torch.arange(target.shape[0]), target] = 0
    return torch.multinomial(weights, 2, replacement=False, generator=generator)


def sequential_pairs(target: torch.Tensor) -> torch.Tensor:
    """vid2vid's (t-1, t-2); for t < 2 the missing ones are the next frames (errata)."""
    t = target[:, None]
    pair = torch.cat([t - 1, t - 2], dim=1)
    return torch.where(pair < 0, pair + 3, pair)  # t=0 -> (2, 1); t=1 -> (0, 2)


def _pair_weights(valid: torch.Tensor, target: torch.Tensor, want: bool) -> torch.Tensor:
    """(B, T*T) weights over unordered pairs i < j, neither the target, valid == want."""
    b, t, _ = valid.shape
    upper = torch.ones(t, t).triu(1).bool()
    idx = torch.arange(t)
    not_target = (idx[None, :] != target[:, None])
    ok = upper[None] & not_target[:, :, None] & not_target[:, None, :]
    return ((valid == want) & ok).reshape(b, t * t).float()


def sample_labelled_pairs(valid: torch.Tensor, target: torch.Tensor, positive: bool):
    """Sample one valid (positive) or invalid (negative) pair per state; rows without one are
    dropped. Returns (rows (B',), pairs (B', 2))."""
    weights = _pair_weights(valid, target, positive)
    rows = torch.nonzero(weights.sum(1) > 0).squeeze(1)
    flat = torch.multinomial(weights[rows], 1).squeeze(1)
    t = valid.shape[-1]
    return rows, torch.stack([flat // t, flat % t], dim=1)


# ---------------------------------------------------------------- 1. local network (§6.1)


def build_local(rcfg: ROVRConfig) -> LocalUNet:
    return LocalUNet(rcfg.unet_channels, paste_known=rcfg.paste_known)


def _gather_frames(videos: torch.Tensor, n: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    return videos[n, t]


def local_inputs(data: Any, n: torch.Tensor, target: torch.Tensor, pair: torch.Tensor,
                 source: torch.Tensor | None = None):
    """Gamma's inputs for states (n, target) and conditioning ``pair``; conditioning frames
    come from ``source`` (default: the corrupted videos)."""
    source = data.corrupted if source is None else source
    return (data.corrupted[n, target], source[n, pair[:, 0]], source[n, pair[:, 1]],
            data.masks[n, target])


@dataclass
class StageResult:
    run_dir: Path
    iteration: int
    done: bool
    state: dict[str, Any]


def _resume(run_dir: Path) -> dict[str, Any] | None:
    """The run's checkpoint, RNG not yet restored: a stage restores it (:func:`_restore_rng`)
    after its setup, right before its loop, so setup that draws random numbers (building a
    network) does not shift the resumed stream."""
    path = run_dir / "checkpoint.pt"
    return load_checkpoint(path, restore_rng=False) if path.is_file() else None


def _restore_rng(ckpt: dict[str, Any] | None) -> None:
    if ckpt is not None and "rng" in ckpt:
        set_rng_state(ckpt["rng"])


def train_local(cfg: Config, seed: int, run_dir: str | Path | None = None,
                stop_after: int | None = None, progress: bool = True) -> StageResult:
    """Pretrain Gamma (§6.1); resumes from ``run_dir``; ``stop_after`` simulates a kill."""
    rcfg = cfg.rovr
    run_dir = Path(run_dir) if run_dir is not None else stage_dir(cfg, seed, "local")
    seed_everything(seed)
    local = build_local(rcfg)
    opt = torch.optim.Adam(local.parameters(), lr=rcfg.local_lr)
    start = 0
    ckpt = _resume(run_dir)
    if ckpt is not None:
        local.load_state_dict(ckpt["local"])
        opt.load_state_dict(ckpt["local_opt"])
        start = ckpt["iteration"]
        if ckpt.get("done"):
            return StageResult(run_dir, start, True, ckpt)
    data = masked_set(cfg, "train", DATA_SEED)
    run = _open_run(run_dir, cfg)
    writer = run.writer()
    n_videos, n_frames = data.videos.shape[:2]

    def save(i: int, done: bool) -> dict[str, Any]:
        state = {"local": local.state_dict(), "local_opt": opt.state_dict(), "iteration": i,
                 "done": done, "stage": "local", "config": cfg.to_dict()}
        save_checkpoint(run.checkpoint_path, state)
        return state

    i = start
    _restore_rng(ckpt)
    with stop_requests() as stop:
        bar = tqdm(range(start, rcfg.local_iterations), desc=f"local seed {seed}",
                   disable=None if progress else True)
        for i in bar:
            n = torch.randint(n_videos, (rcfg.local_batch_size,))
            target = torch.randint(n_frames, (rcfg.local_batch_size,))
            pair = random_pairs(target, n_frames)  # random conditioning pairs (§6.1)
            lam = lambda_schedule(i, rcfg)
            x_hat = local(*local_inputs(data, n, target, pair))
            loss, perceptual, mse = reconstruction_loss(x_hat, data.videos[n, target], lam)
            check_finite({"L_R": loss}, i)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if i % rcfg.log_every == 0:
                writer.add_scalar("local/L_R", float(loss.detach()), i)
                writer.add_scalar("local/perceptual", float(perceptual.detach().mean()), i)
                writer.add_scalar("local/mse", float(mse.detach().mean()), i)
                writer.add_scalar("local/lambda", lam, i)
            done = i + 1 == rcfg.local_iterations
            if done or (i + 1) % rcfg.checkpoint_every == 0:
                save(i + 1, done)
            if stop["requested"] or (stop_after is not None and i + 1 >= stop_after):
                writer.close()
                return StageResult(run_dir, i + 1, done, save(i + 1, done))
    writer.close()
    return StageResult(run_dir, rcfg.local_iterations, True,
                       save(rcfg.local_iterations, True))


def load_local(cfg: Config, state: dict[str, Any]) -> LocalUNet:
    local = build_local(cfg.rovr)
    local.load_state_dict(state["local"])
    return local.eval()


# ---------------------------------------------------------------- the MDP (§5.1)


class InpaintEnv:
    """ROVR's MDP over a batch of videos, one target frame per step, in order (§5.1.1).

    State s_t: the current video (frames < t reconstructed, frames >= t corrupted),
    downsampled to tiles, and the target index t. Action: a pair of conditioning frames taken
    from the current video. Transition: Gamma reconstructs frame t (§5.1.3). Reward:
    R_t = L_P(x_bar_t, x_t) - L_P(x_hat_t, x_t) (§6.3); after the last step the episode's
    flow recovery O (eq. 3) times ``flow_coef`` is added to the last reward.
    """

    def __init__(self, local: LocalUNet, videos: torch.Tensor, masks: torch.Tensor,
                 corrupted: torch.Tensor, rcfg: ROVRConfig, flow_coef: float = 0.0,
                 rewards: bool = True, track_flow: bool = True):
        self.local, self.rcfg, self.flow_coef = local, rcfg, flow_coef
        self.videos, self.masks, self.corrupted = videos, masks, corrupted
        self.n, self.num_frames = videos.shape[:2]
        self.rows = torch.arange(self.n)
        self.rewards, self.track_flow = rewards, track_flow or bool(flow_coef)
        if rewards:  # L_P(x_bar_t, x_t) for every t, once: it does not depend on the policy
            with torch.no_grad():
                self.corrupted_lp = vgg_perceptual(
                    corrupted.flatten(0, 1), videos.flatten(0, 1)).reshape(self.n, -1)
        self.reset()

    def reset(self) -> None:
        self.current = self.corrupted.clone()
        self.small = downsample_frames(self.current, self.rcfg.tile_size)
        self.t = 0
        self.flow_recovery: torch.Tensor | None = None

    @property
    def done(self) -> bool:
        return self.t >= self.num_frames

    def observe(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.small.clone(), torch.full((self.n,), self.t, dtype=torch.long)

    def reconstruct(self, pair: torch.Tensor) -> torch.Tensor:
        """Gamma(x_bar_t, c1, c2) with the conditioning frames from the current video."""
        t = self.t
        return self.local(self.current[:, t], self.current[self.rows, pair[:, 0]],
                          self.current[self.rows, pair[:, 1]], self.masks[:, t])

    def step(self, pair: torch.Tensor, x_hat: torch.Tensor | None = None,
             x_hat_lp: torch.Tensor | None = None) -> torch.Tensor:
        """Apply the action; reward (N,). ``x_hat`` / ``x_hat_lp``: a reconstruction and its
        L_P already computed by the caller (when Gamma trains on them)."""
        t = self.t
        with torch.no_grad():
            x_hat = self.reconstruct(pair) if x_hat is None else x_hat.detach()
            reward = torch.zeros(self.n)
            if self.rewards:
                if x_hat_lp is None:
                    x_hat_lp = vgg_perceptual(x_hat, self.videos[:, t])
                reward = (self.corrupted_lp[:, t] - x_hat_lp.detach()) * self.rcfg.reward_scale
        self.current[:, t] = x_hat
        self.small[:, t] = downsample_frames(x_hat, self.rcfg.tile_size)
        self.t += 1
        if self.done and self.track_flow:
            self.flow_recovery = flow_recovery_batch(self.current, self.videos, self.corrupted)
            if self.flow_coef:
                reward = reward + self.flow_coef * self.flow_recovery
        return reward


def flow_recovery_batch(reconstructed: torch.Tensor, original: torch.Tensor,
                        corrupted: torch.Tensor) -> torch.Tensor:
    """O per video (N,), with the active flow backend; 0 where O is undefined."""
    from rlvid.metrics import flow_recovery

    out = flow_recovery(reconstructed, original, corrupted, zero_denominator=0.0)
    return torch.as_tensor(out, dtype=torch.float32)


# ---------------------------------------------------------------- selectors and evaluation

Selector = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
"""(small (N,T,3,s,s), target (N,), video index (N,)) -> pair (N, 2)."""


def policy_selector(policy: PolicyNet, rcfg: ROVRConfig, greedy: bool = True) -> Selector:
    def select(small: torch.Tensor, target: torch.Tensor, _n: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            lp = candidate_log_probs(policy(small, target)[0], rcfg.gumbel_temperature)
        return greedy_pair(lp) if greedy else sample_pair(lp)
    return select


def sequential_selector() -> Selector:
    return lambda small, target, _n: sequential_pairs(target)


def random_selector(seed: int) -> Selector:
    gen = torch.Generator().manual_seed(seed)
    return lambda small, target, _n: random_pairs(target, small.shape[1], gen)


def oracle_selector(best_pair: torch.Tensor) -> Selector:
    """The dataset's best pair for each (video, target) (most masked pixels covered)."""
    return lambda small, target, n: best_pair[n, target]


@dataclass
class Rollout:
    reconstructed: torch.Tensor  # (N, T, 3, H, W)
    pairs: torch.Tensor  # (N, T, 2)
    rewards: torch.Tensor  # (N, T) perceptual rewards (+ flow reward at the end if enabled)
    flow_recovery: torch.Tensor  # (N,)


def run_selector(local: LocalUNet, data: Any, selector: Selector, rcfg: ROVRConfig,
                 videos: torch.Tensor | None = None, flow_coef: float = 0.0,
                 rewards: bool = False) -> Rollout:
    """Reconstruct videos ``videos`` (indices; default all) with a conditioning policy;
    ``rewards``: also compute the MDP's rewards (zeros otherwise)."""
    idx = torch.arange(data.videos.shape[0]) if videos is None else videos
    env = InpaintEnv(local, data.videos[idx], data.masks[idx], data.corrupted[idx], rcfg,
                     flow_coef, rewards=rewards)
    pairs, rewards_ = [], []
    while not env.done:
        small, target = env.observe()
        pair = selector(small, target, idx)
        pairs.append(pair)
        rewards_.append(env.step(pair))
    return Rollout(env.current, torch.stack(pairs, 1), torch.stack(rewards_, 1),
                   env.flow_recovery)


def frame_metrics(reconstructed: torch.Tensor, original: torch.Tensor) -> dict[str, np.ndarray]:
    """Per-frame MSE, PSNR, SSIM, perceptual distance, L_P for (M, 3, H, W) frames."""
    from rlvid.metrics import perceptual_distance, psnr, ssim

    with torch.no_grad():
        return {
            "mse": (reconstructed - original).pow(2).mean(dim=(1, 2, 3)).numpy(),
            "psnr": np.asarray(psnr(reconstructed, original, reduction="none"), dtype=float),
            "ssim": np.asarray(ssim(reconstructed, original, reduction="none"), dtype=float),
            "perceptual": perceptual_distance(reconstructed, original).double().numpy(),
            "vgg_lp": vgg_perceptual(reconstructed, original).double().numpy(),
        }


def evaluate_rollout(rollout: Rollout, data: Any, videos: torch.Tensor | None = None):
    """Mean metrics of a rollout: frame metrics, flow recovery, valid-pair rate."""
    idx = torch.arange(data.videos.shape[0]) if videos is None else videos
    n, t = rollout.pairs.shape[:2]
    frames = frame_metrics(rollout.reconstructed.flatten(0, 1), data.videos[idx].flatten(0, 1))
    out = {k: float(v.mean()) for k, v in frames.items()}
    out["flow_recovery"] = float(rollout.flow_recovery.mean())
    rows = idx[:, None].expand(n, t)
    tt = torch.arange(t)[None].expand(n, t)
    valid = data.valid[rows, tt, rollout.pairs[..., 0], rollout.pairs[..., 1]]
    out["valid_pair_rate"] = float(valid.float().mean())
    return out


def random_valid_rate(data: Any) -> float:
    """Share of valid pairs among all candidate pairs: what a uniform random policy scores."""
    t = data.valid.shape[1]
    target = torch.arange(t).repeat(data.valid.shape[0])
    valid = data.valid.flatten(0, 1)
    pos = _pair_weights(valid, target, True).sum()
    neg = _pair_weights(valid, target, False).sum()
    return float(pos / (pos + neg))


def local_table(local: LocalUNet, data: Any, rcfg: ROVRConfig, seed: int):
    """Table 1: Gamma on every (test video, target) with the best, worst and random pairs
    taken from the corrupted video. Returns {policy: per-frame metric arrays}."""
    n, t = data.videos.shape[:2]
    nn_ = torch.arange(n).repeat_interleave(t)
    target = torch.arange(t).repeat(n)
    gen = torch.Generator().manual_seed(seed)
    pairs = {"best": data.best_pair[nn_, target], "worst": data.worst_pair[nn_, target],
             "random": random_pairs(target, t, gen)}
    out = {}
    for name, pair in pairs.items():
        with torch.no_grad():
            x_hat = local(*local_inputs(data, nn_, target, pair))
        out[name] = frame_metrics(x_hat, data.videos[nn_, target])
    return out


# ---------------------------------------------------------------- 2. imitation (§6.2, §8)


def build_policy(rcfg: ROVRConfig) -> PolicyNet:
    return PolicyNet(rcfg.policy_channels, rcfg.policy_hidden)


def build_critic(rcfg: ROVRConfig) -> CriticNet:
    return CriticNet(rcfg.policy_channels, rcfg.policy_hidden)


def expert_states(local: LocalUNet, data: Any, rcfg: ROVRConfig):
    """States visited when the oracle (best pair) drives the MDP: (small, target, n)."""
    idx = torch.arange(data.videos.shape[0])
    env = InpaintEnv(local, data.videos, data.masks, data.corrupted, rcfg, rewards=False,
                     track_flow=False)
    smalls, targets = [], []
    select = oracle_selector(data.best_pair)
    while not env.done:
        small, target = env.observe()
        smalls.append(small)
        targets.append(target)
        env.step(select(small, target, idx))
    n = idx.repeat(len(targets))
    return torch.cat(smalls), torch.cat(targets), n


def bce_pair_loss(logits: torch.Tensor, pair: torch.Tensor, label: float) -> torch.Tensor:
    """eq. (2) on the two frames of a pair: multi-label BCE with sigmoid(logit)."""
    chosen = logits.gather(1, pair)
    return F.binary_cross_entropy_with_logits(chosen, torch.full_like(chosen, label))


def contrastive_pair_loss(logits: torch.Tensor, valid: torch.Tensor,
                          target: torch.Tensor) -> torch.Tensor:
    """§8's proposed fix: score a pair by logit_i + logit_j (the order the top-2 action ranks
    pairs in) and maximise the softmax mass of the valid pairs among all pairs (multi-positive
    InfoNCE). Rows with no valid pair are skipped."""
    finite = logits.masked_fill(torch.isinf(logits), 0.0)
    scores = (finite[:, :, None] + finite[:, None, :]).flatten(1)
    pos = _pair_weights(valid, target, True).bool()
    allowed = pos | _pair_weights(valid, target, False).bool()
    keep = pos.any(1)
    neg_inf = torch.tensor(float("-inf"))
    log_all = torch.logsumexp(torch.where(allowed, scores, neg_inf), 1)
    log_pos = torch.logsumexp(torch.where(pos, scores, neg_inf), 1)
    return (log_all - log_pos)[keep].mean()


def train_imitation(cfg: Config, seed: int, local_state: dict[str, Any],
                    run_dir: str | Path | None = None, loss: str | None = None,
                    stop_after: int | None = None, progress: bool = True) -> StageResult:
    """Warm-start pi (§6.2) on expert-trajectory states; ``loss`` = bce | contrastive."""
    rcfg = cfg.rovr
    loss = loss or rcfg.imitation_loss
    if loss not in ("bce", "contrastive"):
        raise RlvidError(f"imitation loss must be 'bce' or 'contrastive', got {loss!r}")
    run_dir = Path(run_dir) if run_dir is not None else stage_dir(cfg, seed, f"imitation-{loss}")
    seed_everything(seed)
    policy = build_policy(rcfg)
    opt = torch.optim.Adam(policy.parameters(), lr=rcfg.imitation_lr)
    start = 0
    ckpt = _resume(run_dir)
    if ckpt is not None:
        policy.load_state_dict(ckpt["policy"])
        opt.load_state_dict(ckpt["policy_opt"])
        start = ckpt["iteration"]
        if ckpt.get("done"):
            return StageResult(run_dir, start, True, ckpt)
    data = masked_set(cfg, "train", DATA_SEED)
    with torch.no_grad():
        small, target, n = expert_states(load_local(cfg, local_state), data, rcfg)
    valid = data.valid[n, target]  # (B, T, T)
    run = _open_run(run_dir, cfg)
    writer = run.writer()

    def save(i: int, done: bool) -> dict[str, Any]:
        state = {"policy": policy.state_dict(), "policy_opt": opt.state_dict(), "iteration": i,
                 "done": done, "stage": "imitation", "loss": loss, "config": cfg.to_dict()}
        save_checkpoint(run.checkpoint_path, state)
        return state

    _restore_rng(ckpt)
    with stop_requests() as stop:
        bar = tqdm(range(start, rcfg.imitation_iterations), desc=f"imitation seed {seed}",
                   disable=None if progress else True)
        for i in bar:
            b = torch.randint(len(target), (rcfg.imitation_batch_size,))
            logits, _ = policy(small[b], target[b])
            if loss == "bce":  # alternate positive and negative pairs (§6.2)
                positive = i % 2 == 0
                rows, pair = sample_labelled_pairs(valid[b], target[b], positive)
                value = bce_pair_loss(logits[rows], pair, 1.0 if positive else 0.0)
            else:
                value = contrastive_pair_loss(logits, valid[b], target[b])
            check_finite({"imitation": value}, i)
            opt.zero_grad()
            value.backward()
            opt.step()
            if i % rcfg.log_every == 0:
                writer.add_scalar(f"imitation/{loss}", float(value.detach()), i)
            done = i + 1 == rcfg.imitation_iterations
            if done or (i + 1) % rcfg.checkpoint_every == 0:
                save(i + 1, done)
            if stop["requested"] or (stop_after is not None and i + 1 >= stop_after):
                writer.close()
                return StageResult(run_dir, i + 1, done, save(i + 1, done))
    writer.close()
    return StageResult(run_dir, rcfg.imitation_iterations, True,
                       save(rcfg.imitation_iterations, True))


def load_policy(cfg: Config, state: dict[str, Any]) -> PolicyNet:
    policy = build_policy(cfg.rovr)
    policy.load_state_dict(state["policy"])
    return policy.eval()


# ---------------------------------------------------------------- 3. PPG end to end (§6.3)


def collect_rollout(env: InpaintEnv, policy: PolicyNet, critic: CriticNet,
                    local_opt: torch.optim.Optimizer | None, rcfg: ROVRConfig):
    """One episode per video with the stochastic policy; Gamma trains on L_R at every step
    when ``local_opt`` is given (§6.3). Returns (Batch, logs)."""
    smalls, targets, pairs, log_probs, values, rewards, local_losses = [], [], [], [], [], [], []
    env.reset()
    while not env.done:
        small, target = env.observe()
        with torch.no_grad():
            lp = candidate_log_probs(policy(small, target)[0], rcfg.gumbel_temperature)
            pair = sample_pair(lp)
            log_probs.append(pair_log_prob(lp, pair, rcfg.pair_logprob))
            values.append(critic(small, target))
        if local_opt is not None:
            env.local.train()
            x_hat = env.reconstruct(pair)
            loss, lp, _ = reconstruction_loss(x_hat, env.videos[:, env.t], rcfg.lambda_max)
            local_opt.zero_grad()
            loss.backward()
            local_opt.step()
            local_losses.append(float(loss.detach()))
            rewards.append(env.step(pair, x_hat, lp))
        else:
            rewards.append(env.step(pair))
        smalls.append(small)
        targets.append(target)
        pairs.append(pair)
    reward = torch.stack(rewards, 1)  # (N, T)
    returns = rewards_to_go(reward)
    value = torch.stack(values, 1)
    batch = Batch(
        small=torch.stack(smalls, 1).flatten(0, 1), target=torch.stack(targets, 1).flatten(),
        pair=torch.stack(pairs, 1).flatten(0, 1), log_prob=torch.stack(log_probs, 1).flatten(),
        value=value.flatten(), returns=returns.flatten(),
        advantages=advantages(returns, value).flatten(),
    )
    logs = {"episode_return": float(returns[:, 0].mean()),
            "flow_recovery": float(env.flow_recovery.mean()),
            "perceptual_reward": float(reward.sum(1).mean()
                                       - env.flow_coef * env.flow_recovery.mean())}
    if local_losses:
        logs["local_L_R"] = sum(local_losses) / len(local_losses)
    return batch, logs


def train_ppg(cfg: Config, seed: int, local_state: dict[str, Any],
              warm_start: dict[str, Any] | None = None, flow_reward: bool = True,
              run_dir: str | Path | None = None, stop_after: int | None = None,
              progress: bool = True, name: str | None = None) -> StageResult:
    """PPG on the MDP (§6.3). ``warm_start``: an imitation checkpoint state (or None: cold
    start); ``flow_reward``: add ``flow_reward_coef`` * O at the end of each episode."""
    rcfg = cfg.rovr
    name = name or f"ppg-{'flow' if flow_reward else 'noflow'}-{'warm' if warm_start else 'cold'}"
    run_dir = Path(run_dir) if run_dir is not None else stage_dir(cfg, seed, name)
    seed_everything(seed)
    policy, critic, local = build_policy(rcfg), build_critic(rcfg), load_local(cfg, local_state)
    if warm_start is not None:
        policy.load_state_dict(warm_start["policy"])
    opt = torch.optim.Adam([*policy.parameters(), *critic.parameters()], lr=rcfg.ppg_lr,
                           eps=1e-5)
    local_opt = torch.optim.Adam(local.parameters(), lr=rcfg.ppg_local_lr)
    total = rcfg.ppg_phases * rcfg.ppg_policy_iterations
    start, buffer = 0, []
    ckpt = _resume(run_dir)
    if ckpt is not None:
        for module, key in ((policy, "policy"), (critic, "critic"), (local, "local"),
                            (opt, "opt"), (local_opt, "local_opt")):
            module.load_state_dict(ckpt[key])
        start, buffer = ckpt["iteration"], ckpt["buffer"]
        if ckpt.get("done"):
            return StageResult(run_dir, start, True, ckpt)
    data = masked_set(cfg, "train", DATA_SEED)
    run = _open_run(run_dir, cfg)
    writer = run.writer()
    flow_coef = rcfg.flow_reward_coef if flow_reward else 0.0

    def save(k: int, done: bool) -> dict[str, Any]:
        state = {"policy": policy.state_dict(), "critic": critic.state_dict(),
                 "local": local.state_dict(), "opt": opt.state_dict(),
                 "local_opt": local_opt.state_dict(), "iteration": k, "buffer": buffer,
                 "done": done, "stage": "ppg", "flow_reward": flow_reward,
                 "warm_start": warm_start is not None, "config": cfg.to_dict()}
        save_checkpoint(run.checkpoint_path, state)
        return state

    n_videos = data.videos.shape[0]
    _restore_rng(ckpt)
    with stop_requests() as stop:
        bar = tqdm(range(start, total), desc=f"{name} seed {seed}",
                   disable=None if progress else True)
        for k in bar:
            # policy phase: one rollout, clipped PPO update of pi, value update of V
            idx = torch.randperm(n_videos)[: rcfg.ppg_rollout_videos]
            env = InpaintEnv(local, data.videos[idx], data.masks[idx], data.corrupted[idx],
                             rcfg, flow_coef)
            batch, logs = collect_rollout(env, policy, critic,
                                          local_opt if rcfg.ppg_train_local else None, rcfg)
            logs.update(policy_phase_update(policy, critic, opt, batch, rcfg))
            buffer.append((batch.small, batch.target, batch.returns))
            if (k + 1) % rcfg.ppg_policy_iterations == 0:  # auxiliary phase, then clear
                small, target, returns = (torch.cat(x) for x in zip(*buffer))
                logs.update(auxiliary_phase(policy, critic, opt, small, target, returns, rcfg))
                buffer = []
            check_finite(logs, k)
            for key, value in logs.items():
                writer.add_scalar(f"ppg/{key}", value, k)
            done = k + 1 == total
            if done or (k + 1) % rcfg.checkpoint_every == 0:
                save(k + 1, done)
            if stop["requested"] or (stop_after is not None and k + 1 >= stop_after):
                writer.close()
                return StageResult(run_dir, k + 1, done, save(k + 1, done))
    writer.close()
    return StageResult(run_dir, total, True, save(total, True))


# ---------------------------------------------------------------- CLI entry


def train_stage(cfg: Config, stage: str, seed: int, run_dir: str | Path | None = None,
                flow_reward: bool = True, warm_start: bool = True) -> StageResult:
    """Run ``stage`` for one seed, training (or reusing) the stages it depends on."""
    if stage not in STAGES:
        raise RlvidError(f"--stage must be one of {', '.join(STAGES)}, got {stage!r}")
    root = Path(run_dir) if run_dir is not None else None
    if stage == "local":
        return train_local(cfg, seed, root)
    local = train_local(cfg, seed, None if root is None else root.parent / "local").state
    if stage == "imitation":
        return train_imitation(cfg, seed, local, root)
    warm = None
    if warm_start:
        warm = train_imitation(cfg, seed, local, None if root is None
                               else root.parent / f"imitation-{cfg.rovr.imitation_loss}").state
    return train_ppg(cfg, seed, local, warm, flow_reward, root)


# ---------------------------------------------------------------- inference (rlvid inpaint)


def rovr_config_from_dict(values: dict[str, Any]) -> ROVRConfig:
    """Rebuild the ROVR section saved in a checkpoint (lists back to tuples)."""
    known = ROVRConfig.__dataclass_fields__
    return ROVRConfig(**{k: tuple(v) if isinstance(v, list) else v
                         for k, v in values.items() if k in known})


def auto_masks(video: torch.Tensor, threshold: float = 1.5 / 255) -> torch.Tensor:
    """Hidden pixels of a corrupted video: black in every channel (the masked-set
    convention: masked pixels are zeroed). (T, 3, H, W) -> (T, 1, H, W) bool."""
    return (video <= threshold).all(dim=1, keepdim=True)


def inpaint_video(video: torch.Tensor, masks: torch.Tensor, state: dict[str, Any]):
    """Reconstruct one (T, 3, H, W) video with hidden pixels ``masks`` (T, 1, H, W) from a
    ROVR checkpoint: its policy picks the pairs (greedy), or, for a local-net checkpoint
    without a policy, the sequential (t-1, t-2) pairs. Returns (video, pairs (T, 2), policy)."""
    if "local" not in state or "config" not in state:
        raise RlvidError("checkpoint holds no ROVR local network (train one with "
                         "`rlvid train rovr --stage local`)")
    rcfg = rovr_config_from_dict(state["config"]["rovr"])
    t, _, h, w = video.shape
    if masks.shape != (t, 1, h, w):
        raise RlvidError(f"masks have shape {tuple(masks.shape)}, video needs {(t, 1, h, w)} "
                         "(same frame count and size)")
    if t < 3:
        raise RlvidError(f"video has {t} frames; ROVR needs at least 3")
    local = build_local(rcfg)
    local.load_state_dict(state["local"])
    local.eval()
    factor = local.factor
    if h % factor or w % factor:
        raise RlvidError(f"video frames are {h}x{w}; this checkpoint needs sides divisible "
                         f"by {factor}")
    if "policy" in state:
        policy = build_policy(rcfg)
        policy.load_state_dict(state["policy"])
        selector, name = policy_selector(policy.eval(), rcfg), "rovr policy"
    else:
        selector, name = sequential_selector(), "sequential (t-1, t-2): no policy in checkpoint"
    corrupted = video.masked_fill(masks, 0.0)
    env = InpaintEnv(local, video[None], masks[None], corrupted[None], rcfg, rewards=False,
                     track_flow=False)  # no original video here: no reward, no O
    pairs = []
    while not env.done:
        small, target = env.observe()
        pair = selector(small, target, torch.zeros(1, dtype=torch.long))
        pairs.append(pair[0])
        env.step(pair)
    return env.current[0], torch.stack(pairs), name


# ---------------------------------------------------------------- experiments (notebooks 20, 21)

PAPER_TABLE1 = {"best": (16_933, 1_594), "worst": (20_406, 1_257), "random": (19_827, 1_655)}
PAPER_TABLE2 = {  # (average perceptual loss, optical flow recovery), ROVR Table 2
    "rovr_flow_cold": (19_156, 0.598), "rovr_noflow_warm": (19_348, 0.434),
    "rovr_flow_warm": (18_681, 0.627), "imitation_bce": (19_270, 0.494),
    "sequential": (19_147, 0.478),
}
POSTER_FLOW_RECOVERY = {"sequential": 0.478, "rovr_flow_warm": 0.654}  # poster, 20 rollouts
TABLE2_LABELS = {
    "rovr_flow_cold": "ROVR: flow reward, cold start",
    "rovr_noflow_warm": "ROVR: no flow reward, warm start",
    "rovr_flow_warm": "ROVR: flow reward, warm start",
    "imitation_bce": "Imitation learning only (BCE, §6.2)",
    "imitation_contrastive": "Imitation only, contrastive (§8; ours)",
    "sequential": "Sequential (t-1, t-2) = vid2vid",
    "random": "Random pairs (ours)",
    "oracle": "Oracle best pair (ours)",
    "rovr_flow_warm_pretrained_local": "ROVR flow+warm policy, pretrained Gamma (ours)",
}


def table1(cfg: Config, progress: bool = True) -> tuple[list[dict[str, Any]], dict]:
    """Table 1 for every seed in ``cfg.seeds``: Gamma pretrained (or reused) per seed and
    evaluated on the test videos with best / worst / random pairs from the corrupted video.
    Returns (rows, per-seed raw arrays)."""
    test = masked_set(cfg, "test", DATA_SEED)
    raw: dict[int, dict[str, dict[str, np.ndarray]]] = {}
    for seed in cfg.seeds:
        local = load_local(cfg, train_local(cfg, seed, progress=progress).state)
        raw[seed] = local_table(local, test, cfg.rovr, seed)
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


def imitation_valid_rates(policy: PolicyNet, data: Any, local: LocalUNet,
                          rcfg: ROVRConfig, seed: int = 0) -> dict[str, float]:
    """How often the policy's top-2 (greedy) and a sampled pair are valid, on expert states
    of ``data`` (test videos), against a uniformly random pair. The sample uses its own
    generator seeded by ``seed``, so the number does not depend on whether the stages were
    trained in this process or reloaded from their run directories."""
    small, target, n = expert_states(local, data, rcfg)
    with torch.no_grad():
        lp = candidate_log_probs(policy(small, target)[0], rcfg.gumbel_temperature)
    sampled = sample_pair(lp, torch.Generator().manual_seed(seed))
    out = {}
    for kind, pair in (("greedy", greedy_pair(lp)), ("sampled", sampled)):
        out[kind] = float(data.valid[n, target, pair[:, 0], pair[:, 1]].float().mean())
    out["random"] = random_valid_rate(data)
    return out


def logprob_comparison(policy: PolicyNet, data: Any, local: LocalUNet,
                       rcfg: ROVRConfig) -> dict[str, float]:
    """Geometric-mean vs exact pair log-prob on expert states: total mass over all pairs
    (exact: 1), and the rank correlation of the two over pairs."""
    small, target, _ = expert_states(local, data, rcfg)
    with torch.no_grad():
        lp = candidate_log_probs(policy(small, target)[0], rcfg.gumbel_temperature)
    t = lp.shape[1]
    i, j = torch.triu_indices(t, t, 1)
    keep = [(a, b) for a, b in zip(i.tolist(), j.tolist())]
    pairs = torch.tensor(keep)
    geo, exact = [], []
    for row in range(lp.shape[0]):
        ok = (pairs != target[row]).all(1)
        pr = pairs[ok]
        rows = lp[row].expand(len(pr), -1)
        geo.append(pair_log_prob(rows, pr, "geometric").exp())
        exact.append(pair_log_prob(rows, pr, "exact").exp())
    geo_t, exact_t = torch.stack(geo), torch.stack(exact)
    ranks = lambda x: x.argsort(1).argsort(1).float()
    rg, re = ranks(geo_t), ranks(exact_t)
    rg, re = rg - rg.mean(1, keepdim=True), re - re.mean(1, keepdim=True)
    spearman = (rg * re).sum(1) / (rg.norm(dim=1) * re.norm(dim=1) + 1e-12)
    return {"geometric_mass": float(geo_t.sum(1).mean()),
            "exact_mass": float(exact_t.sum(1).mean()),
            "spearman": float(spearman.mean()),
            "top_pair_agree": float((geo_t.argmax(1) == exact_t.argmax(1)).float().mean())}


def seed_study(cfg: Config, seed: int, progress: bool = True) -> SeedStudy:
    """Train (or reuse) every stage for ``seed`` and evaluate every conditioning policy."""
    rcfg = cfg.rovr
    test = masked_set(cfg, "test", DATA_SEED)
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
    for name, (net, selector) in runs.items():
        rollout = run_selector(net, test, selector, rcfg, videos)
        metrics[name] = evaluate_rollout(rollout, test, videos)
        pairs[name] = rollout.pairs
    train = masked_set(cfg, "train", DATA_SEED)
    valid = {f"{loss}/{split}": imitation_valid_rates(load_policy(cfg, state), data, local, rcfg,
                                                      seed)
             for loss, state in imitation.items()
             for split, data in (("train", train), ("test", test))}
    comparison = logprob_comparison(load_policy(cfg, imitation["bce"]), test, local, rcfg)
    return SeedStudy(metrics, pairs, valid, comparison)


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


def choice_heatmap(pairs: torch.Tensor) -> np.ndarray:
    """(T, 2) chosen pairs of one video -> (T, T) map: 1 target (diagonal), 2 chosen, 0 else
    (Figure 3)."""
    t = pairs.shape[0]
    grid = np.zeros((t, t))
    grid[np.arange(t), np.arange(t)] = 1
    for step, (i, j) in enumerate(pairs.tolist()):
        grid[step, i] = grid[step, j] = 2
    return grid


def context_overlay(frame: torch.Tensor, mask_t: torch.Tensor, mask_i: torch.Tensor,
                    mask_j: torch.Tensor) -> torch.Tensor:
    """Figure 6: green = hidden in the target but visible in a chosen context frame, red =
    hidden in the target and both context frames. (3, H, W) frame, (1, H, W) masks."""
    green = mask_t & ~(mask_i & mask_j)
    red = mask_t & mask_i & mask_j
    out = frame.clone()
    out = torch.where(green, torch.tensor([0.1, 0.85, 0.1])[:, None, None], out)
    return torch.where(red, torch.tensor([0.9, 0.1, 0.1])[:, None, None], out)
