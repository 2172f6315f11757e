"""Optical flow with named backends, and backward warping.

Convention used everywhere in rlvid: a flow ``F`` from frame ``f0`` to frame ``f1`` is an
(H, W, 2) float32 array with ``F[y, x] = (dx, dy)`` such that ``f0[y, x] ~ f1[y + dy, x + dx]``.
So ``warp(f1, F)`` (backward warping) rebuilds ``f0``.

Backends:

- ``dis``: OpenCV's DIS optical flow (Kroeger et al. 2016), preset MEDIUM, on 8-bit grey
  frames, single-threaded so results are deterministic. The offline default.
- ``raft``: torchvision's RAFT-small (Teed & Deng 2020), the flow network ROVR used; only
  when ``raft_small_C_T_V2-01064c6d.pth`` is already in the torch hub cache (never
  downloaded). Frames are resized to a multiple of 8, at least 128 pixels.

``backend="auto"`` picks ``raft`` when its weights are cached, else ``dis``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from rlvid.metrics.backends import RAFT_SMALL_WEIGHTS, Backend, cached_weights, choose_backend

FLOW_BACKENDS = ("dis", "raft")  # the fallback, then the one that needs cached weights
_RAFT_MODEL: torch.nn.Module | None = None
RAFT_MIN_SIZE = 128  # RAFT's correlation pyramid needs feature maps of at least 16


def flow_backend(backend: str = "auto") -> Backend:
    """The flow backend ``backend`` resolves to, with the reason; raises if unavailable."""
    return choose_backend("flow", backend, *FLOW_BACKENDS, RAFT_SMALL_WEIGHTS, "raft")


def _as_hwc(frame: torch.Tensor | np.ndarray) -> np.ndarray:
    """A frame (C, H, W) tensor or (H, W, C) array in [0, 1] as a float32 (H, W, C) array."""
    if isinstance(frame, torch.Tensor):
        if frame.dim() != 3:
            raise ValueError(f"expected a (C, H, W) frame, got shape {tuple(frame.shape)}")
        return frame.detach().to("cpu", torch.float32).permute(1, 2, 0).numpy()
    array = np.asarray(frame, dtype=np.float32)
    return array[..., None] if array.ndim == 2 else array


def _grey_uint8(frame: torch.Tensor | np.ndarray) -> np.ndarray:
    hwc = np.clip(_as_hwc(frame) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if hwc.shape[2] == 1:
        return np.ascontiguousarray(hwc[..., 0])
    return cv2.cvtColor(np.ascontiguousarray(hwc[..., :3]), cv2.COLOR_RGB2GRAY)


@contextmanager
def _single_threaded_cv2() -> Iterator[None]:
    previous = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        cv2.setNumThreads(previous)


def _dis_flows(pairs: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    with _single_threaded_cv2():
        flows = []
        for g0, g1 in pairs:
            dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
            flows.append(dis.calc(g0, g1, None))
    return np.stack(flows).astype(np.float32)


def _raft_model() -> torch.nn.Module:
    """RAFT-small with the cached torchvision weights (module-level cache; eval, frozen)."""
    global _RAFT_MODEL
    if _RAFT_MODEL is None:
        from torchvision.models.optical_flow import raft_small

        path = cached_weights(RAFT_SMALL_WEIGHTS)
        if path is None:
            flow_backend("raft")  # raises the explanatory error
        model = raft_small(weights=None, progress=False)
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        _RAFT_MODEL = model.eval().requires_grad_(False)
    return _RAFT_MODEL


def _raft_flows(f0: torch.Tensor, f1: torch.Tensor, batch: int = 8) -> np.ndarray:
    """RAFT flows for (N, 3, H, W) frame pairs in [0, 1]; returns (N, H, W, 2).

    RAFT needs sides that are multiples of 8 and at least 128: frames are resized
    (bilinear) to such a size, and the flow is resized back with its vectors rescaled,
    as Lai et al.'s evaluation code does for FlowNet2.
    """
    model = _raft_model()
    height, width = f0.shape[-2:]
    scale = max(1.0, RAFT_MIN_SIZE / min(height, width))
    size = (math.ceil(height * scale / 8) * 8, math.ceil(width * scale / 8) * 8)
    out = []
    with torch.no_grad():
        for i in range(0, f0.shape[0], batch):
            a, b = (
                F.interpolate(t[i : i + batch].float(), size=size, mode="bilinear",
                              align_corners=False) * 2 - 1
                for t in (f0, f1)
            )
            flow = model.to(a.device)(a, b)[-1]
            flow = F.interpolate(flow, size=(height, width), mode="bilinear", align_corners=False)
            flow[:, 0] *= width / size[1]
            flow[:, 1] *= height / size[0]
            out.append(flow.permute(0, 2, 3, 1).cpu().numpy())
    return np.concatenate(out).astype(np.float32)


def _rgb_tensor(frames: torch.Tensor) -> torch.Tensor:
    return frames.expand(-1, 3, -1, -1) if frames.shape[1] == 1 else frames[:, :3]


def _pairwise_flows(src: torch.Tensor, dst: torch.Tensor, backend: str) -> np.ndarray:
    """Flows from each ``src[i]`` to ``dst[i]`` for (N, C, H, W) frames: (N, H, W, 2)."""
    name = flow_backend(backend).name
    if name == "raft":
        return _raft_flows(_rgb_tensor(src), _rgb_tensor(dst))
    return _dis_flows([(_grey_uint8(a), _grey_uint8(b)) for a, b in zip(src, dst)])


def optical_flow(
    f0: torch.Tensor | np.ndarray, f1: torch.Tensor | np.ndarray, backend: str = "auto"
) -> np.ndarray:
    """Flow from frame ``f0`` to frame ``f1`` as an (H, W, 2) float32 array (dx, dy).

    Frames are (C, H, W) tensors or (H, W, C) arrays in [0, 1]; ``f0[y, x] ~ f1[y+dy, x+dx]``.
    """
    t0, t1 = (
        torch.from_numpy(_as_hwc(f)).permute(2, 0, 1) if isinstance(f, np.ndarray) else f
        for f in (f0, f1)
    )
    return _pairwise_flows(t0[None], t1[None], backend)[0]


def video_flow(
    video: torch.Tensor,
    backend: str = "auto",
    direction: Literal["forward", "backward"] = "forward",
) -> np.ndarray:
    """Flows between consecutive frames of a (T, C, H, W) video: (T-1, H, W, 2) float32.

    ``direction="forward"``: entry t is the flow from frame t to frame t+1;
    ``"backward"``: entry t is the flow from frame t+1 to frame t.
    """
    if video.dim() != 4 or video.shape[0] < 2:
        raise ValueError(f"video_flow: expected (T>=2, C, H, W), got {tuple(video.shape)}")
    if direction == "forward":
        return _pairwise_flows(video[:-1], video[1:], backend)
    if direction == "backward":
        return _pairwise_flows(video[1:], video[:-1], backend)
    raise ValueError(f"video_flow: direction must be 'forward' or 'backward', got {direction!r}")


def warp(image: torch.Tensor | np.ndarray, flow: np.ndarray) -> torch.Tensor | np.ndarray:
    """Backward warp: ``out[y, x] = image[y + flow[y,x,1], x + flow[y,x,0]]``, bilinear.

    ``image`` is a (C, H, W) tensor (returns a tensor) or an (H, W[, C]) array (returns an
    array of the same shape); coordinates outside the image are clamped to the border
    (like FlowNet2's Resample2d that Lai et al. use). With ``flow`` the flow from frame
    ``t0`` to ``t1``, ``warp(frame_t1, flow)`` is frame ``t1`` seen from ``t0``'s grid.
    """
    flow = np.asarray(flow, dtype=np.float32)
    height, width = flow.shape[:2]
    grid_x, grid_y = np.meshgrid(
        np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    )
    map_x, map_y = grid_x + flow[..., 0], grid_y + flow[..., 1]
    if isinstance(image, torch.Tensor):
        hwc = _as_hwc(image)
        out = cv2.remap(hwc, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        out = out.reshape(height, width, -1)
        return torch.from_numpy(out).permute(2, 0, 1).to(image.dtype)
    array = np.asarray(image, dtype=np.float32)
    out = cv2.remap(array, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(array.shape)
