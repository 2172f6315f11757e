"""Reading and writing videos and masks: mp4/avi/mov/mkv/webm/gif files and folders of
PNG/JPG frames.

Tensors are (T, 3, H, W) float32 in [0, 1]. Video files go through imageio's ffmpeg plugin
(its wheel ships an ffmpeg binary); GIFs and images through Pillow. Any usual image works:
greyscale (8/16-bit), 1-bit, palette, RGB, RGBA, CMYK. Grey is replicated to RGB; an alpha
channel is composited over black (a transparent pixel reads as black, the masked-set
convention for a hidden pixel). Bad input raises :class:`VideoIOError` with one line naming
the file. Writers write to a temporary name beside the target and rename it into place, so
no half-written video is ever left under the target's name.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from rlvid.errors import RlvidError
from rlvid.storage.files import pause_for_tests, temp_beside

if TYPE_CHECKING:
    from PIL.Image import Image

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm")
GIF_SUFFIX = ".gif"
FRAME_SUFFIXES = (".png", ".jpg", ".jpeg")
MIN_FPS, MAX_FPS = 0.01, 1000.0  # the frame rates a video file can hold
GIF_MAX_FPS = 100.0  # a GIF stores hundredths of a second per frame
MASK_THRESHOLD = 0.5  # a mask pixel is hidden when any channel is above 127 of 255
# suffix: (codec, pixel format for even sides, for odd sides, extra ffmpeg arguments)
_FFMPEG_OUT = {
    ".mp4": ("libx264", "yuv420p", "yuv444p", ["-crf", "12"]),
    ".mov": ("libx264", "yuv420p", "yuv444p", ["-crf", "12"]),
    ".mkv": ("libx264", "yuv420p", "yuv444p", ["-crf", "12"]),
    ".avi": ("mjpeg", "yuvj444p", "yuvj444p", ["-q:v", "2"]),
    ".webm": ("libvpx-vp9", "yuv420p", "yuv420p", ["-crf", "20", "-b:v", "0"]),
}
WRITE_SUFFIXES = (*_FFMPEG_OUT, GIF_SUFFIX, "")
_OUR_FRAME = re.compile(r"frame_\d{5}\.png")


class VideoIOError(RlvidError):
    """A video or frame file that cannot be read or written (message names the file)."""


def _natural_key(path: Path) -> list[object]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


# ---------------------------------------------------------------- decoding

def _pil_array(image: Image) -> np.ndarray:
    """A Pillow image as an array of 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA)
    channels; palette, 1-bit, CMYK and other modes are converted first."""
    mode = image.mode
    if mode in ("P", "PA"):
        transparent = mode == "PA" or "transparency" in image.info
        image = image.convert("RGBA" if transparent else "RGB")
    elif mode == "1":
        image = image.convert("L")
    elif mode in ("La", "RGBa"):  # premultiplied alpha
        image = image.convert(mode.upper())
    elif mode not in ("L", "LA", "RGB", "RGBA", "I", "F") and not mode.startswith("I;16"):
        image = image.convert("RGB")  # CMYK, YCbCr, LAB, HSV
    return np.asarray(image)


def _as_float(array: np.ndarray) -> np.ndarray:
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    if array.dtype.kind in "iu":  # 16-bit images (Pillow gives I;16 or I)
        return np.clip(array.astype(np.float32) / 65535.0, 0.0, 1.0)
    return np.clip(array.astype(np.float32), 0.0, 1.0)  # bool, float


def _colour_alpha(frame: np.ndarray, name: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """(H, W, 1 or 3) colour and (H, W, 1) alpha (or None), float32 in [0, 1]."""
    if frame.ndim == 2:
        frame = frame[..., None]
    if frame.ndim != 3 or frame.shape[2] not in (1, 2, 3, 4) or 0 in frame.shape[:2]:
        raise VideoIOError(f"{name}: unsupported image shape {frame.shape}")
    values = _as_float(frame)
    if values.shape[2] in (2, 4):
        return values[..., :-1], values[..., -1:]
    return values, None


def _rgb(frame: np.ndarray, name: Path) -> np.ndarray:
    """(H, W, 3) RGB: grey replicated, alpha composited over black."""
    colour, alpha = _colour_alpha(frame, name)
    if alpha is not None:
        colour = colour * alpha
    return np.broadcast_to(colour, (*colour.shape[:2], 3))


def _hidden(frame: np.ndarray, name: Path) -> np.ndarray:
    """(H, W) bool: hidden where any channel (alpha-composited over black) > 127/255."""
    colour, alpha = _colour_alpha(frame, name)
    if alpha is not None:
        colour = colour * alpha
    return (colour > MASK_THRESHOLD).any(axis=2)


def _frame_files(path: Path) -> list[Path]:
    files = sorted(
        (p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FRAME_SUFFIXES
         and not p.name.startswith(".")),  # hidden: macOS ._000.png, our own temporaries
        key=_natural_key,
    )
    if not files:
        raise VideoIOError(f"{path}: folder holds no PNG/JPG frames")
    return files


def _load(path: Path) -> tuple[list[np.ndarray], list[Path]]:
    """Raw frames of a file or folder, and the name to blame for each frame."""
    from PIL import Image, ImageSequence

    if not path.exists():
        raise VideoIOError(f"{path}: no such file or folder")
    if path.is_dir():
        files, frames = _frame_files(path), []
        for file in files:
            try:
                with Image.open(file) as image:
                    frames.append(_pil_array(image))
            except Exception as error:  # any decoder failure is a bad file to the user
                raise VideoIOError(f"{file}: cannot read image ({_first_line(error)})") from error
        return frames, files
    suffix = path.suffix.lower()
    if suffix not in VIDEO_SUFFIXES + (GIF_SUFFIX,):
        raise VideoIOError(
            f"{path}: unsupported video type {suffix!r}; use "
            f"{', '.join(VIDEO_SUFFIXES + (GIF_SUFFIX,))} or a folder of PNG/JPG frames"
        )
    try:
        if suffix == GIF_SUFFIX:
            with Image.open(path) as image:
                frames = [_pil_array(f) for f in ImageSequence.Iterator(image)]
        else:
            import imageio.v2 as iio2

            with iio2.get_reader(path, format="FFMPEG") as reader:
                frames = [np.asarray(f) for f in reader]
    except Exception as error:
        raise VideoIOError(f"{path}: cannot read video ({_first_line(error)})") from error
    if not frames:
        raise VideoIOError(f"{path}: video holds no frames")
    return frames, [path] * len(frames)


def _check_sizes(frames: list[np.ndarray], names: list[Path], size: tuple[int, int] | None,
                 what: str = "frame") -> None:
    """Every frame of one size (``size`` (H, W), or the first frame's), naming the first
    that differs."""
    want = size or frames[0].shape[:2]
    for t, (frame, name) in enumerate(zip(frames, names)):
        if frame.shape[:2] != tuple(want):
            where = name if name.is_dir() or name.suffix.lower() in FRAME_SUFFIXES \
                else f"{name} (frame {t})"
            ref, rule = ((f"the video's {want[1]}x{want[0]}", "each mask must match it")
                         if size else (f"{want[1]}x{want[0]} of {names[0].name}",
                                       "all frames must have one size"))
            raise VideoIOError(f"{where}: {what} size {frame.shape[1]}x{frame.shape[0]} "
                               f"differs from {ref}; {rule}")


def read_video(path: str | Path) -> torch.Tensor:
    """Read a video file (mp4/avi/mov/mkv/webm/gif) or a folder of PNG/JPG frames.

    Returns (T, 3, H, W) float32 in [0, 1]. Frames in a folder are sorted naturally
    (``frame2`` before ``frame10``). Grey frames are replicated to RGB; RGBA frames are
    composited over black.
    """
    frames, names = _load(Path(path))
    _check_sizes(frames, names, None)
    rgb = np.stack([_rgb(f, n) for f, n in zip(frames, names)])
    return torch.from_numpy(np.ascontiguousarray(rgb)).permute(0, 3, 1, 2).contiguous()


def read_masks(path: str | Path, frames: int, size: tuple[int, int], invert: bool = False,
               video: str | Path = "the video") -> torch.Tensor:
    """Masks (T, 1, H, W) bool, True = hidden, for a video of ``frames`` frames of ``size``
    (H, W): a folder of mask images (grey, 1-bit, RGB or RGBA PNG/JPG) or a mask video.

    White means hidden, as ProPainter and E2FGVI read masks: a pixel is hidden when any
    channel is above 127 of 255 (JPEG noise around black or white stays on its side);
    alpha is composited over black, so transparent is not hidden. ``invert`` flips it.
    A count or size that does not match names the first bad file.
    """
    raw, names = _load(Path(path))
    if len(raw) != frames:
        first_bad = names[frames] if len(raw) > frames else Path(path)
        extra = " (the first extra mask)" if len(raw) > frames else ""
        raise VideoIOError(f"{first_bad}{extra}: {len(raw)} masks do not match the "
                           f"{frames} frames of {video}; give one mask per frame")
    _check_sizes(raw, names, size, what="mask")
    hidden = np.stack([_hidden(f, n) for f, n in zip(raw, names)])
    return torch.from_numpy(hidden != invert)[:, None]


def video_fps(path: str | Path) -> float | None:
    """Frames per second stored in a video file, or None (frame folders, unknown)."""
    path = Path(path)
    try:
        if path.suffix.lower() == GIF_SUFFIX:
            from PIL import Image

            with Image.open(path) as image:
                ms = float(image.info.get("duration") or 0)
            fps = 1000.0 / ms if ms > 0 else None
        elif path.is_file() and path.suffix.lower() in VIDEO_SUFFIXES:
            import imageio.v2 as iio2

            with iio2.get_reader(path, format="FFMPEG") as reader:
                fps = float(reader.get_meta_data().get("fps") or 0)
        else:
            return None
    except Exception:  # read_video reports unreadable files
        return None
    return fps if fps and math.isfinite(fps) and fps > 0 else None


# ---------------------------------------------------------------- writing

def _to_uint8(video: torch.Tensor, path: Path) -> np.ndarray:
    if video.dim() != 4 or video.shape[1] not in (1, 3) or video.shape[0] < 1:
        raise VideoIOError(f"{path}: expected a (T, 3, H, W) video, got {tuple(video.shape)}")
    video = video.detach().to("cpu", torch.float32)
    if video.shape[1] == 1:
        video = video.expand(-1, 3, -1, -1)
    array = (video.clamp(0, 1) * 255.0).round().to(torch.uint8)
    return np.ascontiguousarray(array.permute(0, 2, 3, 1).numpy())


def _atomic_file(path: Path, write: Callable[[Path], None], frames: int) -> None:
    """Run ``write(tmp)`` on a kit temporary beside ``path`` (same suffix), check that it
    reads back with ``frames`` frames, then rename it over ``path``."""
    with temp_beside(path, suffix=path.suffix) as tmp:
        write(tmp)
        _check_written(tmp, path, frames)
        pause_for_tests(path)
        os.replace(tmp, path)


def _check_written(tmp: Path, path: Path, frames: int) -> None:
    """Refuse a written video that does not read back whole (an encoder's "Error writing
    trailer" on a full disk leaves a short, unreadable file and no error)."""
    try:
        if path.suffix.lower() == GIF_SUFFIX:
            from PIL import Image

            with Image.open(tmp) as image:
                count = int(getattr(image, "n_frames", 1))
        else:
            import imageio.v2 as iio2

            with iio2.get_reader(tmp, format="FFMPEG") as reader:
                count = reader.count_frames()
    except Exception:  # unreadable: it holds no whole video
        count = 0
    if count != frames:
        free = os.statvfs(tmp.parent)
        why = "the disk is full" if free.f_bavail * free.f_frsize < 2**16 else "encoder error"
        raise VideoIOError(f"{path}: the written video reads back with {count} of {frames} "
                           f"frames ({why}); nothing was written under that name")


def _write_ffmpeg(tmp: Path, frames: np.ndarray, fps: float, suffix: str) -> None:
    import imageio.v2 as iio2

    codec, even, odd, params = _FFMPEG_OUT[suffix]
    height, width = frames.shape[1:3]
    writer = iio2.get_writer(
        tmp, format="FFMPEG", fps=fps, codec=codec,
        pixelformat=odd if height % 2 or width % 2 else even, macro_block_size=1,
        quality=None, ffmpeg_params=params, ffmpeg_log_level="quiet",  # read back instead
    )
    try:
        for frame in frames:
            writer.append_data(frame)
    finally:
        writer.close()


def _write_gif(tmp: Path, frames: np.ndarray, fps: float) -> None:
    import imageio.v3 as iio

    # encoded in memory: a full disk then fails our own write, not a plugin's cleanup
    tmp.write_bytes(iio.imwrite("<bytes>", frames, extension=".gif", duration=1000.0 / fps,
                                loop=0))


def _check_replaceable(path: Path) -> None:
    """An existing output folder is replaced only if it holds nothing but our frames."""
    if path.exists() and not path.is_dir():
        raise VideoIOError(f"{path}: exists and is not a folder")
    if path.is_dir():
        other = next((p for p in path.iterdir() if not _OUR_FRAME.fullmatch(p.name)), None)
        if other is not None:
            raise VideoIOError(f"{path}: folder holds {other.name}, not only frame_NNNNN.png "
                               "files; choose a new output name")


def _write_folder(path: Path, frames: np.ndarray) -> None:
    import imageio.v3 as iio

    _check_replaceable(path)
    with temp_beside(path, folder=True) as tmp, temp_beside(path, folder=True) as old:
        for t, frame in enumerate(frames):
            iio.imwrite(tmp / f"frame_{t:05d}.png", frame)
        if len(list(tmp.iterdir())) != len(frames):
            raise VideoIOError(f"{path}: {len(frames)} frames were not all written")
        pause_for_tests(path)
        if path.exists():
            os.replace(path, old / path.name)
        os.replace(tmp, path)


def check_video_output(path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """Refuse, before any work, an output :func:`write_video` cannot write or that would
    overwrite one of ``inputs`` (same path, same file, or a folder output holding it)."""
    from rlvid.runtime import check_writable_dir

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITE_SUFFIXES:
        raise VideoIOError(f"{path}: cannot write {suffix!r}; use "
                           f"{', '.join(WRITE_SUFFIXES[:-1])} or a folder (no suffix)")
    target = path.resolve()
    for item in inputs:
        source = Path(item).resolve()
        same = path.exists() and source.exists() and os.path.samefile(path, source)
        if same or target == source or (suffix == "" and source.is_relative_to(target)):
            raise VideoIOError(f"{path}: the output would overwrite the input {item}; "
                               "choose another output name")
    if suffix == "":
        _check_replaceable(path)
    elif path.is_dir():
        raise VideoIOError(f"{path}: is a folder; give a file name or a folder without suffix")
    check_writable_dir(path.parent, label=path)
    return path


def write_video(path: str | Path, video: torch.Tensor, fps: float = 8) -> Path:
    """Write a (T, 3, H, W) video in [0, 1] to ``path`` at ``fps``; returns the path.

    - ``.mp4``, ``.mov``, ``.mkv``: H.264 (libx264, CRF 12), lossy. Even sides use yuv420p,
      playable everywhere (colour at half resolution); odd sides use yuv444p, which keeps
      the size but some players (browsers, QuickTime) cannot play.
    - ``.avi``: Motion JPEG (quality 2, full-resolution colour). ``.webm``: VP9 (CRF 20).
    - ``.gif``: 256-colour palette (lossy), looping, ``1000/fps`` ms per frame (GIF stores
      hundredths of a second).
    - any path without a suffix: a folder of ``frame_00000.png``... (lossless); an existing
      folder at ``path`` is replaced as a whole if it holds only such frames.

    Written to a temporary name and renamed, so a failure never leaves a partial video.
    """
    path = Path(path)
    frames = _to_uint8(video, path)
    suffix = path.suffix.lower()
    top = GIF_MAX_FPS if suffix == GIF_SUFFIX else MAX_FPS
    if not (isinstance(fps, (int, float)) and math.isfinite(fps) and MIN_FPS <= fps <= top):
        raise VideoIOError(f"{path}: fps must be between {MIN_FPS:g} and {top:g}"
                           f"{' for a GIF' if top == GIF_MAX_FPS else ''}, got {fps}")
    try:
        if suffix in _FFMPEG_OUT:
            _atomic_file(path, lambda tmp: _write_ffmpeg(tmp, frames, fps, suffix), len(frames))
        elif suffix == GIF_SUFFIX:
            _atomic_file(path, lambda tmp: _write_gif(tmp, frames, fps), len(frames))
        elif suffix == "":
            _write_folder(path, frames)
        else:
            raise VideoIOError(f"{path}: cannot write {suffix!r}; use "
                               f"{', '.join(WRITE_SUFFIXES[:-1])} or a folder (no suffix)")
    except (RlvidError, KeyboardInterrupt):
        raise
    except Exception as error:
        raise VideoIOError(f"{path}: cannot write video ({_first_line(error)})") from error
    return path
