"""RL-V2V-GAN losses, eqs. (1)-(10), one function each (eq. 7, ``L_v = L_vx + L_vy``, is
the sum of :func:`video_loss_x` and :func:`video_loss_y`, which :func:`total_loss` weights).

Conventions (errata page, "Losses"):
- ``D`` callables return logits ``(B, T, heads)``; ``log D = logsigmoid(logit)`` and
  ``log(1 - D) = logsigmoid(-logit)``. Step ``t`` of ``D(video)`` is ``D(video_{:t})``;
  a frame is scored as a video of one frame (:func:`frame_logits`).
- Every sum over t is taken per video and averaged over the mini-batch; ``||.||^2`` is the
  per-pixel mean squared error of a frame.
- ``mode="value"`` returns the paper's quantity (the discriminators ascend it, so their
  loss is ``-value``); ``mode="generator"`` returns the non-saturating generator loss:
  only the terms with a generated sample, with ``log(1 - D(G(.)))`` replaced by
  ``-log D(G(.))`` (Goodfellow et al. 2014), which the generators descend.
- Style images ``zbar`` come as ``(B, T, 3, H, W)``: T independent images per video, so each
  of the four sums in eq. (1) has T terms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import torch
import torch.nn.functional as F

Net = Callable[..., torch.Tensor]
Mode = Literal["value", "generator"]


def frame_logits(d: Net, video: torch.Tensor) -> torch.Tensor:
    """D on each frame alone: ``(B, T, C, H, W) -> (B, T, heads)``."""
    b, t = video.shape[:2]
    return d(video.reshape(b * t, 1, *video.shape[2:])).reshape(b, t, -1)


def prefix_logits(d: Net, video: torch.Tensor) -> torch.Tensor:
    """D on every prefix ``video_{:t}`` (one causal pass): ``(B, T, heads)``."""
    return d(video)


def _log_real(logits: torch.Tensor) -> torch.Tensor:
    """sum_t log D, averaged over the batch."""
    return F.logsigmoid(logits).sum(dim=1).mean()


def _log_fake(logits: torch.Tensor, mode: Mode) -> torch.Tensor:
    """sum_t log(1 - D) (value) or sum_t -log D (non-saturating generator loss)."""
    if mode == "value":
        return F.logsigmoid(-logits).sum(dim=1).mean()
    return -F.logsigmoid(logits).sum(dim=1).mean()


def adversarial_loss_y(d_y: Net, fake_y: torch.Tensor, y: torch.Tensor | None = None,
                       z: torch.Tensor | None = None, zbar: torch.Tensor | None = None,
                       mode: Mode = "value") -> torch.Tensor:
    """Eq. (1): ``sum_s log Dy0(zbar_s) + sum_t log Dy1(z_t) + sum_t log Dy0(y_t)
    + sum_t log(1 - Dy0(Gy(x)_t))`` on single frames. ``fake_y = Gy(x)``."""
    loss = _log_fake(frame_logits(d_y, fake_y)[..., 0], mode)
    if mode == "value":
        loss = (loss + _log_real(frame_logits(d_y, zbar)[..., 0])
                + _log_real(frame_logits(d_y, z)[..., 1])
                + _log_real(frame_logits(d_y, y)[..., 0]))
    return loss


def adversarial_loss_x(d_x: Net, fake_x_from_y: torch.Tensor, fake_x_from_z: torch.Tensor,
                       x: torch.Tensor | None = None, mode: Mode = "value") -> torch.Tensor:
    """Eq. (2): ``sum_t log Dx(x_t) + sum_t log(1 - Dx(Gx(y)_t)) + sum_t log(1 - Dx(Gx(z)_t))``."""
    loss = (_log_fake(frame_logits(d_x, fake_x_from_y)[..., 0], mode)
            + _log_fake(frame_logits(d_x, fake_x_from_z)[..., 0], mode))
    if mode == "value":
        loss = loss + _log_real(frame_logits(d_x, x)[..., 0])
    return loss


def _recurrent(p: Net, video: torch.Tensor) -> torch.Tensor:
    """``sum_{t=1}^{T-1} ||v_{t+1} - P(v_{:t})||^2``; one causal pass gives every P(v_{:t})."""
    predicted = p(video[:, :-1])
    return ((predicted - video[:, 1:]) ** 2).mean(dim=(2, 3, 4)).sum(dim=1).mean()


def recurrent_loss_x(p_x: Net, x: torch.Tensor) -> torch.Tensor:
    """Eq. (3): ``L^x_rr(Px) = sum_t ||x_{t+1} - Px(x_{:t})||^2``."""
    return _recurrent(p_x, x)


def recurrent_loss_y(p_y: Net, y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """Eq. (4): ``L^y_rr(Py) = sum_t ||y_{t+1} - Py(y_{:t})||^2
    + sum_t ||z_{t+1} - Py(z_{:t})||^2``."""
    return _recurrent(p_y, y) + _recurrent(p_y, z)


def recycle_positions(frames: int, count: int, generator: torch.Generator | None = None
                      ) -> list[int]:
    """The t's (1 <= t <= T-1) at which eqs. (5)-(6) are evaluated: all when ``count`` is 0
    or >= T-1, else ``count`` distinct random ones (the sum is then rescaled, unbiased)."""
    if count <= 0 or count >= frames - 1:
        return list(range(1, frames))
    perm = torch.randperm(frames - 1, generator=generator)[:count] + 1
    return sorted(int(t) for t in perm)


def _recycle(g_back: Net, p_other: Net, source: torch.Tensor, translated: torch.Tensor,
             positions: list[int]) -> torch.Tensor:
    """``sum_t ||v_{t+1} - G'((G(v)_{:t}, P(G(v)_{:t})))_{t+1}||^2`` over ``positions``."""
    frames = source.shape[1]
    predicted = p_other(translated[:, :-1])  # step t-1 = P(G(v)_{:t}), every t at once
    total = source.new_zeros(())
    for t in positions:
        sequence = torch.cat([translated[:, :t], predicted[:, t - 1:t]], dim=1)
        back = g_back(sequence)[:, -1]
        total = total + ((back - source[:, t]) ** 2).mean(dim=(1, 2, 3)).mean()
    return total * (frames - 1) / len(positions)


def recycle_loss_xy(g_x: Net, p_y: Net, x: torch.Tensor, gy_x: torch.Tensor,
                    positions: list[int]) -> torch.Tensor:
    """Eq. (5): ``L^xy_rc = sum_t ||x_{t+1} - Gx((y_{:t}, Py(Gy(x_{:t}))))_{t+1}||^2``,
    ``y_{:t} = Gy(x)_{:t}`` (``gy_x``)."""
    return _recycle(g_x, p_y, x, gy_x, positions)


def recycle_loss_yx(g_y: Net, p_x: Net, y: torch.Tensor, gx_y: torch.Tensor, z: torch.Tensor,
                    gx_z: torch.Tensor, positions: list[int]) -> torch.Tensor:
    """Eq. (6): the same round trip from y and from z through Gx, Px and back through Gy."""
    return _recycle(g_y, p_x, y, gx_y, positions) + _recycle(g_y, p_x, z, gx_z, positions)


def video_loss_x(d_x: Net, fake_x_from_y: torch.Tensor, fake_x_from_z: torch.Tensor,
                 x: torch.Tensor | None = None, mode: Mode = "value") -> torch.Tensor:
    """Eq. (8): ``sum_t log Dx(x_{:t}) + sum_t log(1 - Dx(Gx(y_{:t})))
    + sum_t log(1 - Dx(Gx(z_{:t})))``."""
    loss = (_log_fake(prefix_logits(d_x, fake_x_from_y)[..., 0], mode)
            + _log_fake(prefix_logits(d_x, fake_x_from_z)[..., 0], mode))
    if mode == "value":
        loss = loss + _log_real(prefix_logits(d_x, x)[..., 0])
    return loss


def video_loss_y(d_y: Net, fake_y: torch.Tensor, y: torch.Tensor | None = None,
                 z: torch.Tensor | None = None, mode: Mode = "value") -> torch.Tensor:
    """Eq. (9): ``sum_t log Dy0(y_{:t}) + sum_t log Dy1(z_{:t}) + sum_t log(1 - Dy0(Gy(x_{:t})))
    + sum_t log(1 - Dy1(Gy(x_{:t})))``."""
    fake = prefix_logits(d_y, fake_y)
    loss = _log_fake(fake[..., 0], mode) + _log_fake(fake[..., 1], mode)
    if mode == "value":
        loss = (loss + _log_real(prefix_logits(d_y, y)[..., 0])
                + _log_real(prefix_logits(d_y, z)[..., 1]))
    return loss


def total_loss(terms: dict[str, torch.Tensor], cfg) -> torch.Tensor:
    """Eq. (10): ``L = L^x_g + L^y_g + lrrx L^x_rr + lrry L^y_rr + lrcx L^xy_rc + lrcy L^yx_rc
    + lvx L_vx + lvy L_vy``; missing terms count as 0 (e.g. ``L - L_v`` without the video
    terms). ``cfg`` is a :class:`rlvid.config.v2v.V2VConfig`."""
    weights = {"adv_x": 1.0, "adv_y": 1.0, "rr_x": cfg.lambda_rrx, "rr_y": cfg.lambda_rry,
               "rc_xy": cfg.lambda_rcx, "rc_yx": cfg.lambda_rcy, "v_x": cfg.lambda_vx,
               "v_y": cfg.lambda_vy}
    unknown = set(terms) - set(weights)
    if unknown:
        raise KeyError(f"unknown loss terms {sorted(unknown)}")
    out = next(iter(terms.values())).new_zeros(())
    for name, value in terms.items():
        out = out + weights[name] * value
    return out
