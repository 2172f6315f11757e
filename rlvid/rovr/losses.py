"""ROVR's reconstruction loss (eq. 1) and its lambda schedule (§6.1).

L_R = lambda * L_P + (1 - lambda) * MSE, with L_P the VGG16 feature distance; L_P is also
the MDP's per-step reward (§6.3).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import torch

from rlvid.config.rovr import ROVRConfig


@functools.lru_cache(maxsize=1)
def vgg_model() -> tuple[torch.nn.Module, str]:
    """The frozen trained VGG16 of ``rlvid.metrics.vgg16_features`` and its backend name
    (torchvision's ImageNet VGG16 when cached, else the one shipped in stlpips-pytorch).

    Built under ``fork_rng``: building it initialises weights at random before loading the
    trained ones, and that draw must not shift a training run's random stream, or a run that
    first needs L_P mid-way (lambda > 0 from step 1) would differ between a fresh process
    and one that had already loaded the VGG (a resumed run, ``rlvid train`` vs a notebook)."""
    from rlvid.metrics import vgg16_features

    with torch.random.fork_rng(devices=[]):
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
    frac = step / max(rcfg.local.iterations, 1)
    return rcfg.lambda_max * (1.0 - math.exp(-rcfg.local.lambda_rate * frac))



# ---------------------------------------------------------------- the reward's perceptual distance


def reward_features(images: torch.Tensor, rcfg: ROVRConfig) -> list[torch.Tensor]:
    """Features of (N, 3, H, W) images for :func:`reward_distance` (no gradients):
    ``reward_net`` "alex" = the AlexNet (ST-)LPIPS of ``rlvid.metrics.perceptual_distance``
    (the metric Table 2 reports), "vgg" = L_P's VGG16 (errata "The reward's backbone")."""
    if rcfg.reward_net == "vgg":
        model, _ = vgg_model()
        with torch.no_grad():
            return [f / (f.norm(dim=1, keepdim=True) + 1e-10) for f in model(images)]
    from rlvid.metrics.perceptual import perceptual_features

    return perceptual_features(images)


def reward_distance(fa: list[torch.Tensor], fb: list[torch.Tensor],
                    rcfg: ROVRConfig) -> torch.Tensor:
    """Perceptual distance (N,) between two :func:`reward_features` lists."""
    if rcfg.reward_net == "vgg":
        total = fa[0].new_zeros(fa[0].shape[0])
        for a, b in zip(fa, fb):
            total = total + (a - b).pow(2).sum(1).mean(dim=(-2, -1))
        return total
    from rlvid.metrics.perceptual import distance_from_features

    return distance_from_features(fa, fb)


def reward_loss(x_hat: torch.Tensor, x: torch.Tensor, rcfg: ROVRConfig,
                mean: Callable[[torch.Tensor], torch.Tensor] = torch.mean) -> torch.Tensor:
    """L_R of eq. (1) at lambda_max with the ``reward_net`` distance as L_P, with gradients
    to ``x_hat``: Gamma's loss while it is fine-tuned during PPG (§6.3). ``mean``: over the
    batch (data-parallel: over every process's rows, ``Context.global_mean``)."""
    mse = (x_hat - x).pow(2).mean(dim=(1, 2, 3))
    if rcfg.reward_net == "vgg":
        perceptual = vgg_perceptual(x_hat, x)
    else:
        from rlvid.metrics import perceptual_model

        perceptual = perceptual_model()[0](x_hat, x)
    return mean(rcfg.lambda_max * perceptual + (1 - rcfg.lambda_max) * mse)
