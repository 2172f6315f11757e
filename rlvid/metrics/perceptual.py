"""Learned perceptual distance (LPIPS family) and a trained VGG16 feature extractor.

Backends (never downloading anything, never using random backbone weights):

- ``stlpips``: shift-tolerant LPIPS (Ghildyal & Liu, ECCV 2022) from ``stlpips-pytorch``,
  whose wheel ships the full trained backbone and linear layers
  (``weights/vST0.0/{alex,vgg}_shift_tolerant.pth``). The offline default; it is a
  *substitute* for LPIPS: same recipe, anti-aliased backbone, different numbers.
- ``lpips``: the real LPIPS v0.1 (Zhang et al. 2018). The ``lpips`` wheel ships only the
  linear layers; its backbone is torchvision's ImageNet AlexNet/VGG16, used only when
  ``alexnet-owt-7be5be79.pth`` / ``vgg16-397923af.pth`` is already in the torch hub cache.
  We build LPIPS with a random backbone (``pnet_rand=True``, no download attempted) and then
  overwrite every backbone tensor from the cached file, checking that none is left unset.

``backend="auto"`` picks ``lpips`` when its backbone weights are cached, else ``stlpips``.
Images smaller than 32 pixels on a side are upsampled (bilinear) to 32 first: both
networks' pooling stacks need at least that much.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Literal

import torch
import torch.nn as nn
import torch.nn.functional as F

from rlvid.errors import RlvidError
from rlvid.metrics.backends import (
    ALEXNET_WEIGHTS,
    VGG16_WEIGHTS,
    Backend,
    cached_weights,
    checkpoint_dir,
    choose_backend,
)

PERCEPTUAL_BACKENDS = ("stlpips", "lpips")  # the fallback, then the one that needs cached weights
MIN_SIZE = 32
Net = Literal["alex", "vgg"]
_BACKBONE_FILES = {"alex": ALEXNET_WEIGHTS, "vgg": VGG16_WEIGHTS}
_MODELS: dict[tuple[str, str], nn.Module] = {}
LOAD_SECONDS: dict[str, float] = {}  # model key -> seconds its first load took


def perceptual_backend(backend: str = "auto", net: Net = "alex") -> Backend:
    """The perceptual backend ``backend`` resolves to, with the reason; raises if unavailable."""
    if net not in _BACKBONE_FILES:
        raise RlvidError(f"unknown perceptual net {net!r}; choose alex or vgg")
    return choose_backend("perceptual", backend, *PERCEPTUAL_BACKENDS, _BACKBONE_FILES[net],
                          f"lpips {net}")


def _load_complete(model: nn.Module, state: dict[str, torch.Tensor], what: str) -> None:
    """Load ``state`` and fail unless every tensor of ``model`` was set from it.

    LPIPS modules hold their linear layers twice (``lin0`` and ``lins.0`` are the same
    module), so a missing ``lins.k.*`` key is covered by ``link.*``.
    """
    result = model.load_state_dict(state, strict=False)
    missing = [
        k for k in result.missing_keys
        if not (k.startswith("lins.") and "lin" + k[len("lins."):] in state)
    ]
    if missing or result.unexpected_keys:
        raise RuntimeError(
            f"{what}: weights incomplete (missing {missing[:4]}, "
            f"unexpected {result.unexpected_keys[:4]})"
        )


def _stlpips_model(net: Net) -> nn.Module:
    from stlpips_pytorch import stlpips

    model = stlpips.LPIPS(net=net, variant="shift_tolerant", pretrained=False, verbose=False)
    path = Path(stlpips.__file__).parent / "weights" / "vST0.0" / f"{net}_shift_tolerant.pth"
    state = torch.load(path, map_location="cpu", weights_only=True)
    _load_complete(model, state, f"stlpips {net}")
    return model


def _lpips_model(net: Net) -> nn.Module:
    import lpips
    import torchvision

    backbone_path = cached_weights(_BACKBONE_FILES[net])
    if backbone_path is None:
        perceptual_backend("lpips", net)  # raises the explanatory error
    with warnings.catch_warnings():  # torchvision's 'pretrained' deprecation notice
        warnings.simplefilter("ignore", UserWarning)
        model = lpips.LPIPS(net=net, pretrained=False, pnet_rand=True, verbose=False)
    tv = torchvision.models.alexnet() if net == "alex" else torchvision.models.vgg16()
    tv.load_state_dict(torch.load(backbone_path, map_location="cpu", weights_only=True))
    tv_state = tv.state_dict()
    lin_path = Path(lpips.__file__).parent / "weights" / "v0.1" / f"{net}.pth"
    state = dict(torch.load(lin_path, map_location="cpu", weights_only=True))
    state.update({k: v for k, v in model.state_dict().items() if k.startswith("scaling_layer.")})
    for key in model.state_dict():
        if key.startswith("net.slice"):  # net.slice{k}.{features index}.{weight|bias}
            _, _, index, param = key.split(".", 3)
            state[key] = tv_state[f"features.{index}.{param}"]
    _load_complete(model, state, f"lpips {net}")
    return model


class PerceptualDistance(nn.Module):
    """Frozen LPIPS-style distance: ``forward(a, b)`` on (N, 3, H, W) in [0, 1] -> (N,).

    ``d(a, b) = sum_l mean_{h,w} || w_l * (phi_l(a) - phi_l(b)) ||^2`` with ``phi_l`` the
    channel-normalised activations of backbone layer l and ``w_l`` the learned linear
    weights. Parameters are frozen; gradients flow to the inputs (usable as a loss).
    """

    def __init__(self, lpips_model: nn.Module) -> None:
        super().__init__()
        self.lpips = lpips_model.eval().requires_grad_(False)

    def train(self, mode: bool = True) -> PerceptualDistance:
        super().train(False)  # always eval: dropout in the linear layers stays off
        return self

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        height, width = a.shape[-2:]
        if min(height, width) < MIN_SIZE:
            scale = MIN_SIZE / min(height, width)
            size = (round(height * scale), round(width * scale))
            a, b = (F.interpolate(t, size=size, mode="bilinear", align_corners=False)
                    for t in (a, b))
        return self.lpips(a.float() * 2 - 1, b.float() * 2 - 1).flatten()


def perceptual_model(
    backend: str = "auto", net: Net = "alex"
) -> tuple[PerceptualDistance, Backend]:
    """The (cached) frozen :class:`PerceptualDistance` for ``backend`` and ``net``."""
    chosen = perceptual_backend(backend, net)
    key = (chosen.name, net)
    if key not in _MODELS:
        start = time.perf_counter()
        inner = _lpips_model(net) if chosen.name == "lpips" else _stlpips_model(net)
        _MODELS[key] = PerceptualDistance(inner)
        LOAD_SECONDS[f"{chosen.name}-{net}"] = time.perf_counter() - start
    return _MODELS[key], chosen


def perceptual_distance(
    a: torch.Tensor,
    b: torch.Tensor,
    backend: str = "auto",
    net: Net = "alex",
    batch_size: int = 32,
) -> torch.Tensor:
    """Perceptual distance between images (..., 3, H, W) in [0, 1]: a tensor of shape (...).

    See :class:`PerceptualDistance` for the definition; 0 for identical images, larger is
    more different. Runs without gradients; use :func:`perceptual_model` for a loss.
    Which backend produced the numbers: :func:`perceptual_backend` (same arguments).
    """
    if a.shape != b.shape or a.dim() < 4 or a.shape[-3] != 3:
        raise ValueError(
            f"perceptual_distance: expected two (..., 3, H, W) tensors of one shape, got "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    model, _ = perceptual_model(backend, net)
    lead = a.shape[:-3]
    x, y = a.reshape(-1, *a.shape[-3:]), b.reshape(-1, *b.shape[-3:])
    model = model.to(x.device)
    with torch.no_grad():
        out = [model(x[i : i + batch_size], y[i : i + batch_size])
               for i in range(0, x.shape[0], batch_size)]
    return torch.cat(out).reshape(lead)


class VGG16Features(nn.Module):
    """Frozen trained VGG16 stack: (N, 3, H, W) in [0, 1] -> [relu1_2, relu2_2, relu3_3,
    relu4_3, relu5_3] activations. Input is scaled as LPIPS does (to [-1, 1], then shifted
    and scaled per channel, roughly ImageNet normalisation)."""

    def __init__(self, backbone: nn.Module, scaling: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone.eval().requires_grad_(False)
        self.scaling = scaling.eval()

    def train(self, mode: bool = True) -> VGG16Features:
        super().train(False)
        return self

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        return list(self.backbone(self.scaling(images * 2 - 1)))


def vgg16_features(backend: str = "auto") -> tuple[VGG16Features, Backend]:
    """A trained VGG16 feature extractor for perceptual losses (ROVR eq. 1), and its backend.

    ``torchvision``: ImageNet VGG16 when ``vgg16-397923af.pth`` is cached (the network
    ROVR used); ``stlpips``: the shift-tolerant (anti-aliased, stride-1 pooling + blur
    downsampling) VGG16 shipped in the stlpips wheel, a substitute. ``auto`` prefers
    ``torchvision``. Loaded fresh on each call (about 2 s), so a caller may move it freely.
    """
    cached = cached_weights(VGG16_WEIGHTS)
    if backend == "auto":
        backend = "torchvision" if cached is not None else "stlpips"
        found = "found in" if cached is not None else "not in"
        reason = f"vgg16 weights {found} torch cache"
    else:
        reason = "requested"
    if backend == "torchvision":
        if cached is None:
            raise RlvidError(
                f"vgg16 backend 'torchvision' needs {VGG16_WEIGHTS} in {checkpoint_dir()} "
                "(nothing is downloaded); use backend='stlpips'"
            )
        model = _lpips_model("vgg")
        return VGG16Features(model.net, model.scaling_layer), Backend("torchvision-vgg16", reason)
    if backend == "stlpips":
        model = _stlpips_model("vgg")
        return VGG16Features(model.net, model.scaling_layer), Backend("stlpips-vgg16", reason)
    raise RlvidError(f"unknown vgg16 backend {backend!r}; choose auto, torchvision, stlpips")


# ---------------------------------------------------------------- features computed once


def perceptual_features(images: torch.Tensor, backend: str = "auto", net: Net = "alex",
                        batch_size: int = 256) -> list[torch.Tensor]:
    """Channel-normalised backbone features of (N, 3, H, W) images in [0, 1], one tensor per
    layer, for :func:`distance_from_features`: a clean frame's features are computed once
    and reused against every reconstruction of it (no gradients)."""
    model, _ = perceptual_model(backend, net)
    inner = model.lpips
    height, width = images.shape[-2:]
    if min(height, width) < MIN_SIZE:
        scale = MIN_SIZE / min(height, width)
        images = F.interpolate(images, size=(round(height * scale), round(width * scale)),
                               mode="bilinear", align_corners=False)
    chunks: list[list[torch.Tensor]] = []
    with torch.no_grad():
        for i in range(0, images.shape[0], batch_size):
            x = images[i : i + batch_size].float() * 2 - 1
            x = inner.scaling_layer(x) if getattr(inner, "version", "0.1") == "0.1" else x
            chunks.append([f / (f.pow(2).sum(1, keepdim=True).sqrt() + 1e-10)
                           for f in inner.net.forward(x)])
    return [torch.cat(layer) for layer in zip(*chunks)]


def distance_from_features(fa: list[torch.Tensor], fb: list[torch.Tensor],
                           backend: str = "auto", net: Net = "alex") -> torch.Tensor:
    """:func:`perceptual_distance` (N,) from two :func:`perceptual_features` lists."""
    inner = perceptual_model(backend, net)[0].lpips
    with torch.no_grad():
        total = fa[0].new_zeros(fa[0].shape[0])
        for lin, a, b in zip(inner.lins, fa, fb):
            total = total + lin((a - b) ** 2).mean(dim=(1, 2, 3))
    return total
