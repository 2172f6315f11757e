"""Reading and writing videos: mp4/avi/gif files and folders of PNG/JPG frames.

Tensors are (T, 3, H, W) float32 in [0, 1]. Files go through imageio (its ffmpeg plugin,
whose wheel ships an ffmpeg binary, for mp4/avi/mov/mkv/webm; Pillow for gif and images).
Bad input raises :class:`VideoIOError` with one line naming the file. Writers write to a
temporary name beside the target and rename it into place, so no half-written video is ever
left under the target's name.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from rlvid.errors import RlvidError

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm")
GIF_SUFFIX = ".gif"
FRAME_SUFFIXES = (".png", ".jpg", ".jpeg")
_CONVERT_HINT = "convert it to RGB first (e.g. PIL: Image.open(f).convert('RGB').save(f))"


class VideoIOError(RlvidError):
    """A video or frame file that cannot be read or written (message names the file)."""


def _natural_key(path: Path) -> list[object]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _as_rgb(frame: np.ndarray, path: Path) -> np.ndarray:
    """An (H, W, 3) RGB frame, or a VideoIOError for grey or (non-opaque) RGBA input.

    RGBA whose alpha is fully opaque everywhere is RGB in disguise (Pillow reads some GIFs
    and PNGs that way) and is accepted with the alpha channel dropped.
    """
    if frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 1):
        raise VideoIOError(f"{path}: greyscale image where RGB is needed; {_CONVERT_HINT}")
    if frame.ndim != 3 or frame.shape[2] not in (3, 4):
        raise VideoIOError(f"{path}: unsupported image shape {frame.shape}; RGB is needed")
    if frame.shape[2] == 4:
        opaque = np.iinfo(frame.dtype).max if frame.dtype.kind in "ui" else 1.0
        if not np.all(frame[..., 3] == opaque):
            raise VideoIOError(
                f"{path}: RGBA image with transparency where RGB is needed; {_CONVERT_HINT}"
            )
        frame = frame[..., :3]
    return frame


def _to_float(frames: np.ndarray) -> torch.Tensor:
    if frames.dtype == np.uint8:
        array = frames.astype(np.float32) / 255.0
    elif frames.dtype == np.uint16:
        array = frames.astype(np.float32) / 65535.0
    else:
        array = np.clip(frames.astype(np.float32), 0.0, 1.0)
    return torch.from_numpy(np.ascontiguousarray(array)).permute(0, 3, 1, 2).contiguous()


def _check_sizes(frames: list[np.ndarray], names: list[Path]) -> None:
    first = frames[0].shape[:2]
    for frame, name in zip(frames, names):
        if frame.shape[:2] != first:
            raise VideoIOError(
                f"{name}: frame size {frame.shape[1]}x{frame.shape[0]} differs from "
                f"{first[1]}x{first[0]} of {names[0].name}; all frames must have one size"
            )


def _read_folder(path: Path) -> torch.Tensor:
    import imageio.v3 as iio

    files = sorted(
        (p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FRAME_SUFFIXES),
        key=_natural_key,
    )
    if not files:
        raise VideoIOError(f"{path}: folder holds no PNG/JPG frames")
    frames = []
    for file in files:
        try:
            image = iio.imread(file, plugin="pillow")
        except Exception as error:  # any decoder failure is a bad file to the user
            raise VideoIOError(f"{file}: cannot read image ({_first_line(error)})") from error
        frames.append(_as_rgb(np.asarray(image), file))
    _check_sizes(frames, files)
    return _to_float(np.stack(frames))


def _read_file(path: Path) -> torch.Tensor:
    import imageio.v2 as iio2
    import imageio.v3 as iio

    suffix = path.suffix.lower()
    try:
        if suffix == GIF_SUFFIX:
            raw = iio.imread(path, index=None, plugin="pillow")
            frames = list(raw) if raw.ndim == 4 or (raw.ndim == 3 and raw.shape[-1] > 4) else [raw]
        elif suffix in VIDEO_SUFFIXES:
            frames = list(iio2.mimread(path, format="FFMPEG", memtest=False))
        else:
            raise VideoIOError(
                f"{path}: unsupported video type {suffix!r}; use "
                f"{', '.join(VIDEO_SUFFIXES + (GIF_SUFFIX,))} or a folder of PNG/JPG frames"
            )
    except VideoIOError:
        raise
    except Exception as error:
        raise VideoIOError(f"{path}: cannot read video ({_first_line(error)})") from error
    if not frames:
        raise VideoIOError(f"{path}: video holds no frames")
    frames = [_as_rgb(np.asarray(f), path) for f in frames]
    _check_sizes(frames, [path] * len(frames))
    return _to_float(np.stack(frames))


def read_video(path: str | Path) -> torch.Tensor:
    """Read a video file (mp4/avi/mov/mkv/webm/gif) or a folder of PNG/JPG frames.

    Returns (T, 3, H, W) float32 in [0, 1]. Frames in a folder are sorted naturally
    (``frame2`` before ``frame10``). Grey images and RGBA images with transparency are
    refused (RGB is needed); fully opaque RGBA is accepted as RGB.
    """
    path = Path(path)
    if not path.exists():
        raise VideoIOError(f"{path}: no such file or folder")
    return _read_folder(path) if path.is_dir() else _read_file(path)


def _to_uint8(video: torch.Tensor, path: Path) -> np.ndarray:
    if video.dim() != 4 or video.shape[1] not in (1, 3) or video.shape[0] < 1:
        raise VideoIOError(f"{path}: expected a (T, 3, H, W) video, got {tuple(video.shape)}")
    video = video.detach().to("cpu", torch.float32)
    if video.shape[1] == 1:
        video = video.expand(-1, 3, -1, -1)
    array = (video.clamp(0, 1) * 255.0).round().to(torch.uint8)
    return np.ascontiguousarray(array.permute(0, 2, 3, 1).numpy())


def _atomic_file(path: Path, write: Callable[[Path], None]) -> None:
    """Run ``write(tmp)`` on a temporary file beside ``path`` (same suffix), then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}",
                                dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_mp4(tmp: Path, frames: np.ndarray, fps: float) -> None:
    import imageio.v2 as iio2

    writer = iio2.get_writer(
        tmp, format="FFMPEG", fps=fps, codec="libx264", pixelformat="yuv420p",
        macro_block_size=1, quality=None, ffmpeg_params=["-crf", "12"],
        ffmpeg_log_level="error",
    )
    try:
        for frame in frames:
            writer.append_data(frame)
    finally:
        writer.close()


def _write_gif(tmp: Path, frames: np.ndarray, fps: float) -> None:
    import imageio.v3 as iio

    iio.imwrite(tmp, frames, extension=".gif", duration=1000.0 / fps, loop=0)


def _write_folder(path: Path, frames: np.ndarray) -> None:
    import imageio.v3 as iio

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    old = None
    try:
        for t, frame in enumerate(frames):
            iio.imwrite(tmp / f"frame_{t:05d}.png", frame)
        if path.exists():
            if not path.is_dir():
                raise VideoIOError(f"{path}: exists and is not a folder")
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old / path.name)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def write_video(path: str | Path, video: torch.Tensor, fps: float = 8) -> Path:
    """Write a (T, 3, H, W) video in [0, 1] to ``path``; returns the path.

    - ``.mp4``: H.264 (libx264, yuv420p, CRF 12), playable everywhere but lossy: brightness
      survives well, colour detail is halved in resolution (use a folder for exact frames).
      yuv420p needs even
      sides, so an odd height/width is padded by repeating the last row/column (with a
      warning); read it back and the padding is there.
    - ``.gif``: 256-colour palette (lossy), looping, ``1000/fps`` ms per frame.
    - any path without a suffix: a folder of ``frame_00000.png``... (lossless); an existing
      folder at ``path`` is replaced as a whole.

    Written to a temporary name and renamed, so a failure never leaves a partial video.
    """
    path = Path(path)
    frames = _to_uint8(video, path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".mp4":
            height, width = frames.shape[1:3]
            pad_h, pad_w = height % 2, width % 2
            if pad_h or pad_w:
                warnings.warn(
                    f"{path}: mp4 needs even sides; padded {width}x{height} to "
                    f"{width + pad_w}x{height + pad_h}", stacklevel=2,
                )
                frames = np.pad(frames, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="edge")
            _atomic_file(path, lambda tmp: _write_mp4(tmp, frames, fps))
        elif suffix == GIF_SUFFIX:
            _atomic_file(path, lambda tmp: _write_gif(tmp, frames, fps))
        elif suffix == "":
            _write_folder(path, frames)
        else:
            raise VideoIOError(f"{path}: cannot write {suffix!r}; use .mp4, .gif or a folder")
    except (VideoIOError, KeyboardInterrupt):
        raise
    except Exception as error:
        raise VideoIOError(f"{path}: cannot write video ({_first_line(error)})") from error
    return path
