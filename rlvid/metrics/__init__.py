"""Metrics toolkit: one function per metric, each documented with its definition.

Videos are (T, C, H, W) float tensors in [0, 1]; batches are (N, T, C, H, W). Metrics that
depend on a learned or selectable model report which backend produced them
(:func:`metric_backends`).
"""

from rlvid.metrics.backends import Backend, cached_weights, checkpoint_dir
from rlvid.metrics.flow import flow_backend, optical_flow, video_flow, warp
from rlvid.metrics.flow_recovery import FlowRecoveryUndefined, flow_recovery
from rlvid.metrics.perceptual import (
    PerceptualDistance,
    perceptual_backend,
    perceptual_distance,
    perceptual_model,
    vgg16_features,
)
from rlvid.metrics.psnr import psnr
from rlvid.metrics.ssim import ssim
from rlvid.metrics.warping import non_occlusion_mask, warping_error

__all__ = [
    "Backend",
    "FlowRecoveryUndefined",
    "PerceptualDistance",
    "cached_weights",
    "checkpoint_dir",
    "flow_backend",
    "flow_recovery",
    "metric_backends",
    "non_occlusion_mask",
    "optical_flow",
    "perceptual_backend",
    "perceptual_distance",
    "perceptual_model",
    "psnr",
    "ssim",
    "vgg16_features",
    "video_flow",
    "warp",
    "warping_error",
]


def metric_backends() -> dict[str, str]:
    """Active backend of each backend-dependent metric, as ``name -> "backend (reason)"``.

    It lives here, above :mod:`rlvid.metrics.backends`, which the metrics themselves import.

    >>> sorted(metric_backends())
    ['flow', 'perceptual']
    """
    return {"perceptual": str(perceptual_backend()), "flow": str(flow_backend())}
