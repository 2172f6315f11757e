"""Real videos from a folder: mp4 (or other video) files, or clip folders of PNG/JPG
frames (the RealVSR layout), centre-cropped, resized and cut into clips of T frames.

The clips feed the same masking as the procedural videos
(:func:`rlvid.data.masked.mask_videos`).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F

from rlvid.data.io import FRAME_SUFFIXES, GIF_SUFFIX, VIDEO_SUFFIXES, VideoIOError, read_video
from rlvid.errors import RlvidError


class VideoFolderError(RlvidError):
    """A folder of videos that cannot be used (message names the folder or file)."""


def _natural(path: Path) -> list[object]:
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", path.name)]


def list_videos(folder: Path) -> list[Path]:
    """Video files and clip folders in ``folder`` (natural order); the folder itself when
    it directly holds frames."""
    if not folder.is_dir():
        raise VideoFolderError(f"{folder}: no such folder")
    entries = sorted((p for p in folder.iterdir() if not p.name.startswith(".")),
                     key=_natural)  # hidden entries: macOS ._ files, temporaries
    videos = [p for p in entries
              if (p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES + (GIF_SUFFIX,))
              or (p.is_dir() and not p.name.startswith("."))]
    if not videos and any(p.suffix.lower() in FRAME_SUFFIXES for p in entries):
        return [folder]
    if not videos:
        raise VideoFolderError(
            f"{folder}: no videos (expected {', '.join(VIDEO_SUFFIXES + (GIF_SUFFIX,))} files "
            "or folders of PNG/JPG frames)"
        )
    return videos


def resize_frames(video: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Resize (T, C, H, W) frames to ``size`` (H, W): bilinear, antialiased when shrinking."""
    if tuple(video.shape[-2:]) == tuple(size):
        return video.contiguous()
    shrink = size[0] < video.shape[-2] or size[1] < video.shape[-1]
    out = F.interpolate(video.float(), size=tuple(size), mode="bilinear", align_corners=False,
                        antialias=shrink)
    return out.clamp(0, 1)


def resize_masks(masks: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Resize (T, 1, H, W) bool masks to ``size``: a pixel is hidden if any hidden pixel
    overlaps it, so no hidden pixel is lost when shrinking."""
    if tuple(masks.shape[-2:]) == tuple(size):
        return masks
    return F.interpolate(masks.float(), size=tuple(size), mode="area") > 0


def square_resize(video: torch.Tensor, size: int) -> torch.Tensor:
    """Centre-crop (T, 3, H, W) to a square and resize it to ``size`` x ``size``."""
    _, _, h, w = video.shape
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return resize_frames(video[:, :, top:top + side, left:left + side], (size, size))


def load_video_folder(
    path: str | Path, size: int, T: int, skip_bad: bool = False,
    skipped: list[tuple[str, str]] | None = None,
) -> torch.Tensor:
    """Clips (N, T, 3, size, size) float32 in [0, 1] from every video in ``path``.

    Each video is centre-cropped, resized and cut into ``len // T`` clips of ``T``
    consecutive frames. A missing folder, a folder without videos, a video shorter than
    ``T`` frames or an unreadable file raise :class:`VideoFolderError` (or
    :class:`~rlvid.data.io.VideoIOError`) naming it; with ``skip_bad`` a bad video is
    skipped with a warning and ``(file, reason)`` appended to ``skipped``.
    """
    if T < 1 or size < 1:
        raise VideoFolderError(f"clip length and size must be positive, got T={T}, size={size}")
    folder = Path(path)
    clips: list[torch.Tensor] = []
    for item in list_videos(folder):
        try:
            video = read_video(item)
            if video.shape[0] < T:
                raise VideoFolderError(
                    f"{item}: clip has {video.shape[0]} frames, shorter than T={T}"
                )
        except (VideoIOError, VideoFolderError) as error:
            if not skip_bad:
                raise
            warnings.warn(f"skipping {error}", stacklevel=2)
            if skipped is not None:
                skipped.append((str(item), str(error)))
            continue
        video = square_resize(video, size)
        for start in range(0, video.shape[0] - T + 1, T):
            clips.append(video[start:start + T])
    if not clips:
        raise VideoFolderError(f"{folder}: no usable videos of at least T={T} frames")
    return torch.stack(clips).float().contiguous()
