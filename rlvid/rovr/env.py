"""ROVR's MDP (§5.1): one target frame per step, a pair of conditioning frames per action (k
frames with ``conditioning_frames``, §8's future work), stepped for many videos at once (one
Gamma call and one perceptual pass per step)."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import torch

from rlvid.config.rovr import ROVRConfig
from rlvid.errors import RlvidError
from rlvid.nn.rovr import LocalUNet, downsample_frames
from rlvid.rovr.losses import reward_distance, reward_features


@dataclass
class RewardCache:
    """What the reward needs about a data set, computed once and indexed by video: the
    clean frames' perceptual features, L_P(x_bar_t, x_t) for every t, the original
    videos' flow phi(X) and the corrupted videos' flow distance |phi(X_bar) - phi(X)|_1
    (eq. 3's denominator). None of them depends on the policy or on Gamma."""

    features: list[torch.Tensor]  # per layer, (N*T, C, h, w)
    corrupted_lp: torch.Tensor  # (N, T)
    flow: np.ndarray | None  # (N, T-1, H, W, 2) phi(X)
    flow_den: np.ndarray | None  # (N,)
    num_frames: int
    videos: torch.Tensor  # the data set's videos (identity check of the memo)


_CACHES: dict[tuple[int, str, bool], RewardCache] = {}


def reward_cache(data: Any, rcfg: ROVRConfig, flow: bool = True) -> RewardCache:
    """The (memoised per data set) :class:`RewardCache` of ``data``."""
    key = (id(data.videos), rcfg.reward_net, flow)
    if key not in _CACHES or _CACHES[key].videos is not data.videos:
        n, t = data.videos.shape[:2]
        feats = reward_features(data.videos.flatten(0, 1), rcfg)
        bad = reward_features(data.corrupted.flatten(0, 1), rcfg)
        corrupted_lp = reward_distance(bad, feats, rcfg).reshape(n, t)
        phi = den = None
        if flow:
            from rlvid.metrics.flow import video_flow

            phi = np.stack([video_flow(v).astype(np.float64) for v in data.videos])
            den = np.array([np.abs(video_flow(c) - p).sum()
                            for c, p in zip(data.corrupted, phi)])
        if len(_CACHES) >= 4:  # a few data sets at a time (train, test)
            _CACHES.pop(next(iter(_CACHES)))
        _CACHES[key] = RewardCache(feats, corrupted_lp, phi, den, t, data.videos)
    return _CACHES[key]


def state_tiles(frames: torch.Tensor, masks: torch.Tensor | None, size: int) -> torch.Tensor:
    """The policy's view of (N, T, 3, H, W) frames: tiles (N, T, 3, s, s), plus each frame's
    hidden share per tile pixel as a 4th channel when ``masks`` is given (errata)."""
    small = downsample_frames(frames, size)
    if masks is None:
        return small
    return torch.cat([small, downsample_frames(masks.float(), size)], dim=2)


class InpaintEnv:
    """ROVR's MDP over a batch of videos, one target frame per step, in order (§5.1.1).

    State s_t: the current video (frames < t reconstructed, frames >= t corrupted),
    downsampled to tiles (plus the masks, ``policy_masks``), and the target index t. Action:
    a pair of conditioning frames taken from the current video, (N, 2) frame indices, or
    (N, k) with ``conditioning_frames`` = k. Transition: Gamma
    reconstructs frame t (§5.1.3). Reward: R_t = L_P(x_bar_t, x_t) - L_P(x_hat_t, x_t) (§6.3)
    with the ``reward_net`` perceptual distance; after the last step the episode's flow
    recovery O (eq. 3) times ``flow_coef`` is added to the last reward.

    ``cache`` and ``idx``: the :class:`RewardCache` of the data set these videos come from
    and their indices in it (:func:`make_env`); without them the cache is built for these
    videos.
    """

    def __init__(self, local: LocalUNet, videos: torch.Tensor, masks: torch.Tensor,
                 corrupted: torch.Tensor, rcfg: ROVRConfig, flow_coef: float = 0.0,
                 rewards: bool = True, track_flow: bool = True,
                 cache: RewardCache | None = None, idx: torch.Tensor | None = None):
        self.local, self.rcfg, self.flow_coef = local, rcfg, flow_coef
        self.videos, self.masks, self.corrupted = videos, masks, corrupted
        self.n, self.num_frames = videos.shape[:2]
        self.k = rcfg.conditioning_frames
        self.rows = torch.arange(self.n)
        self.rewards, self.track_flow = rewards, track_flow or bool(flow_coef)
        if cache is None and (rewards or self.track_flow):
            cache = reward_cache(SimpleNamespace(videos=videos, corrupted=corrupted), rcfg,
                                 flow=self.track_flow)
            idx = None
        self.cache = cache
        self.idx = self.rows if idx is None else idx
        self.mask_tiles = (downsample_frames(masks.float(), rcfg.tile_size)
                           if rcfg.policy_masks else None)
        self.reset()

    def reset(self) -> None:
        self.current = self.corrupted.clone()
        self.small = downsample_frames(self.current, self.rcfg.tile_size)
        if self.mask_tiles is not None:
            self.small = torch.cat([self.small, self.mask_tiles], dim=2)
        self.t = 0
        self.flow_recovery: torch.Tensor | None = None

    @property
    def done(self) -> bool:
        return self.t >= self.num_frames

    def observe(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.small.clone(), torch.full((self.n,), self.t, dtype=torch.long)

    def reconstruct(self, pair: torch.Tensor, rows: torch.Tensor | None = None,
                    local: torch.nn.Module | None = None) -> torch.Tensor:
        """Gamma(x_bar_t, c_1, ..., c_k) with the conditioning frames ``pair`` (N, k) from the
        current video; ``local``: Gamma as trained (in DDP under torchrun), default
        ``self.local``."""
        self._check(pair)
        t, r = self.t, self.rows if rows is None else rows
        net = self.local if local is None else local
        return net(self.current[r, t], *(self.current[r, pair[:, i]] for i in range(self.k)),
                   mask=self.masks[r, t])

    def _check(self, pair: torch.Tensor) -> None:
        if pair.dim() != 2 or pair.shape[1] != self.k:
            raise RlvidError(f"an action is (N, {self.k}) frame indices (conditioning_frames = "
                             f"{self.k}), got shape {tuple(pair.shape)}")

    def step(self, pair: torch.Tensor, x_hat: torch.Tensor | None = None) -> torch.Tensor:
        """Apply the action (N, k) frames; reward (N,). ``x_hat``: a reconstruction already
        computed."""
        self._check(pair)
        t = self.t
        with torch.no_grad():
            x_hat = self.reconstruct(pair) if x_hat is None else x_hat.detach()
            reward = torch.zeros(self.n)
            if self.rewards:
                assert self.cache is not None
                flat = self.idx * self.num_frames + t
                clean = [f[flat] for f in self.cache.features]
                lp = reward_distance(reward_features(x_hat, self.rcfg), clean, self.rcfg)
                reward = (self.cache.corrupted_lp[self.idx, t] - lp) * self.rcfg.reward_scale
        self.current[:, t] = x_hat
        self.small[:, t, :3] = downsample_frames(x_hat, self.rcfg.tile_size)
        self.t += 1
        if self.done and self.track_flow:
            self.flow_recovery = self._flow_recovery()
            if self.flow_coef:
                reward = reward + self.flow_coef * self.flow_recovery
        return reward

    def _flow_recovery(self) -> torch.Tensor:
        """O per video (eq. 3) against the cached phi(X) and denominator; 0 where undefined."""
        from rlvid.metrics.flow import video_flow

        assert self.cache is not None and self.cache.flow is not None
        out = []
        for v, i in zip(self.current, self.idx.tolist()):
            den = self.cache.flow_den[i]
            num = np.abs(video_flow(v) - self.cache.flow[i]).sum()
            out.append(1.0 - num / den if den > 0 else 0.0)
        return torch.tensor(out, dtype=torch.float32)


def make_env(local: LocalUNet, data: Any, idx: torch.Tensor, rcfg: ROVRConfig,
             flow_coef: float = 0.0, rewards: bool = True, track_flow: bool = True
             ) -> InpaintEnv:
    """An :class:`InpaintEnv` over videos ``idx`` (repeats allowed) of data set ``data``,
    with the data set's memoised :class:`RewardCache`."""
    need = rewards or track_flow or bool(flow_coef)
    cache = reward_cache(data, rcfg, flow=track_flow or bool(flow_coef)) if need else None
    return InpaintEnv(local, data.videos[idx], data.masks[idx], data.corrupted[idx], rcfg,
                      flow_coef, rewards, track_flow, cache, idx)


def flow_recovery_batch(reconstructed: torch.Tensor, original: torch.Tensor,
                        corrupted: torch.Tensor) -> torch.Tensor:
    """O per video (N,), with the active flow backend; 0 where O is undefined."""
    from rlvid.metrics import flow_recovery

    out = flow_recovery(reconstructed, original, corrupted, zero_denominator=0.0)
    return torch.as_tensor(out, dtype=torch.float32)
