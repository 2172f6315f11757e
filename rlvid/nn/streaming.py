"""ROVR's policy evaluated step by step over one video without re-encoding it (R5, §1), and
two attention selectors to compare it with.

ROVR steps through a video one target frame at a time (§5.1); between two steps only the
frame just reconstructed changes. :class:`FrameCache` keeps each frame's embedding and their
running sum, updated in place for that one frame (the tile CNN is tile-local, so no other
embedding moves). :class:`StreamingPolicy` gives the same logits as
:class:`~rlvid.nn.rovr.PolicyNet` with the FC layer split by input block (§5.2's stacked
features): the per-frame block is cached per frame, the target and context blocks are one
vector per step. What is left per step is one (T, hidden) add, ReLU and dot: the policy
scores every candidate frame, so a step is O(T) with a small constant and a video O(T^2).

The selectors of the scaling benchmark, for the comparison:

- :class:`SelfAttentionSelector`: a transformer layer over all T frame tokens, every frame
  attending to every frame (softmax), conditioned on the step's target: O(T^2) per step;
- :class:`QueryAttentionSelector`: one softmax query per step (the target) over the cached
  keys of every frame, the attention scores as logits: O(T) per step, like ROVR's head.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from rlvid.nn.rovr import PolicyNet, SelectorTrunk, TileEncoder, mask_target


class FrameCache:
    """Per-frame embeddings (N, T, d) of a video and their sum, updated in place.

    Replaces an earlier incremental encoder, which cloned the whole (N, T, d) table at
    every update (an O(T) copy per step).
    """

    def __init__(self, encoder: TileEncoder, small: torch.Tensor):
        self.encoder = encoder
        self.emb = encoder(small)  # (N, T, d)
        self.total = self.emb.sum(dim=1, dtype=torch.float64)  # running sum for the mean

    @property
    def num_frames(self) -> int:
        return self.emb.shape[1]

    def mean(self) -> torch.Tensor:
        """Mean frame embedding (N, d): the context block of §5.2's stacked features."""
        return (self.total / self.num_frames).to(self.emb.dtype)

    def update(self, frame: int, small_frame: torch.Tensor) -> torch.Tensor:
        """Re-encode frame ``frame`` from its tile (N, 3, s, s); returns its new embedding."""
        new = self.encoder(small_frame)
        self.total += new.double() - self.emb[:, frame].double()
        self.emb[:, frame] = new
        return new


class StreamingPolicy:
    """PolicyNet's logits for one video, stepped frame by frame: exact up to float rounding.

    PolicyNet's hidden vector for candidate i at target t is
    ReLU(W_e e_i + W_g g_t + W_c mean_j e_j + W_p pos(i, t) + b) with
    pos(i, t) = (i, i - t, |i - t|) / T (``rlvid.nn.rovr._position_features``). Splitting the
    |i - t| column by the sign of i - t makes every term either per frame (cached in
    ``below``/``above``, refreshed for the changed frame) or per step (one vector).
    """

    def __init__(self, policy: PolicyNet, small: torch.Tensor):
        trunk = policy.trunk
        self.policy, self.target_cnn = policy, trunk.target_cnn
        self.frames = FrameCache(trunk.video_cnn, small)
        fc = trunk.fc[0]
        d = self.frames.emb.shape[-1]
        w = fc.weight.detach()
        self.w_frame, self.w_target, self.w_ctx = w[:, :d], w[:, d:2 * d], w[:, 2 * d:3 * d]
        self.w_pos, self.w_off, self.w_abs = w[:, 3 * d], w[:, 3 * d + 1], w[:, 3 * d + 2]
        self.bias = fc.bias.detach()
        self.w_logit = policy.logit.weight.detach()[0]  # (hidden,)
        self.b_logit = policy.logit.bias.detach()[0]
        n, t = small.shape[:2]
        self.pos = torch.arange(t, dtype=small.dtype) / t  # i / T
        self.below = small.new_empty(n, t, self.bias.shape[0])  # candidates i < target
        self.above = torch.empty_like(self.below)  # candidates i > target
        self.hidden = torch.empty_like(self.below)  # per-step work buffer
        self._refresh(slice(None))

    @staticmethod
    def supports(policy: nn.Module) -> bool:
        """True for the plain per-frame PolicyNet (trunk, logit, aux value) whose logits this
        class reproduces; another head (a pair-aware action) needs its own streaming form."""
        return type(policy) is PolicyNet and \
            set(dict(policy.named_children())) == {"trunk", "logit", "aux_value"} and \
            type(policy.trunk) is SelectorTrunk and len(policy.trunk.fc) == 2

    def _refresh(self, frames: slice) -> None:
        """Cache W_e e_i + b + (W_pos + W_off) i/T -/+ W_abs i/T for ``frames``."""
        emb, pos = self.frames.emb[:, frames], self.pos[frames, None]
        base = emb @ self.w_frame.T + self.bias + pos * (self.w_pos + self.w_off)
        self.below[:, frames] = base - pos * self.w_abs
        self.above[:, frames] = base + pos * self.w_abs

    def update(self, frame: int, small_frame: torch.Tensor) -> None:
        """Frame ``frame`` was reconstructed: its tile (N, 3, s, s) replaces the old one."""
        self.frames.update(frame, small_frame)
        self._refresh(slice(frame, frame + 1))

    def logits(self, target_small: torch.Tensor, target: int) -> torch.Tensor:
        """Logits (N, T), -inf at ``target``: equal to ``PolicyNet(small, target)[0]``."""
        num = self.frames.num_frames
        step = (self.target_cnn(target_small) @ self.w_target.T
                + self.frames.mean() @ self.w_ctx.T - self.w_off * (target / num))
        shift = self.w_abs * (target / num)
        h = self.hidden
        torch.add(self.below[:, :target], (step + shift)[:, None], out=h[:, :target])
        torch.add(self.above[:, target:], (step - shift)[:, None], out=h[:, target:])
        h.relu_()
        logits = h @ self.w_logit + self.b_logit
        logits[:, target] = float("-inf")  # the target is no candidate (rovr.mask_target)
        return logits


def _relative_position(num_frames: int, target: int) -> torch.Tensor:
    """(T, 3): position, signed and absolute offset to the target, all / T."""
    idx = torch.arange(num_frames, dtype=torch.float32)
    off = idx - target
    return torch.stack([idx, off, off.abs()], dim=-1) / num_frames


class SelfAttentionSelector(nn.Module):
    """Self-attention over all frames: every frame token attends to every other (softmax),
    tokens conditioned on the step's target; one logit per frame. O(T^2) per step.

    One post-norm transformer encoder layer (multi-head attention, then a 2x MLP) written
    with ``scaled_dot_product_attention``, whose fused CPU kernel never holds the T x T
    weights: the benchmark times attention's arithmetic, not its memory traffic.
    """

    def __init__(self, channels: tuple[int, ...], hidden: int, heads: int = 4):
        super().__init__()
        if hidden % heads:
            raise ValueError(f"hidden {hidden} is not divisible by {heads} heads")
        self.frame_cnn, self.target_cnn = TileEncoder(channels), TileEncoder(channels)
        d = self.frame_cnn.out_dim
        self.heads = heads
        self.proj, self.pos = nn.Linear(d, hidden), nn.Linear(3, hidden)
        self.qkv, self.out = nn.Linear(hidden, 3 * hidden), nn.Linear(hidden, hidden)
        self.norm1, self.norm2 = nn.LayerNorm(hidden), nn.LayerNorm(hidden)
        self.mlp = nn.Sequential(nn.Linear(hidden, 2 * hidden), nn.ReLU(inplace=True),
                                 nn.Linear(2 * hidden, hidden))
        self.logit = nn.Linear(hidden, 1)

    def logits(self, frames: FrameCache, target_small: torch.Tensor, target: int
               ) -> torch.Tensor:
        """Frame cache of ``frame_cnn`` -> logits (N, T), -inf at ``target``."""
        n, num = frames.emb.shape[:2]
        x = self.proj(frames.emb + self.target_cnn(target_small)[:, None])
        x = x + self.pos(_relative_position(num, target))
        q, k, v = self.qkv(x).reshape(n, num, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        att = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(n, num, -1)
        x = self.norm1(x + self.out(att))
        x = self.norm2(x + self.mlp(x))
        out = self.logit(x).squeeze(-1)
        out[:, target] = float("-inf")  # the target is no candidate (rovr.mask_target)
        return out


class QueryAttentionSelector(nn.Module):
    """One softmax query per step (the target) over every frame's key: the scaled scores
    q . k_i / sqrt(d) plus a relative-position bias are the logits. Keys are cached per
    frame (:meth:`keys`, :meth:`update_key`), so a step is O(T)."""

    def __init__(self, channels: tuple[int, ...], hidden: int):
        super().__init__()
        self.frame_cnn, self.target_cnn = TileEncoder(channels), TileEncoder(channels)
        d = self.frame_cnn.out_dim
        self.key, self.query = nn.Linear(d, hidden), nn.Linear(d, hidden)
        self.pos_bias = nn.Linear(3, 1)
        self.scale = 1.0 / math.sqrt(hidden)

    def keys(self, frames: FrameCache) -> torch.Tensor:
        """(N, T, hidden) keys of every frame, to be cached by the caller."""
        return self.key(frames.emb)

    def update_key(self, keys: torch.Tensor, frames: FrameCache, frame: int) -> None:
        """Refresh the cached key of one re-encoded frame in place."""
        keys[:, frame] = self.key(frames.emb[:, frame])

    def logits(self, keys: torch.Tensor, target_small: torch.Tensor, target: int
               ) -> torch.Tensor:
        q = self.query(self.target_cnn(target_small))  # (N, hidden)
        scores = (keys @ q[:, :, None]).squeeze(-1) * self.scale
        scores = scores + self.pos_bias(_relative_position(keys.shape[1], target)).squeeze(-1)
        return mask_target(scores, torch.full((scores.shape[0],), target, dtype=torch.long))
