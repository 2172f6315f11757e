"""Metrics for an unpaired translation whose twin ground truth may or may not exist.

The flower and city experiments of RL-V2V-GAN (its Tables 3 and 4) are shown in the paper
only as frames. These measure them on four axes:

- content kept: :func:`edge_ssim` between source and output, and :func:`mask_iou`;
- target style reached: :func:`target_share` of a small :class:`DomainClassifier`, and
  :func:`colour_frechet_distance` to the style images Z̄;
- closeness to the twin: perceptual distance, PSNR, SSIM (in :mod:`rlvid.metrics`);
- temporal coherence: E_warp (:mod:`rlvid.metrics.warping`), :func:`flicker` and, where a
  twin exists, :func:`temporal_difference_error` (which does not punish a change the twin
  itself makes, such as the synthetic set's blue-to-red switch).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from rlvid.metrics.ssim import ssim

_SOBEL_X = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
_LUMA = torch.tensor([0.299, 0.587, 0.114])


def luminance(frames: torch.Tensor) -> torch.Tensor:
    """ITU-R 601 luma of (..., 3, H, W) frames, shape (..., 1, H, W)."""
    return (frames * _LUMA.to(frames).view(3, 1, 1)).sum(dim=-3, keepdim=True)


def edge_map(frames: torch.Tensor) -> torch.Tensor:
    """Sobel gradient magnitude of the luma, scaled so each frame's maximum is 1.

    Per-frame scaling makes the map independent of contrast and colour, so that a
    translation which changes colours but keeps structure keeps its edges.
    """
    lead = frames.shape[:-3]
    y = luminance(frames).reshape(-1, 1, *frames.shape[-2:])
    kx = _SOBEL_X.to(y).view(1, 1, 3, 3)
    gx = F.conv2d(F.pad(y, (1, 1, 1, 1), mode="replicate"), kx)
    gy = F.conv2d(F.pad(y, (1, 1, 1, 1), mode="replicate"), kx.transpose(-1, -2))
    mag = torch.sqrt(gx**2 + gy**2)
    peak = mag.amax(dim=(1, 2, 3), keepdim=True).clamp_min(1e-6)
    return (mag / peak).reshape(*lead, 1, *frames.shape[-2:])


def edge_ssim(source: torch.Tensor, output: torch.Tensor) -> float:
    """Content kept: mean SSIM between the edge maps of source and output frames (…,3,H,W).

    1 when the output has exactly the source's structure, whatever its colours.
    """
    return float(ssim(edge_map(source), edge_map(output)))


def mask_iou(pred: torch.Tensor, target: torch.Tensor) -> float:
    """Intersection over union of two boolean masks, over all elements (1 if both empty)."""
    pred, target = pred.bool(), target.bool()
    union = (pred | target).sum().item()
    if union == 0:
        return 1.0
    return (pred & target).sum().item() / union


def frame_iou(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-frame IoU of boolean masks (..., 1, H, W) -> (...); 1 where both are empty."""
    pred, target = pred.bool(), target.bool()
    inter = (pred & target).flatten(-3).sum(-1).float()
    union = (pred | target).flatten(-3).sum(-1).float()
    return torch.where(union > 0, inter / union.clamp_min(1.0), torch.ones_like(union))


def frames_with_content(fg: torch.Tensor) -> torch.Tensor:
    """(N, T) bool: which frames of a foreground mask (N, T, 1, H, W) hold any foreground.
    A frame whose twin has no foreground is no free match: joint metrics leave it out."""
    return fg.bool().flatten(2).any(-1)


def share_of(correct: torch.Tensor, scored: torch.Tensor) -> float:
    """The share of ``scored`` entries that are ``correct`` (0 when none is scored)."""
    n = int(scored.sum())
    return float((correct & scored).sum()) / n if n else 0.0


def coherent_pairs(output: torch.Tensor, twin: torch.Tensor, correct: torch.Tensor,
                   region: torch.Tensor) -> float:
    """Temporal coherence of the translated frames only (errata: metrics): the share of
    consecutive frame pairs (t, t+1), both with twin foreground, in which both frames are
    translated correctly (``correct`` (N, T), the content gate) AND the output changes from t
    to t+1 more like the twin does than a frozen frame would:
    ``||ΔO − ΔY||² < ||ΔY||²`` over ``region`` (the twin's foreground at t or t+1).

    Every output that does not translate scores 0 (no frame is correct); the twin scores 1;
    a frame-based model pays for every pair it breaks, in colour, shape or motion.
    """
    d_out = output[:, 1:].float() - output[:, :-1].float()
    d_twin = twin[:, 1:].float() - twin[:, :-1].float()
    inside = (region[:, 1:].bool() | region[:, :-1].bool()).float()
    error = (((d_out - d_twin) ** 2).mean(dim=2, keepdim=True) * inside).sum(dim=(2, 3, 4))
    motion = ((d_twin ** 2).mean(dim=2, keepdim=True) * inside).sum(dim=(2, 3, 4))
    moves_like = (error < motion) | ((motion == 0) & (error == 0))
    has = frames_with_content(region)
    return share_of(correct[:, 1:] & correct[:, :-1] & moves_like, has[:, 1:] & has[:, :-1])


def temporal_difference_error(output: torch.Tensor, twin: torch.Tensor,
                              region: torch.Tensor | None = None) -> torch.Tensor:
    """Temporal coherence against the ground truth: per video, the mean squared difference
    between the output's and the twin's frame-to-frame changes,
    ``mean_t mean_p ||(O_{t+1} - O_t) - (Y_{t+1} - Y_t)||^2 / C``, (N, T, C, H, W) -> (N,).

    ``region`` (N, T, 1, H, W) bool, e.g. the twin's foreground: average only over pixels
    inside it at t or t+1, where the content moves (a flat video then pays for all the
    motion it lacks; errata: metrics). 0 for the twin; a change the twin makes itself (a
    colour switch) costs nothing, flicker and frames out of order cost. A pixel form of
    TecoGAN's temporal metrics (Chu et al. 2020: tOF/tLP compare output and ground-truth
    temporal change); no optical flow needed.
    """
    d_out = output[:, 1:].float() - output[:, :-1].float()
    d_twin = twin[:, 1:].float() - twin[:, :-1].float()
    error = ((d_out - d_twin) ** 2).mean(dim=2, keepdim=True)  # (N, T-1, 1, H, W)
    if region is None:
        return error.mean(dim=(1, 2, 3, 4))
    inside = (region[:, 1:].bool() | region[:, :-1].bool()).float()
    return (error * inside).sum(dim=(1, 2, 3, 4)) / inside.sum(dim=(1, 2, 3, 4)).clamp_min(1.0)


def flicker(video: torch.Tensor) -> float:
    """Mean absolute change of the frame-mean colour between consecutive frames.

    For a video (T, 3, H, W) in [0, 1]: ``mean_t mean_c |m_{t+1,c} - m_{t,c}|`` with
    ``m_{t,c}`` the mean of channel ``c`` in frame ``t``. Batches (N, T, 3, H, W) average
    over videos. A frame-by-frame model that picks a different colour per frame flickers.
    """
    means = video.float().mean(dim=(-1, -2))  # (..., T, 3)
    return float((means[..., 1:, :] - means[..., :-1, :]).abs().mean())


def colour_frechet_distance(images: torch.Tensor, reference: torch.Tensor) -> float:
    """Fréchet distance between Gaussians fitted to the RGB pixels of two image sets.

    ``|mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^{1/2})`` over 3-d RGB colour vectors,
    in [0, 1] units. It is FID computed on colours instead of Inception features: 0 when the
    colour distributions share mean and covariance.
    """
    from scipy import linalg

    a = images.float().movedim(-3, -1).reshape(-1, 3).double().numpy()
    b = reference.float().movedim(-3, -1).reshape(-1, 3).double().numpy()
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = linalg.sqrtm(cov_a @ cov_b)
    root = root.real if np.iscomplexobj(root) else root
    value = ((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root)
    return float(max(value, 0.0))


class DomainClassifier(nn.Module):
    """A small CNN that says whether a frame is from the source (0) or target (1) domain."""

    def __init__(self, width: int = 16) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, width, 3, padding=1), nn.LeakyReLU(0.2), nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, padding=1), nn.LeakyReLU(0.2), nn.MaxPool2d(2),
            nn.Conv2d(2 * width, 2 * width, 3, padding=1), nn.LeakyReLU(0.2),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2 * width, 1),
        )

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """Logits (N,) for frames (N, 3, H, W)."""
        return self.net(frames).squeeze(-1)


def fit_frame_classifier(
    frames: torch.Tensor, labels: torch.Tensor, steps: int, seed: int = 0,
    batch_size: int = 64, lr: float = 2e-3, generator: torch.Generator | None = None,
) -> DomainClassifier:
    """A :class:`DomainClassifier`, initialised from ``seed``, trained with Adam to tell
    ``frames`` (N, 3, H, W) labelled 1 from those labelled 0 (``labels`` (N,)): ``steps``
    batches of ``batch_size`` frames drawn with replacement by ``generator`` (by default one
    seeded with ``seed``). Returned in eval mode."""
    gen = generator if generator is not None else torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = DomainClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        idx = torch.randint(len(frames), (min(batch_size, len(frames)),), generator=gen)
        loss = F.binary_cross_entropy_with_logits(model(frames[idx]), labels[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


@torch.no_grad()
def classifier_accuracy(model: DomainClassifier, frames: torch.Tensor,
                        labels: torch.Tensor) -> float:
    """The share of ``frames`` (N, 3, H, W) whose logit sign matches their 0/1 ``labels``."""
    return ((model(frames) > 0).float() == labels).float().mean().item()


def train_domain_classifier(
    source: torch.Tensor, target: torch.Tensor, steps: int = 200, seed: int = 0,
    batch_size: int = 64, lr: float = 2e-3,
) -> tuple[DomainClassifier, float]:
    """Train on real frames (…, 3, H, W) of both domains; return it and its held-out accuracy.

    A quarter of each set is held out, so the accuracy says how far to trust
    :func:`target_share`.
    """
    gen = torch.Generator().manual_seed(seed)
    xs = source.reshape(-1, *source.shape[-3:]).float()
    xt = target.reshape(-1, *target.shape[-3:]).float()
    frames = torch.cat([xs, xt])
    labels = torch.cat([torch.zeros(len(xs)), torch.ones(len(xt))])
    order = torch.randperm(len(frames), generator=gen)
    n_test = max(2, len(frames) // 4)
    test, train = order[:n_test], order[n_test:]
    model = fit_frame_classifier(frames[train], labels[train], steps, seed, batch_size, lr,
                                 generator=gen)  # the split's generator draws the batches
    return model, classifier_accuracy(model, frames[test], labels[test])


@torch.no_grad()
def target_share(classifier: DomainClassifier, frames: torch.Tensor) -> float:
    """Target style reached: the share of frames (…, 3, H, W) classified as target domain."""
    flat = frames.reshape(-1, *frames.shape[-3:]).float()
    return float((classifier(flat) > 0).float().mean())


__all__ = [
    "DomainClassifier",
    "coherent_pairs",
    "classifier_accuracy",
    "colour_frechet_distance",
    "edge_map",
    "edge_ssim",
    "fit_frame_classifier",
    "flicker",
    "frame_iou",
    "frames_with_content",
    "luminance",
    "mask_iou",
    "share_of",
    "target_share",
    "temporal_difference_error",
    "train_domain_classifier",
]
