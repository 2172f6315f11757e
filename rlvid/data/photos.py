"""Real photographs that an installed package carries, and slow camera pans over them.

scikit-image's wheel ships a few colour photographs inside ``skimage/data`` (the astronaut
Eileen Collins, Chelsea the cat, a cup of coffee, ...). Other ``skimage.data`` images are
fetched from the internet on first use (through pooch): this module never calls those
loaders. It reads the files straight from the installed package's folder, so nothing is
downloaded, ever; :func:`packaged_photos` lists the ones present.

:func:`pan_video` films a photograph with a slow camera pan: a window the size of the
frame slides across the (resized) photograph by a fixed sub-pixel step per frame, sampled
bilinearly. :func:`moving_boxes` makes masks of boxes that drift across the frame, and
:func:`write_masks` saves them as greyscale PNGs (white = hidden), the form ``rlvid
inpaint --masks`` reads.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

from rlvid.errors import RlvidError

# name -> file inside skimage/data: colour photographs shipped in the wheel (scikit-image
# 0.26). Greyscale, synthetic and pooch-fetched images are left out on purpose.
PHOTOS: dict[str, str] = {
    "astronaut": "astronaut.png",
    "chelsea": "chelsea.png",
    "coffee": "coffee.png",
    "rocket": "rocket.jpg",
    "motorcycle": "motorcycle_left.png",
    "hubble_deep_field": "hubble_deep_field.jpg",
}


class PhotoError(RlvidError):
    """A photograph that cannot be found or a pan that cannot be filmed (one line)."""


def _package_folder() -> Path | None:
    try:
        import skimage.data
    except ImportError:
        return None
    return Path(skimage.data.__file__).parent


def packaged_photos() -> list[str]:
    """Names (keys of :data:`PHOTOS`) whose file lies in the installed ``skimage/data``
    folder, in :data:`PHOTOS` order; ``[]`` when scikit-image is not installed. Reads no
    network and no download cache: only the package's own folder."""
    folder = _package_folder()
    if folder is None:
        return []
    return [name for name, file in PHOTOS.items() if (folder / file).is_file()]


def load_photo(name: str) -> np.ndarray:
    """The packaged photograph ``name`` as an (H, W, 3) float32 array in [0, 1]."""
    if name not in PHOTOS:
        raise PhotoError(f"no packaged photograph {name!r}; known: {', '.join(PHOTOS)}")
    folder = _package_folder()
    if folder is None:
        raise PhotoError("scikit-image is not installed (pip install -r requirements-dev.txt); "
                         "its wheel carries the photographs")
    path = folder / PHOTOS[name]
    if not path.is_file():
        raise PhotoError(f"{path}: not in this scikit-image install; available: "
                         f"{', '.join(packaged_photos()) or 'none'}")
    import imageio.v3 as iio

    image = np.asarray(iio.imread(path))
    if image.ndim != 3 or image.shape[2] < 3:
        raise PhotoError(f"{path}: not an RGB photograph (shape {image.shape})")
    return image[..., :3].astype(np.float32) / 255.0


def _as_hwc(image: np.ndarray | torch.Tensor) -> np.ndarray:
    """(H, W, 3) float32 in [0, 1] from an (H, W, 3) array (uint8 or float) or a
    (3, H, W) tensor."""
    if isinstance(image, torch.Tensor):
        if image.dim() != 3 or image.shape[0] != 3:
            raise PhotoError(f"pan_video: a tensor image must be (3, H, W), got "
                             f"{tuple(image.shape)}")
        return image.detach().to("cpu", torch.float32).clamp(0, 1).permute(1, 2, 0).numpy()
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3:
        raise PhotoError(f"pan_video: an array image must be (H, W, 3), got {array.shape}")
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    return np.clip(array.astype(np.float32), 0.0, 1.0)


def _frame_size(size: int | tuple[int, int]) -> tuple[int, int]:
    height, width = (size, size) if isinstance(size, int) else size
    if height < 1 or width < 1:
        raise PhotoError(f"pan_video: frame size must be positive, got {height}x{width} (HxW)")
    return int(height), int(width)


def _velocity(speed: float | tuple[float, float]) -> tuple[float, float]:
    """(dx, dy) in output pixels per frame; a number pans to the right."""
    if isinstance(speed, (int, float)):
        return float(speed), 0.0
    dx, dy = speed
    return float(dx), float(dy)


def pan_video(
    image: np.ndarray | torch.Tensor,
    frames: int,
    size: int | tuple[int, int],
    speed_px_per_frame: float | tuple[float, float],
    view: float = 1.0,
    start: float = 0.0,
) -> torch.Tensor:
    """A slow camera pan over ``image``: a (T, 3, H, W) float32 video in [0, 1].

    - ``size``: the frame size, ``S`` (square) or ``(H, W)``.
    - ``view``: the share of the photograph's height (or width, if that is the tighter
      side) the frame shows; the photograph is first resized (area averaging, so no
      aliasing) to the scale at which the frame window covers that share.
    - ``speed_px_per_frame``: the camera's step in *frame* pixels: a number pans right,
      ``(dx, dy)`` in any direction (negative = left/up). Between consecutive frames the
      picture content moves by exactly ``-speed``; sub-pixel steps are sampled bilinearly.
    - ``start``: where the pan begins, as a share of the travel left over (0: the window
      starts at the edge the pan moves away from; 1 uses all the spare room before it).

    Deterministic. A pan that would leave the photograph raises :class:`PhotoError`
    saying how much room there is.
    """
    import cv2

    picture = _as_hwc(image)
    height, width = _frame_size(size)
    if frames < 1:
        raise PhotoError(f"pan_video: frames must be at least 1, got {frames}")
    if not 0.0 < view <= 1.0:
        raise PhotoError(f"pan_video: view must be in (0, 1], got {view}")
    if not 0.0 <= start <= 1.0:
        raise PhotoError(f"pan_video: start must be in [0, 1], got {start}")
    dx, dy = _velocity(speed_px_per_frame)
    ph, pw = picture.shape[:2]
    scale = max(height / (view * ph), width / (view * pw))  # frame px per photo px
    rh, rw = max(height, round(ph * scale)), max(width, round(pw * scale))
    if (rh, rw) != (ph, pw):
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        picture = cv2.resize(picture, (rw, rh), interpolation=interpolation)
    need_x, need_y = abs(dx) * (frames - 1), abs(dy) * (frames - 1)
    room_x, room_y = rw - width, rh - height
    if need_x > room_x + 1e-9 or need_y > room_y + 1e-9:
        raise PhotoError(
            f"pan_video: {frames} frames at ({dx:g}, {dy:g}) px/frame need {need_x:g} x "
            f"{need_y:g} px of travel, but a {width}x{height} window on the photo resized to "
            f"{rw}x{rh} (view {view:g}) leaves {room_x} x {room_y}; lower the speed, the "
            f"frame count or the view")
    x0 = (room_x - need_x) * start if dx >= 0 else room_x - (room_x - need_x) * start
    y0 = (room_y - need_y) * start if dy >= 0 else room_y - (room_y - need_y) * start
    padded = np.pad(picture, ((0, 1), (0, 1), (0, 0)), mode="edge")
    out = np.empty((frames, height, width, 3), dtype=np.float32)
    for t in range(frames):
        x = min(max(x0 + dx * t, 0.0), float(room_x))
        y = min(max(y0 + dy * t, 0.0), float(room_y))
        ix, iy = math.floor(x), math.floor(y)
        fx, fy = np.float32(x - ix), np.float32(y - iy)
        window = padded[iy : iy + height + 1, ix : ix + width + 1]
        top = (1 - fx) * window[:height, :width] + fx * window[:height, 1 : width + 1]
        bottom = (1 - fx) * window[1:, :width] + fx * window[1:, 1 : width + 1]
        out[t] = (1 - fy) * top + fy * bottom
    video = torch.from_numpy(np.clip(out, 0.0, 1.0)).permute(0, 3, 1, 2).contiguous()
    return video


def moving_boxes(
    frames: int,
    size: int | tuple[int, int],
    boxes: int = 2,
    box: float = 0.2,
    speed: float = 1.0,
    seed: int = 0,
) -> torch.Tensor:
    """(T, 1, H, W) bool masks (True = hidden): ``boxes`` squares of side ``box`` × the
    frame's shorter side, each starting at a seeded position and drifting in a seeded
    direction at ``speed`` frame pixels per frame, bouncing off the frame's edges."""
    height, width = _frame_size(size)
    if frames < 1 or boxes < 0:
        raise PhotoError(f"moving_boxes: need frames >= 1 and boxes >= 0, got {frames}, {boxes}")
    side = max(1, round(box * min(height, width)))
    if side > min(height, width):
        raise PhotoError(f"moving_boxes: box {box:g} is larger than the frame")
    rng = np.random.default_rng(seed)
    masks = torch.zeros(frames, 1, height, width, dtype=torch.bool)
    span_y, span_x = height - side, width - side
    for _ in range(boxes):
        y, x = rng.uniform(0, span_y), rng.uniform(0, span_x)
        angle = rng.uniform(0, 2 * np.pi)
        vy, vx = speed * np.sin(angle), speed * np.cos(angle)
        for t in range(frames):
            py, px = _bounce(y + vy * t, span_y), _bounce(x + vx * t, span_x)
            iy, ix = round(py), round(px)
            masks[t, 0, iy : iy + side, ix : ix + side] = True
    return masks


def _bounce(position: float, span: int) -> float:
    """``position`` folded back into [0, span] (a reflection at each edge)."""
    if span == 0:
        return 0.0
    period = 2 * span
    p = position % period
    return p if p <= span else period - p


def write_masks(folder: str | Path, masks: torch.Tensor) -> Path:
    """Save (T, 1, H, W) bool masks as greyscale 8-bit PNGs ``mask_00000.png``... in
    ``folder`` (255 = hidden, 0 = visible); older ``mask_*.png`` files there are removed."""
    import imageio.v3 as iio

    if masks.dim() != 4 or masks.shape[1] != 1:
        raise PhotoError(f"write_masks: expected (T, 1, H, W) masks, got {tuple(masks.shape)}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("mask_*.png"):
        old.unlink()
    planes = (masks[:, 0].to("cpu").numpy().astype(np.uint8) * 255)
    for t, plane in enumerate(planes):
        iio.imwrite(folder / f"mask_{t:05d}.png", plane)
    return folder


__all__ = ["PHOTOS", "PhotoError", "load_photo", "moving_boxes", "packaged_photos",
           "pan_video", "write_masks"]
