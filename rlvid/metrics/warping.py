"""Flow warping error E_warp (Lai et al., "Learning Blind Video Temporal Consistency", 2018)."""

from __future__ import annotations

import numpy as np
import torch

from rlvid.metrics.flow import video_flow, warp


def _squared_norm(flow: np.ndarray) -> np.ndarray:
    return flow[..., 0] ** 2 + flow[..., 1] ** 2


def non_occlusion_mask(flow_fw: np.ndarray, flow_bw: np.ndarray) -> np.ndarray:
    """Lai et al.'s mask M (H, W) float32 on frame t-1's grid: 1 where a pixel is trusted.

    ``flow_fw`` is the flow from frame t-1 to t, ``flow_bw`` from t to t-1. A pixel is
    dropped (M = 0) when it fails the forward-backward check or lies on a motion boundary:

    - occluded: ``|Fbw_w + Ffw|^2 > 0.01 (|Fbw_w|^2 + |Ffw|^2) + 0.5`` with
      ``Fbw_w = warp(flow_bw, flow_fw)`` (the backward flow brought onto frame t-1's grid);
    - motion boundary: ``|d/dx Ffw|^2 + |d/dy Ffw|^2 > 0.01 |Ffw|^2 + 0.002`` (forward
      differences, zero on the last row/column).

    This is ``detect_occlusion(bw_flow, fw_flow)`` of the authors' code, which names its
    arguments the other way round; written here in the frame order of the E_warp formula.
    """
    flow_bw_warped = warp(flow_bw, flow_fw)
    occluded = _squared_norm(flow_bw_warped + flow_fw) > (
        0.01 * (_squared_norm(flow_bw_warped) + _squared_norm(flow_fw)) + 0.5
    )
    du = np.zeros_like(flow_fw)
    dv = np.zeros_like(flow_fw)
    du[:, :-1] = flow_fw[:, :-1] - flow_fw[:, 1:]
    dv[:-1, :] = flow_fw[:-1, :] - flow_fw[1:, :]
    boundary = (_squared_norm(du) + _squared_norm(dv)) > 0.01 * _squared_norm(flow_fw) + 0.002
    return (~(occluded | boundary)).astype(np.float32)


def warping_error(
    video: torch.Tensor, reference: torch.Tensor | None = None, backend: str = "auto"
) -> float | torch.Tensor:
    """E_warp of a (T, C, H, W) video in [0, 1] (a float); (N, T, C, H, W) gives (N,).

    With flows and masks computed on ``reference`` (default: the video itself; Lai et al.
    use the unprocessed input video) — ``F_t`` from frame t-1 to t, mask ``M_t`` from
    :func:`non_occlusion_mask` — and ``W_t = warp(V_t, F_t)`` (frame t brought back onto
    frame t-1's grid)::

        E_warp = 1/(T-1) sum_{t=1}^{T-1} sum_p M_t(p) ||V_{t-1}(p) - W_t(p)||^2
                                          / (C sum_p M_t(p))

    The division by C (the channel count) follows the authors' evaluation code, which reads
    the mask as a 3-channel image, so E_warp is a per-channel mean squared error. A pair whose
    mask is empty contributes 0 (also as in that code). Lower is more temporally consistent.
    """
    if video.dim() == 5:
        refs = [None] * video.shape[0] if reference is None else list(reference)
        return torch.tensor(
            [warping_error(v, r, backend) for v, r in zip(video, refs)], dtype=torch.float64
        )
    reference = video if reference is None else reference
    if reference.shape[0] != video.shape[0] or reference.shape[-2:] != video.shape[-2:]:
        raise ValueError(
            f"warping_error: reference {tuple(reference.shape)} does not match video "
            f"{tuple(video.shape)}"
        )
    flows_fw = video_flow(reference, backend, direction="forward")
    flows_bw = video_flow(reference, backend, direction="backward")
    frames = video.detach().to("cpu", torch.float32).permute(0, 2, 3, 1).numpy()
    channels = frames.shape[-1]
    total = 0.0
    for t in range(1, frames.shape[0]):
        mask = non_occlusion_mask(flows_fw[t - 1], flows_bw[t - 1])
        warped = warp(frames[t], flows_fw[t - 1])
        squared = ((frames[t - 1] - warped) ** 2).sum(axis=-1)
        count = mask.sum()
        if count > 0:
            total += float((mask * squared).sum() / (channels * count))
    return total / (frames.shape[0] - 1)
