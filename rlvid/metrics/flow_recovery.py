"""ROVR's optical-flow recovery O (Prasad, Tandon, Vikram; eq. 3)."""

from __future__ import annotations

import numpy as np
import torch

from rlvid.errors import RlvidError
from rlvid.metrics.flow import video_flow


class FlowRecoveryUndefined(RlvidError, ValueError):
    """The corrupted video's flow equals the original's, so O's denominator is zero."""


def flow_recovery(
    reconstructed: torch.Tensor,
    original: torch.Tensor,
    corrupted: torch.Tensor,
    backend: str = "auto",
    zero_denominator: float | None = None,
    original_flow: np.ndarray | None = None,
) -> float | torch.Tensor:
    """O for (T, C, H, W) videos (a float); (N, T, C, H, W) batches give (N,).

    ``phi(V)`` is the stack of forward flows between consecutive frames of V,
    (T-1, H, W, 2), from :func:`rlvid.metrics.video_flow` with ``backend``; ``|.|`` is the
    L1 norm over all its elements (the paper leaves the norm unnamed)::

        O = 1 - |phi(X_hat) - phi(X)|_1 / |phi(X_bar) - phi(X)|_1        # ROVR eq. (3)

    X_hat = reconstructed, X = original, X_bar = corrupted. O = 1 when the reconstruction
    has the original's flow, 0 when it has the corrupted video's; it is negative when the
    reconstruction's flow is further from the original than the corrupted one's.

    When the denominator is zero (the corruption did not change the flow) O is undefined:
    this raises :class:`FlowRecoveryUndefined` unless ``zero_denominator`` gives the value
    to return instead. ``original_flow`` may pass a precomputed ``phi(X)``.
    """
    if reconstructed.dim() == 5:
        return torch.tensor(
            [
                flow_recovery(r, o, c, backend, zero_denominator)
                for r, o, c in zip(reconstructed, original, corrupted)
            ],
            dtype=torch.float64,
        )
    if not (reconstructed.shape == original.shape == corrupted.shape):
        raise ValueError(
            f"flow_recovery: shapes differ: {tuple(reconstructed.shape)}, "
            f"{tuple(original.shape)}, {tuple(corrupted.shape)}"
        )
    phi_x = video_flow(original, backend) if original_flow is None else original_flow
    phi_x = phi_x.astype(np.float64)
    numerator = float(np.abs(video_flow(reconstructed, backend) - phi_x).sum())
    denominator = float(np.abs(video_flow(corrupted, backend) - phi_x).sum())
    if denominator == 0.0:
        if zero_denominator is None:
            raise FlowRecoveryUndefined(
                "flow_recovery: the corrupted video has the same optical flow as the original, "
                "so O is undefined (pass zero_denominator=... to choose a value)"
            )
        return float(zero_denominator)
    return 1.0 - numerator / denominator
