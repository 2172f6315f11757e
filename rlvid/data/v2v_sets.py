"""The three RL-V2V-GAN datasets (§6.1) as tensors: X, Y, Z videos, Zbar images, and
held-out X test videos with their target-domain twins.

Counts are the paper's frame counts times ``cfg.count_scale``, cut into videos of
``cfg.video_len`` frames: ``N = max(min_videos, round(frames * scale / T))``. Zbar is a
set of still images: ``M = max(min_videos, round(frames * scale))``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from rlvid.config.data import DataConfig
from rlvid.data.cache import cached_arrays
from rlvid.data.render import to_channels_first
from rlvid.errors import RlvidError

V2V_NAMES = ("synthetic", "flowers", "city")

# RL-V2V-GAN §6.1: frames of X, Y, Z and images of Zbar
PAPER_FRAMES: dict[str, dict[str, int]] = {
    "synthetic": {"x": 600, "y": 100, "z": 100, "zbar": 100},
    "flowers": {"x": 550, "y": 100, "z": 900, "zbar": 2000},
    "city": {"x": 2000, "y": 500, "z": 1000, "zbar": 1500},
}

# what each domain holds (for tables and the notebook)
DOMAINS: dict[str, dict[str, str]] = {
    "synthetic": {"x": "colourful rectangles on black",
                  "y": "circles on blue, then red",
                  "z": "circles on black",
                  "zbar": "circles on blue or red (images)"},
    "flowers": {"x": "red flowers blooming on black",
                "y": "yellow flowers blooming on natural backgrounds",
                "z": "yellow flowers blooming on black",
                "zbar": "flowers of random colours on natural backgrounds (images)"},
    "city": {"x": "daytime modern-city aerials",
             "y": "night-time small-town aerials",
             "z": "daytime small-town aerials",
             "zbar": "night-time city aerials (images)"},
}

_SET_IDS = {"x": 0, "y": 1, "z": 2, "zbar": 3, "x_test": 4, "y_test": 5}
_DATASET_IDS = {"synthetic": 0, "flowers": 1, "city": 2}


class DatasetError(RlvidError, ValueError):
    """An unknown dataset name or an unusable data parameter."""


@dataclass(frozen=True)
class V2VDataset:
    """One RL-V2V-GAN dataset; every tensor is float32 in [0, 1] (masks are bool).

    ``x``, ``y``, ``z``: training videos (N, T, 3, H, W) of the source domain, the target
    domain, and the domain sharing the target's content in the source's style.
    ``zbar``: style images (M, 3, H, W). ``x_test``: held-out source videos;
    ``x_test_twin``: the same motion rendered in the target domain (evaluation only);
    ``x_test_fg`` / ``twin_fg``: their foreground masks (N, T, 1, H, W). ``y_test``:
    held-out target videos (for domain classifiers trained on real frames).
    """

    name: str
    x: torch.Tensor
    y: torch.Tensor
    z: torch.Tensor
    zbar: torch.Tensor
    x_test: torch.Tensor
    x_test_twin: torch.Tensor
    x_test_fg: torch.Tensor
    twin_fg: torch.Tensor
    y_test: torch.Tensor

    def counts(self) -> dict[str, int]:
        """Videos (or images, for zbar) per set."""
        return {f.name: int(getattr(self, f.name).shape[0])
                for f in dataclasses.fields(self) if f.name != "name"}


def v2v_counts(name: str, cfg: DataConfig) -> dict[str, int]:
    """Videos per set (images for ``zbar``) at this config, without generating anything."""
    frames = _paper_frames(name)
    t = cfg.video_len
    counts = {k: max(cfg.min_videos, round(frames[k] * cfg.count_scale / t))
              for k in ("x", "y", "z")}
    counts["zbar"] = max(cfg.min_videos, round(frames["zbar"] * cfg.count_scale))
    counts["x_test"] = cfg.test_videos
    counts["y_test"] = cfg.test_videos
    return counts


def _paper_frames(name: str) -> dict[str, int]:
    if name not in PAPER_FRAMES:
        raise DatasetError(f"dataset {name!r} is unknown; choose one of {', '.join(V2V_NAMES)}")
    return PAPER_FRAMES[name]


def _params(cfg: DataConfig) -> dict[str, object]:
    keep = ("size", "video_len", "count_scale", "min_videos", "test_videos")
    return {k: getattr(cfg, k) for k in keep}


def generate_v2v_arrays(name: str, cfg: DataConfig, seed: int = 0) -> dict[str, np.ndarray]:
    """Render every set of one dataset as numpy arrays (channels first, no cache)."""
    counts = v2v_counts(name, cfg)
    if cfg.size % 2 or cfg.size < 8:
        raise DatasetError(f"data.size must be an even number >= 8, got {cfg.size}")
    if cfg.video_len < 2:
        raise DatasetError(f"data.video_len must be >= 2, got {cfg.video_len}")
    rngs = {k: np.random.default_rng([seed, _DATASET_IDS[name], i]) for k, i in _SET_IDS.items()}
    if name == "synthetic":
        from rlvid.data import shapes as module
    elif name == "flowers":
        from rlvid.data import flowers as module
    else:
        from rlvid.data import city as module
    sets = module.make_sets(rngs, counts, cfg.size, cfg.video_len)
    out = {}
    for key, value in sets.items():
        if key.endswith("_fg"):
            out[key] = np.ascontiguousarray(value[:, :, None])  # (N, T, 1, H, W) bool
        else:
            out[key] = to_channels_first(value)
    return out


def load_v2v_dataset(
    name: str, cfg: DataConfig, seed: int = 0, use_cache: bool = True
) -> V2VDataset:
    """Dataset ``name`` (synthetic | flowers | city) at ``cfg``'s scale, cached on disk.

    The same ``(name, cfg, seed)`` always gives bit-identical tensors.
    """
    _paper_frames(name)
    arrays = cached_arrays(name, _params(cfg), seed,
                           lambda: generate_v2v_arrays(name, cfg, seed), use_cache=use_cache)
    tensors = {k: torch.from_numpy(v) for k, v in arrays.items()}
    return V2VDataset(name=name, **tensors)
