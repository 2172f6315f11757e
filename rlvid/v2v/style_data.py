"""Style experiments beyond the training set: a long city video translated in windows (its
seams measured), and the user's own videos read from four folders (X, Y, Z clips and Z̄
images) with held-out clips, or a procedural dataset written as such folders.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rlvid.errors import RlvidError
from rlvid.metrics import warping_error
from rlvid.v2v.evaluate import translate_video


def long_city_video(size: int, frames: int = 200, seed: int = 0
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """One long daytime modern-city aerial (X) and its night twin, (T, 3, H, W) each."""
    from rlvid.data import city
    from rlvid.data.render import to_channels_first

    rng = np.random.default_rng([seed, 2, 99])
    out = city.render(rng, 1, frames, size, city.CITY, night=False, twin=True)
    return (torch.from_numpy(to_channels_first(out["video"][0])),
            torch.from_numpy(to_channels_first(out["twin"][0])))


def pair_warping_errors(video: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """E_warp of every consecutive pair (t-1, t), t = 1..T-1, flows from ``reference``."""
    return torch.tensor([float(warping_error(video[t - 1:t + 1], reference=reference[t - 1:t + 1]))
                         for t in range(1, video.shape[0])])


def window_seams(net: torch.nn.Module, video: torch.Tensor, window: int) -> dict[str, Any]:
    """Translate a long (T, 3, H, W) ``video`` in windows of ``window`` frames and measure the
    seams: E_warp of the frame pairs that cross a window boundary against those within one.

    Three translations: ``carried`` (:func:`translate_video`, ConvLSTM state carried from
    window to window), ``single_pass`` (the whole video at once) and ``reset`` (each window
    alone from a zero state: what a seam looks like). ``fps`` is the carried translation's
    frames per second on this machine.
    """
    start = time.perf_counter()
    carried = translate_video(net, video, window=window)
    fps = video.shape[0] / (time.perf_counter() - start)
    single = translate_video(net, video)
    reset = torch.cat([translate_video(net, video[s:s + window])
                       for s in range(0, video.shape[0], window)])
    crosses = torch.arange(1, video.shape[0]) % window == 0  # pair (t-1, t) spans windows
    out: dict[str, Any] = {"frames": int(video.shape[0]), "window": window, "fps": fps,
                           "max_diff_carried_vs_single_pass":
                               float((carried - single).abs().max()),
                           "videos": {"carried": carried, "reset": reset}, "crosses": crosses}
    for name, translated in (("carried", carried), ("reset", reset), ("source", video)):
        errors = pair_warping_errors(translated, video)
        out[f"{name}_pairs"] = errors
        out[f"{name}_ewarp_boundary"] = float(errors[crosses].mean())
        out[f"{name}_ewarp_within"] = float(errors[~crosses].mean())
    return out


# ---------------------------------------------------------------- the user's own videos

class StyleFolderError(RlvidError):
    """A set of video folders that cannot be used for a translation experiment."""


@dataclass(frozen=True)
class FolderVideos:
    """X, Y, Z clips and Z̄ images from folders, with held-out X and Y clips.

    ``x``/``y``/``z``: training clips (N, T, 3, H, W); ``zbar``: images (M, 3, H, W);
    ``x_test``: held-out X clips that are translated and scored; ``y_test``: held-out Y
    clips. The domain classifier trains on ``x_test`` and ``y_test`` (no translator sees
    them). Clips are cut from longer videos, so a held-out clip may come from the same
    video as a training clip.
    """

    x: torch.Tensor
    y: torch.Tensor
    z: torch.Tensor
    zbar: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    def counts(self) -> dict[str, int]:
        return {k: int(getattr(self, k).shape[0])
                for k in ("x", "y", "z", "zbar", "x_test", "y_test")}


def _split(clips: torch.Tensor, share: float, folder: Path) -> tuple[torch.Tensor, torch.Tensor]:
    if clips.shape[0] < 2:
        raise StyleFolderError(f"{folder}: needs at least 2 clips (one to train on, one held "
                               f"out), found {clips.shape[0]}")
    held = min(clips.shape[0] - 1, max(1, math.ceil(clips.shape[0] * share)))
    return clips[:-held], clips[-held:]


def load_style_folders(x_dir: str | Path, y_dir: str | Path, z_dir: str | Path,
                       zbar_dir: str | Path, size: int, T: int, test_share: float = 0.25,
                       skip_bad: bool = False) -> FolderVideos:
    """Clips of ``T`` frames at ``size`` x ``size`` from four folders
    (:func:`rlvid.data.load_video_folder`); the last ``test_share`` of the X and Y clips
    are held out. ``zbar_dir`` holds images (or videos, whose frames become images)."""
    from rlvid.data import load_video_folder

    if not 0 < test_share < 1:
        raise StyleFolderError(f"test_share must lie in (0, 1), got {test_share}")
    x_all = load_video_folder(x_dir, size, T, skip_bad=skip_bad)
    y_all = load_video_folder(y_dir, size, T, skip_bad=skip_bad)
    x, x_test = _split(x_all, test_share, Path(x_dir))
    y, y_test = _split(y_all, test_share, Path(y_dir))
    z = load_video_folder(z_dir, size, T, skip_bad=skip_bad)
    zbar = load_video_folder(zbar_dir, size, 1, skip_bad=skip_bad)[:, 0]
    return FolderVideos(x, y, z, zbar, x_test, y_test)


def write_procedural_folders(data: Any, root: str | Path) -> dict[str, Path]:
    """Write a procedural dataset as four folders a user would bring: ``x`` (training then
    test videos), ``y`` (likewise), ``z`` (clip folders of PNG frames) and ``zbar`` (PNG
    images). Lossless, so loading them back gives the data quantised to 8 bits."""
    from rlvid.data import write_video

    root = Path(root)
    sets = {"x": torch.cat([data.x, data.x_test]), "y": torch.cat([data.y, data.y_test]),
            "z": data.z}
    folders = {}
    for name, videos in sets.items():
        folder = root / name
        if folder.exists():
            shutil.rmtree(folder)
        for i, video in enumerate(videos):
            write_video(folder / f"clip_{i:04d}", video)
        folders[name] = folder
    write_video(root / "zbar", data.zbar)  # one folder of frames = a folder of images
    folders["zbar"] = root / "zbar"
    return folders


def style_folders(x_dir: str | Path | None, y_dir: str | Path | None,
                  z_dir: str | Path | None, zbar_dir: str | Path | None,
                  procedural: str, data_cfg: Any, root: str | Path,
                  data_seed: int = 0) -> dict[str, Path]:
    """The four folders to use: the user's (all four given), or, with none given, the
    procedural dataset ``procedural`` written under ``root`` by
    :func:`write_procedural_folders` (so the notebook runs anywhere)."""
    given = {"x_dir": x_dir, "y_dir": y_dir, "z_dir": z_dir, "zbar_dir": zbar_dir}
    if all(v is None for v in given.values()):
        from rlvid.data import load_v2v_dataset

        data = load_v2v_dataset(procedural, data_cfg, seed=data_seed)
        return write_procedural_folders(data, Path(root) / procedural)
    missing = [k for k, v in given.items() if v is None]
    if missing:
        raise StyleFolderError(f"give all four folders or none; missing {', '.join(missing)}")
    return {k[:-4]: Path(v) for k, v in given.items()}


def folder_reference_rows(videos: FolderVideos,
                          evaluate: Callable[[torch.Tensor, torch.Tensor], dict[str, float]]
                          ) -> list[dict[str, Any]]:
    """Trivial rows without a twin, each scored against the X test clips: the
    untranslated source, the source shuffled in time, the Y training clips' mean colour in
    every frame (flat), and held-out real Y clips in place of the output (real style,
    unrelated content; the first ``min`` of both counts)."""
    from rlvid.results import TRIVIAL
    from rlvid.v2v.references import flat_mean_colour, shuffle_time

    k = min(len(videos.x_test), len(videos.y_test))
    x = videos.x_test
    rows = [("identity", evaluate(x, x)),
            ("shuffled source", evaluate(shuffle_time(x), x)),
            ("flat", evaluate(flat_mean_colour(videos.y, x), x)),
            ("held-out Y (real target)", evaluate(videos.y_test[:k], x[:k]))]
    return [{"method": name, "seed": "-", "kind": TRIVIAL, **m} for name, m in rows]
