"""The ROVR masked-video task (ROVR §4, §5.1.2).

Every frame of a ``T = 20`` frame video gets four randomly sized and placed boxes. The
boxes of one video come from seven possible positions (*slots*, as in the authors'
code); each frame hides four of them. Slots lie in distinct cells of a 3x3 grid with a
gap between cells, so two boxes never overlap or touch.

**Validity, exactly.** For a target frame ``t`` and two other frames ``i != j``,
the pair ``(i, j)`` is *valid* iff every pixel hidden in ``t`` is visible in ``i`` or
in ``j``. The *coverage* of ``(i, j)`` for ``t`` is the share of ``t``'s hidden pixels
visible in ``i`` or ``j`` (1 for valid pairs). Both are computed on pixels
(:func:`pair_coverage`), never assumed from the slot layout.

**Layouts.** Which slots each frame hides is found by a small min-conflicts search, so
that every target has between ``min_valid_pairs`` and ``max_valid_pairs`` (16, as in
ROVR §5.1.2) valid pairs out of C(19, 2) = 171. The frames are then shuffled by a
random permutation: the positions of the valid frames are independent of the target's
position, so they are not simply its neighbours (ROVR §4).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from rlvid.config.data import DataConfig
from rlvid.data.cache import cached_arrays
from rlvid.data.render import smooth_noise
from rlvid.errors import RlvidError
from rlvid.progress import progress

GRID = 3  # slots sit in distinct cells of a GRID x GRID partition of the frame


class MaskingError(RlvidError, ValueError):
    """Masking parameters that cannot give the requested number of valid pairs."""


@dataclass(frozen=True)
class MaskedVideoSet:
    """Videos, their masks and, for every target frame, which frame pairs restore it.

    ``videos`` (N, T, 3, H, W) float in [0, 1]; ``masks`` (N, T, 1, H, W) bool, True =
    hidden; ``corrupted`` = videos with hidden pixels zeroed; ``coverage`` (N, T, T, T)
    ``[n, t, i, j]`` share of t's hidden pixels visible in frame i or j; ``valid``
    (N, T, T, T) bool (symmetric in i, j; False where i == j or either is t);
    ``best_pair`` / ``worst_pair`` (N, T, 2) long, ``i < j``, highest / lowest coverage
    (best: nearest in time on ties; worst: first in (i, j) order); ``expert_labels``
    (N, T, T) float, 1 where a frame belongs to at least one valid pair for the target;
    ``boxes`` (N, T, 4, 4) long,
    ``(y0, x0, y1, x1)`` of each frame's boxes (end exclusive).
    """

    videos: torch.Tensor
    masks: torch.Tensor
    corrupted: torch.Tensor
    coverage: torch.Tensor
    valid: torch.Tensor
    best_pair: torch.Tensor
    worst_pair: torch.Tensor
    expert_labels: torch.Tensor
    boxes: torch.Tensor

    def __len__(self) -> int:
        return int(self.videos.shape[0])

    def valid_pairs(self, n: int, t: int) -> list[tuple[int, int]]:
        """Valid pairs ``(i, j)``, ``i < j``, for target ``t`` of video ``n``."""
        v = np.triu(self.valid[n, t].numpy(), 1)
        return [(int(i), int(j)) for i, j in zip(*np.nonzero(v))]


# ------------------------------------------------------------------ exact checker

def pair_coverage(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact coverage and validity of every (target, i, j) from pixel masks.

    ``masks``: (T, H, W) bool, True = hidden. Returns ``coverage`` (T, T, T) float32 and
    ``valid`` (T, T, T) bool as defined in the module docstring.
    """
    frames = masks.shape[0]
    bits = np.packbits(masks.reshape(frames, -1), axis=1)  # 8 pixels per byte
    hidden = np.bitwise_count(bits).sum(axis=1, dtype=np.int64)  # pixels hidden per frame
    coverage = np.empty((frames, frames, frames), np.float32)
    for t in range(frames):
        # pixels hidden in t, i and j at once (exact integer counts)
        both = bits[t] & bits[:, None, :] & bits[None, :, :]
        still_hidden = np.bitwise_count(both).sum(axis=2, dtype=np.int64)
        coverage[t] = 1.0 - still_hidden / hidden[t] if hidden[t] else 1.0
    distinct = ~np.eye(frames, dtype=bool)
    others = distinct[:, :, None] & distinct[:, None, :] & distinct[None, :, :]
    valid = (coverage >= 1.0) & others
    return coverage, valid


def best_and_worst_pairs(coverage: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, 2) best and worst pairs ``i < j`` (both != target) by coverage. Among the pairs
    of highest coverage the best is the nearest in time (least ``|i - t| + |j - t|``, then
    first in (i, j) order): in a moving video the nearest frames show the target's content
    where it is now; the worst is the first of lowest coverage."""
    frames = coverage.shape[0]
    pairs = np.array(list(itertools.combinations(range(frames), 2)))
    best = np.empty((frames, 2), np.int64)
    worst = np.empty((frames, 2), np.int64)
    for t in range(frames):
        usable = pairs[(pairs[:, 0] != t) & (pairs[:, 1] != t)]
        score = coverage[t, usable[:, 0], usable[:, 1]]
        top = np.flatnonzero(score == score.max())
        distance = np.abs(usable[top] - t).sum(axis=1)
        best[t] = usable[top[int(np.argmin(distance))]]
        worst[t] = usable[int(np.argmin(score))]
    return best, worst


# ------------------------------------------------------------------ layouts

def slot_boxes(rng: np.random.Generator, size: int, slots: int) -> np.ndarray:
    """``slots`` boxes ``(y0, x0, y1, x1)`` of random size and place, one per grid cell."""
    if slots > GRID * GRID:
        raise MaskingError(f"data.mask_slots must be <= {GRID * GRID}, got {slots}")
    edges = np.linspace(0, size, GRID + 1).round().astype(int)
    cells = rng.permutation(GRID * GRID)[:slots]
    boxes = np.empty((slots, 4), np.int64)
    for s, cell in enumerate(cells):
        r, c = divmod(int(cell), GRID)
        # one pixel of gap on each side keeps boxes of neighbouring cells apart
        y_lo, y_hi = edges[r] + 1, edges[r + 1] - 1
        x_lo, x_hi = edges[c] + 1, edges[c + 1] - 1
        h = rng.integers(max(2, (y_hi - y_lo) * 2 // 5), y_hi - y_lo + 1)
        w = rng.integers(max(2, (x_hi - x_lo) * 2 // 5), x_hi - x_lo + 1)
        y0 = rng.integers(y_lo, y_hi - h + 1)
        x0 = rng.integers(x_lo, x_hi - w + 1)
        boxes[s] = (y0, x0, y0 + h, x0 + w)
    return boxes


def _valid_counts(layout: np.ndarray) -> np.ndarray:
    """Valid pairs per target when frames hide slot sets ``layout`` (T,) bitmasks."""
    frames = len(layout)
    clash = (layout[:, None, None] & layout[None, :, None] & layout[None, None, :]) != 0
    distinct = ~np.eye(frames, dtype=bool)
    upper = np.triu(np.ones((frames, frames), bool), 1)
    ok = ~clash & upper[None] & distinct[:, :, None] & distinct[:, None, :]
    return ok.sum(axis=(1, 2))


def layout_slots(
    rng: np.random.Generator, frames: int, slots: int, per_frame: int,
    min_valid: int, max_valid: int, max_steps: int = 20_000, restart_every: int = 250,
) -> np.ndarray:
    """(T, per_frame) slot indices hidden in each frame, with every target having
    ``min_valid..max_valid`` valid pairs (min-conflicts search, then a shuffle)."""
    options = np.array([sum(1 << s for s in c)
                        for c in itertools.combinations(range(slots), per_frame)])
    if len(options) == 0:
        raise MaskingError(f"data.masks_per_frame={per_frame} exceeds data.mask_slots={slots}")

    def cost(counts: np.ndarray) -> int:
        too_many = np.maximum(counts - max_valid, 0).sum()
        return int(too_many + np.maximum(min_valid - counts, 0).sum())

    current = 1
    for _ in range(max_steps // restart_every):  # restarts escape local minima
        layout = rng.choice(options, frames)
        current = cost(_valid_counts(layout))
        for _ in range(restart_every):
            if current == 0:
                break
            frame = rng.integers(frames)
            old = layout[frame]
            layout[frame] = rng.choice(options)
            new = cost(_valid_counts(layout))
            if new <= current:
                current = new
            else:
                layout[frame] = old
        if current == 0:
            break
    if current != 0:
        raise MaskingError(
            f"no mask layout gives {min_valid}..{max_valid} valid pairs per target with "
            f"{slots} slots, {per_frame} masks per frame and {frames} frames; "
            "change data.mask_slots or data.max_valid_pairs"
        )
    layout = layout[rng.permutation(frames)]  # valid frames independent of the target
    return np.array([[s for s in range(slots) if code >> s & 1] for code in layout])


# ------------------------------------------------------------------ masking

def _mask_one(rng: np.random.Generator, frames: int, size: int, cfg: DataConfig) -> dict:
    boxes = slot_boxes(rng, size, cfg.mask_slots)
    hidden = layout_slots(rng, frames, cfg.mask_slots, cfg.masks_per_frame,
                          cfg.min_valid_pairs, cfg.max_valid_pairs)
    frame_boxes = boxes[hidden]  # (T, per_frame, 4)
    masks = np.zeros((frames, size, size), bool)
    for t in range(frames):
        for y0, x0, y1, x1 in frame_boxes[t]:
            masks[t, y0:y1, x0:x1] = True
    coverage, valid = pair_coverage(masks)
    counts = np.triu(valid, 1).sum(axis=(1, 2))  # sum over i < j, per target
    if counts.min() < cfg.min_valid_pairs or counts.max() > cfg.max_valid_pairs:
        raise MaskingError(  # cannot happen with non-overlapping slots; kept as a guard
            f"pixel check disagrees with the slot layout: valid pairs {counts.tolist()}"
        )
    best, worst = best_and_worst_pairs(coverage)
    labels = valid.any(axis=2).astype(np.float32)  # frame i in some valid pair for t
    return dict(masks=masks, coverage=coverage, valid=valid, best_pair=best,
                worst_pair=worst, expert_labels=labels, boxes=frame_boxes)


def mask_arrays(videos: np.ndarray, cfg: DataConfig, seed: int = 0) -> dict[str, np.ndarray]:
    """Numpy version of :func:`mask_videos` (no cache)."""
    n, frames, _, h, w = videos.shape
    if h != w:
        raise MaskingError(f"masked videos must be square, got {h}x{w}")
    if frames < 3:
        raise MaskingError(f"masked videos need at least 3 frames, got {frames}")
    parts = [_mask_one(np.random.default_rng([seed, 7, k]), frames, h, cfg) for k in range(n)]
    out = {key: np.stack([p[key] for p in parts]) for key in parts[0]}
    out["masks"] = out["masks"][:, :, None]  # (N, T, 1, H, W)
    out["videos"] = videos.astype(np.float32)
    out["corrupted"] = np.where(out["masks"], 0.0, out["videos"]).astype(np.float32)
    return out


def _to_set(arrays: dict[str, np.ndarray]) -> MaskedVideoSet:
    return MaskedVideoSet(**{k: torch.from_numpy(np.ascontiguousarray(v))
                             for k, v in arrays.items()})


def mask_videos(videos: torch.Tensor | np.ndarray, cfg: DataConfig, seed: int = 0
                ) -> MaskedVideoSet:
    """Mask any videos (N, T, 3, H, W) (procedural or real) the ROVR way."""
    array = videos.numpy() if isinstance(videos, torch.Tensor) else np.asarray(videos)
    return _to_set(mask_arrays(array, cfg, seed))


# ------------------------------------------------------------------ base videos

# Object motion in the base videos (issue 14 item 2): the flow reward O (eq. 3) needs motion
# it can see. A static textured background, seen through every frame, and a few objects
# that cross it at several pixels per frame, bouncing off the frame's edges: their flow is
# large, and copying a pixel from another frame is exact on the background only.
OBJECTS = (2, 3)  # moving objects per video (low, high inclusive)
OBJECT_SPEED = (3.0, 5.0)  # pixels per frame at 32x32 (scaled with the frame size)
OBJECT_RADIUS = (0.05, 0.08)  # half-size, share of the frame side
# part of the cache key: sets made before it (other videos or best pairs) are not reused
MOTION_VERSION = "objects-1-nearest-best"


def _bounce(position: np.ndarray, low: float, high: float) -> np.ndarray:
    """Positions folded into [low, high] as a ball bouncing between two walls."""
    span = high - low
    phase = np.mod(position - low, 2 * span)
    return low + np.where(phase > span, 2 * span - phase, phase)


def object_tracks(rng: np.random.Generator, frames: int, size: int, radius: float
                  ) -> np.ndarray:
    """(T, 2) centre (x, y) of one object moving at constant speed, bouncing off the edges."""
    speed = rng.uniform(*OBJECT_SPEED) * size / 32
    angle = rng.uniform(0, 2 * np.pi)
    start = rng.uniform(radius, size - radius, 2)
    path = start + np.arange(frames)[:, None] * speed * np.array([np.cos(angle), np.sin(angle)])
    return _bounce(path, radius, size - radius)


def _texture(rng: np.random.Generator, canvas: int) -> np.ndarray:
    base = np.stack([smooth_noise(rng, canvas, 3, octaves=4) for _ in range(3)], -1)
    mix = rng.uniform(-0.8, 0.8, (3, 3)).astype(np.float32)
    img = 0.5 + (base - 0.5) @ mix + rng.uniform(-0.2, 0.2, 3).astype(np.float32)
    for _ in range(rng.integers(6, 14)):  # shapes give sharp edges to reconstruct
        colour = tuple(float(c) for c in rng.random(3))
        centre = tuple(int(v) for v in rng.integers(0, canvas, 2))
        axes = tuple(int(v) for v in rng.integers(canvas // 16 + 1, canvas // 5 + 2, 2))
        if rng.random() < 0.5:
            cv2.ellipse(img, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1,
                        cv2.LINE_AA)
        else:
            p0 = (centre[0] - axes[0], centre[1] - axes[1])
            p1 = (centre[0] + axes[0], centre[1] + axes[1])
            cv2.rectangle(img, p0, p1, colour, -1, cv2.LINE_AA)
    fine = smooth_noise(rng, canvas, max(4, canvas // 6), octaves=2)
    # floor 1/255: no pixel is exactly black, the masked-set convention for "hidden"
    return np.clip(img * (0.85 + 0.3 * fine[..., None]), 1 / 255, 1).astype(np.float32)


def textured_videos(rng: np.random.Generator, n: int, frames: int, size: int) -> np.ndarray:
    """(n, T, 3, H, W): a static procedural texture crossed by a few moving objects
    (:data:`OBJECTS`, :func:`object_tracks`), several pixels per frame."""
    out = np.empty((n, frames, size, size, 3), np.float32)
    sub = 16  # cv2 sub-pixel drawing: coordinates in 1/16 pixel (shift=4)
    for k in progress(range(n), desc="masked: rendering videos"):
        background = _texture(rng, size)
        objects = []
        for _ in range(rng.integers(OBJECTS[0], OBJECTS[1] + 1)):
            radius = rng.uniform(*OBJECT_RADIUS) * size
            colour = tuple(float(c) for c in rng.uniform(0.05, 1.0, 3))
            objects.append((object_tracks(rng, frames, size, radius), radius, colour,
                            rng.random() < 0.5))
        for t in range(frames):
            img = background.copy()
            for track, radius, colour, round_ in objects:
                cx, cy = (track[t] * sub).round().astype(int)
                r = int(round(radius * sub))
                if round_:
                    cv2.circle(img, (cx, cy), r, colour, -1, cv2.LINE_AA, shift=4)
                else:
                    cv2.rectangle(img, (cx - r, cy - r), (cx + r, cy + r), colour, -1,
                                  cv2.LINE_AA, shift=4)
            out[k, t] = img
    return np.ascontiguousarray(np.moveaxis(out, -1, 2))


def masked_counts(cfg: DataConfig) -> dict[str, int]:
    return {"train": cfg.rovr_train_videos, "test": cfg.rovr_test_videos}


def make_masked_set(cfg: DataConfig, split: str = "train", seed: int = 0,
                    use_cache: bool = True) -> MaskedVideoSet:
    """Procedural base videos of ``split`` (train | test), masked; cached on disk."""
    if split not in ("train", "test"):
        raise MaskingError(f"split must be 'train' or 'test', got {split!r}")
    n = masked_counts(cfg)[split]
    params = {"split": split, "n": n, "size": cfg.rovr_size, "frames": cfg.rovr_len,
              "slots": cfg.mask_slots, "per_frame": cfg.masks_per_frame,
              "min_valid": cfg.min_valid_pairs, "max_valid": cfg.max_valid_pairs,
              "motion": MOTION_VERSION}

    def build() -> dict[str, np.ndarray]:
        split_id = 0 if split == "train" else 1
        videos = textured_videos(np.random.default_rng([seed, 100, split_id]), n,
                                 cfg.rovr_len, cfg.rovr_size)
        return mask_arrays(videos, cfg, seed=seed * 2 + split_id)

    return _to_set(cached_arrays("masked", params, seed, build, use_cache=use_cache))
