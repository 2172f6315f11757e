"""ROVR networks (§5.2): the tiled video encoder, the policy pi, the critic V and the local
network Gamma, plus the pair distribution (Gumbel top-2) and an attention selector for the
scaling benchmark.

Shapes: a video is (N, T, 3, H, W) in [0, 1]; ``small`` is the same video downsampled to
(N, T, 3, s, s) with s = ``tile_size``; ``target`` is a (N,) long tensor of target indices.
"""

from __future__ import annotations

import itertools
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------- tiling (Fig. 2)


def tile_grid(num_frames: int) -> tuple[int, int]:
    """Rows and columns of the tile grid: 4x5 for T = 20 (Fig. 2), near-square for any T.

    >>> tile_grid(20), tile_grid(40), tile_grid(160)
    ((4, 5), (6, 7), (12, 14))
    """
    if num_frames < 1:
        raise ValueError(f"num_frames must be >= 1, got {num_frames}")
    rows = max(1, math.isqrt(num_frames))
    return rows, math.ceil(num_frames / rows)


def downsample_frames(frames: torch.Tensor, size: int) -> torch.Tensor:
    """Area-downsample the last two dims of (..., 3, H, W) frames to (..., 3, size, size)."""
    lead = frames.shape[:-3]
    flat = frames.reshape(-1, *frames.shape[-3:])
    small = F.adaptive_avg_pool2d(flat, size)
    return small.reshape(*lead, *small.shape[-3:])


def tile_video(small: torch.Tensor) -> torch.Tensor:
    """(N, T, C, s, s) tiles -> (N, C, rows*s, cols*s) image, row-major, empty tiles zero."""
    n, t, c, s, _ = small.shape
    rows, cols = tile_grid(t)
    pad = rows * cols - t
    if pad:
        small = torch.cat([small, small.new_zeros(n, pad, c, s, s)], dim=1)
    grid = small.reshape(n, rows, cols, c, s, s).permute(0, 3, 1, 4, 2, 5)
    return grid.reshape(n, c, rows * s, cols * s)


def untile_video(image: torch.Tensor, num_frames: int) -> torch.Tensor:
    """Inverse of :func:`tile_video`: (N, C, rows*s, cols*s) -> (N, T, C, s, s)."""
    n, c, h, w = image.shape
    rows, cols = tile_grid(num_frames)
    s = h // rows
    grid = image.reshape(n, c, rows, s, cols, s).permute(0, 2, 4, 1, 3, 5)
    return grid.reshape(n, rows * cols, c, s, s)[:, :num_frames]


# ---------------------------------------------------------------- encoders


def conv_stack(channels: tuple[int, ...], in_channels: int, stride_all: bool = True
               ) -> nn.Sequential:
    """3x3 conv + ReLU per width in ``channels``: stride 2 in every layer (a tile's
    embedding, :class:`TileEncoder`), or in the first only (a coarse grid, the pair policy's
    ``GridEncoder``)."""
    layers: list[nn.Module] = []
    prev = in_channels
    for i, ch in enumerate(channels):
        stride = 2 if stride_all or i == 0 else 1
        layers += [nn.Conv2d(prev, ch, 3, stride=stride, padding=1), nn.ReLU(inplace=True)]
        prev = ch
    return nn.Sequential(*layers)


class TileEncoder(nn.Module):
    """A small CNN run on every tile of the tiled image, then average-pooled per tile.

    Running it per tile equals a CNN on the whole tiled image with zero padding at tile
    borders, so one frame's embedding never depends on its neighbours in the grid: that is
    what lets :class:`IncrementalEncoder` re-encode only the frame that changed (errata).
    """

    def __init__(self, channels: tuple[int, ...], in_channels: int = 3):
        super().__init__()
        self.net = conv_stack(channels, in_channels)
        self.out_dim = channels[-1]

    def forward(self, small: torch.Tensor) -> torch.Tensor:
        """(..., 3, s, s) tiles -> (..., out_dim) embeddings."""
        lead = small.shape[:-3]
        feats = self.net(small.reshape(-1, *small.shape[-3:]))
        return feats.mean(dim=(-2, -1)).reshape(*lead, self.out_dim)

    def forward_tiled(self, image: torch.Tensor, num_frames: int) -> torch.Tensor:
        """The tiled (N, 3, rows*s, cols*s) image of Fig. 2 -> (N, T, out_dim)."""
        return self(untile_video(image, num_frames))


def _position_features(num_frames: int, target: torch.Tensor) -> torch.Tensor:
    """(N, T, 3): candidate position, signed and absolute offset to the target, all / T."""
    idx = torch.arange(num_frames, device=target.device, dtype=torch.float32)
    offset = idx[None, :] - target[:, None].float()
    pos = idx[None, :].expand_as(offset)
    return torch.stack([pos, offset, offset.abs()], dim=-1) / num_frames


class SelectorTrunk(nn.Module):
    """Two CNNs (tiled video, downsampled target), stacked features, one FC layer (§5.2).

    The FC layer is shared across candidate frames: candidate i's hidden vector is
    FC([e_i, e_target, mean_j e_j, position(i, t)]), so the same network runs at any T.
    """

    def __init__(self, channels: tuple[int, ...], hidden: int, in_channels: int = 3):
        super().__init__()
        self.video_cnn = TileEncoder(channels, in_channels)
        self.target_cnn = TileEncoder(channels, in_channels)
        d = self.video_cnn.out_dim
        self.fc = nn.Sequential(nn.Linear(3 * d + 3, hidden), nn.ReLU(inplace=True))

    def encode_frames(self, small: torch.Tensor) -> torch.Tensor:
        return self.video_cnn(small)

    def from_embeddings(
        self, frame_emb: torch.Tensor, target_small: torch.Tensor, target: torch.Tensor
    ) -> torch.Tensor:
        """Frame embeddings (N, T, d), target tile (N, 3, s, s) -> hidden (N, T, hidden)."""
        n, t, d = frame_emb.shape
        tgt = self.target_cnn(target_small)[:, None, :].expand(n, t, d)
        ctx = frame_emb.mean(dim=1, keepdim=True).expand(n, t, d)
        stacked = torch.cat([frame_emb, tgt, ctx, _position_features(t, target)], dim=-1)
        return self.fc(stacked)

    def forward(self, small: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        rows = torch.arange(small.shape[0], device=small.device)
        return self.from_embeddings(self.encode_frames(small), small[rows, target], target)


class PolicyNet(nn.Module):
    """pi: logits over the T frames with the target masked to -inf, plus PPG's aux value.
    ``in_channels``: 3 (RGB tiles) or 4 (plus the frame's mask, ``policy_masks``);
    ``frames``: k, how many frames its top-k action takes (2: §5.2's top-2; no weights)."""

    def __init__(self, channels: tuple[int, ...], hidden: int, in_channels: int = 3,
                 frames: int = 2):
        super().__init__()
        self.frames = frames
        self.trunk = SelectorTrunk(channels, hidden, in_channels)
        self.logit = nn.Linear(hidden, 1)
        self.aux_value = nn.Linear(hidden, 1)  # PPG auxiliary value head (aux phase only)

    def heads(self, hidden: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, ...]:
        logits = self.logit(hidden).squeeze(-1)
        logits = mask_target(logits, target)
        return logits, self.aux_value(hidden.mean(dim=1)).squeeze(-1)

    def forward(self, small: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """-> (logits (N, T) with -inf at the target, aux value (N,))."""
        return self.heads(self.trunk(small, target), target)


class CriticNet(nn.Module):
    """V: the same trunk (own weights: PPG's "dual" architecture) with a scalar head."""

    def __init__(self, channels: tuple[int, ...], hidden: int, in_channels: int = 3):
        super().__init__()
        self.trunk = SelectorTrunk(channels, hidden, in_channels)
        self.value = nn.Linear(hidden, 1)

    def forward(self, small: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.value(self.trunk(small, target).mean(dim=1)).squeeze(-1)


# ---------------------------------------------------------------- pair distribution


def mask_target(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Remove the target frame from the categorical: its logit becomes -inf (prob 0)."""
    hide = F.one_hot(target, logits.shape[-1]).bool()
    return logits.masked_fill(hide, float("-inf"))


def candidate_log_probs(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """log softmax(logits / tau); the masked target stays at -inf."""
    return torch.log_softmax(logits / temperature, dim=-1)


def sample_pair(log_probs: torch.Tensor, generator: torch.Generator | None = None,
                k: int = 2) -> torch.Tensor:
    """Gumbel-softmax sample, then its top k frames (two: §5.2's pair) -> (N, k) long.

    The top k of softmax((log p + g) / tau) are the top k of log p + g for any tau, i.e.
    k draws without replacement from p (the Gumbel-top-k trick); the temperature acts
    through p = softmax(logits / tau) (errata).
    """
    u = torch.rand(log_probs.shape, generator=generator, device=log_probs.device)
    gumbel = -torch.log((-torch.log(u.clamp_min(1e-20))).clamp_min(1e-20))
    return torch.topk(log_probs + gumbel, k, dim=-1).indices


def greedy_pair(log_probs: torch.Tensor, k: int = 2) -> torch.Tensor:
    """The k (two) most probable frames (N, k): the deterministic evaluation policy."""
    return torch.topk(log_probs, k, dim=-1).indices


def _log1mexp(x: torch.Tensor) -> torch.Tensor:
    """log(1 - exp(x)) for x <= 0, stable."""
    x = x.clamp(max=-1e-7)
    return torch.where(x > -0.693, torch.log(-torch.expm1(x)), torch.log1p(-torch.exp(x)))


def pair_log_prob(log_probs: torch.Tensor, pair: torch.Tensor, kind: str = "geometric"):
    """Log-probability of an unordered pair (N, 2), or k-set (N, k), under the candidates.

    ``geometric``: (log p_i + log p_j) / 2, the paper's choice (§5.2), the mean over the k
    frames; not a normalised probability over sets. ``exact``: for two draws without
    replacement log(P(i then j) + P(j then i)) = log p_i + log p_j + log(1/(1-p_i) +
    1/(1-p_j)); for k draws the sum over the k! orders (:func:`_set_log_prob`); sums to 1
    over sets.
    """
    lp = log_probs.gather(-1, pair)
    if kind == "geometric":
        return lp.mean(dim=-1)
    if kind == "exact":
        if lp.shape[-1] == 2:
            return lp.sum(dim=-1) + torch.logsumexp(-_log1mexp(lp), dim=-1)
        return _set_log_prob(lp)
    raise ValueError(f"pair_logprob must be 'geometric' or 'exact', got {kind!r}")


def _set_log_prob(lp: torch.Tensor) -> torch.Tensor:
    """log P(a k-set) for k draws without replacement, from its frames' log p (N, k): the
    log-sum over the k! orders of prod_m p_(m) / (1 - sum_{l<m} p_(l))."""
    k = lp.shape[-1]
    if k > 6:
        raise ValueError(f"the exact top-k log-prob sums over k! orders: not supported for "
                         f"k > 6, got k = {k}; use pair_logprob 'geometric'")
    orders = torch.tensor(list(itertools.permutations(range(k))), device=lp.device)
    seq = lp[:, orders]  # (N, k!, k)
    drawn = torch.logcumsumexp(seq, dim=-1)[..., :-1]  # log mass drawn before step m
    return torch.logsumexp(seq.sum(-1) - _log1mexp(drawn).sum(-1), dim=-1)


def categorical_entropy(log_probs: torch.Tensor) -> torch.Tensor:
    """Entropy over the candidates (the -inf target contributes 0)."""
    finite = torch.isfinite(log_probs)
    safe = log_probs.masked_fill(~finite, 0.0)  # no -inf * 0 (NaN gradients) at the target
    return -(safe.exp() * safe).masked_fill(~finite, 0.0).sum(-1)


def categorical_kl(old_log_probs: torch.Tensor, new_log_probs: torch.Tensor) -> torch.Tensor:
    """KL(old || new) per row over the candidates (PPG's behaviour-cloning term)."""
    finite = torch.isfinite(old_log_probs)
    old = old_log_probs.masked_fill(~finite, 0.0)
    new = new_log_probs.masked_fill(~finite, 0.0)
    return (old.exp() * (old - new)).masked_fill(~finite, 0.0).sum(-1)


# ---------------------------------------------------------------- local network Gamma


class _DoubleConv(nn.Sequential):
    def __init__(self, cin: int, cout: int):
        super().__init__(
            nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(inplace=True),
        )


class LocalUNet(nn.Module):
    """Gamma (§5.2.3): UNet over the stacked target and two conditioning frames (9 channels),
    or k frames (3 + 3k channels: §8's future work, ``frames``).

    With ``paste_known`` the known pixels of the target are pasted back over the output, so
    only masked pixels are generated (a mask given as None is read as "pixel is exactly 0 in
    all channels", the masked-set convention). ``in_channels``: the UNet's input channels
    when a subclass stacks more than the frames (:class:`~rlvid.nn.local_net.MaskedResidualUNet`).
    """

    def __init__(self, channels: tuple[int, ...], paste_known: bool = True, frames: int = 2,
                 in_channels: int | None = None):
        super().__init__()
        self.paste_known, self.frames = paste_known, frames
        self.in_channels = 3 + 3 * frames if in_channels is None else in_channels
        self.down = nn.ModuleList()
        prev = self.in_channels
        for ch in channels:
            self.down.append(_DoubleConv(prev, ch))
            prev = ch
        self.up = nn.ModuleList()
        self.fuse = nn.ModuleList()
        for ch in reversed(channels[:-1]):
            self.up.append(nn.ConvTranspose2d(prev, ch, 2, stride=2))
            self.fuse.append(_DoubleConv(2 * ch, ch))
            prev = ch
        self.out = nn.Conv2d(prev, 3, 1)
        self.factor = 2 ** (len(channels) - 1)

    def check_inputs(self, target: torch.Tensor, conds: tuple[torch.Tensor, ...]) -> None:
        """k conditioning frames, and sides the UNet's pooling divides."""
        if len(conds) != self.frames:
            raise ValueError(f"Gamma takes {self.frames} conditioning frames, got {len(conds)}")
        h, w = target.shape[-2:]
        if h % self.factor or w % self.factor:
            raise ValueError(f"frame size {h}x{w} must be divisible by {self.factor}")

    def unet(self, x: torch.Tensor) -> torch.Tensor:
        """The UNet on stacked inputs (N, in_channels, H, W) -> (N, 3, H, W), before the
        output's activation."""
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else F.avg_pool2d(x, 2))
            skips.append(x)
        for up, fuse, skip in zip(self.up, self.fuse, reversed(skips[:-1])):
            x = fuse(torch.cat([up(x), skip], dim=1))
        return self.out(x)

    def forward(self, target: torch.Tensor, *conds: torch.Tensor,
                mask: torch.Tensor | None = None) -> torch.Tensor:
        """(N, 3, H, W) target and k conditioning frames -> reconstructed target (N, 3, H, W)
        in [0, 1]; ``mask``: the target's (N, 1, H, W) bool holes."""
        self.check_inputs(target, conds)
        out = torch.sigmoid(self.unet(torch.cat([target, *conds], dim=1)))
        if self.paste_known:
            if mask is None:
                mask = (target == 0).all(dim=1, keepdim=True)
            out = torch.where(mask, out, target)
        return out
