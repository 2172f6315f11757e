"""Procedural city aerials (RL-V2V-GAN §6.1, dataset 3; Table 4).

- X: daytime modern-city aerials. Y: night-time small-town aerials.
- Z: daytime small-town aerials. Zbar: night-time city aerial images.
- twin of an X video: the same scene, seen by the same camera, at night.

A *world* is a square map (larger than the view) of a road grid and building
footprints with heights. A modern city has small blocks packed with tall buildings of
varied heights and roofs; a small town has large grassy blocks with a few low houses
and trees. The same world renders by day (sunlit ground, roofs with darker edges, and
shadows whose length is proportional to each building's height) or by night (dark
ground, sodium street lights along the roads with a glow, and lit windows on the
buildings). A camera pans and turns slowly over the world: each frame is an affine
crop of the world raster (drawn at 2x and averaged down).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from rlvid.data.render import SUPERSAMPLE, downsample, smooth_noise
from rlvid.progress import progress

MAX_PAN = 0.012  # camera speed, view widths per frame
MAX_TURN = 0.02  # camera rotation, radians per frame


@dataclass(frozen=True)
class Style:
    block: tuple[float, float]  # block side, view widths
    road: float  # road width
    town: bool  # sparse low houses on grass instead of dense tall buildings
    lamp_spacing: float  # street lights along roads
    lit_share: float  # share of windows lit at night


CITY = Style(block=(0.28, 0.45), road=0.05, town=False, lamp_spacing=0.1, lit_share=0.28)
TOWN = Style(block=(0.45, 0.7), road=0.035, town=True, lamp_spacing=0.18, lit_share=0.45)


@dataclass(frozen=True)
class World:
    """Raster maps of one world: ``ids`` (R, R) building index + 1 (0 = none);
    ``road`` (R, R) bool; ``shadow`` (R, R) float; per building ``roof`` colours
    (B + 1, 3) and ``height`` (B + 1,); ``ppu`` pixels per view width."""

    style: Style
    ids: np.ndarray
    road: np.ndarray
    lamps: np.ndarray
    shadow: np.ndarray
    roof: np.ndarray
    height: np.ndarray
    ground_noise: np.ndarray
    trees: np.ndarray
    lit: np.ndarray
    ppu: int


def _road_starts(rng: np.random.Generator, style: Style, extent: float) -> np.ndarray:
    starts, p = [], -rng.uniform(0, style.block[1])
    while p < extent:
        starts.append(p)
        p += style.road + rng.uniform(*style.block)
    return np.array(starts)


def _buildings(rng: np.random.Generator, style: Style, y0: float, x0: float, y1: float,
               x1: float) -> list[tuple[float, float, float, float, float]]:
    """Footprints ``(y0, x0, y1, x1, height)`` inside one block."""
    out = []
    if style.town:
        cells = 3
        hy, hx = (y1 - y0) / cells, (x1 - x0) / cells
        for cell in rng.permutation(cells * cells)[: rng.integers(2, 6)]:
            r, c = divmod(int(cell), cells)
            h, w = rng.uniform(0.08, 0.13, 2)
            cy = y0 + (r + 0.5) * hy + rng.uniform(-0.2, 0.2) * hy
            cx = x0 + (c + 0.5) * hx + rng.uniform(-0.2, 0.2) * hx
            out.append((cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2,
                        rng.uniform(0.04, 0.1)))
        return out
    ny, nx = rng.integers(1, 4, 2)
    edges_y = np.linspace(y0, y1, ny + 1)
    edges_x = np.linspace(x0, x1, nx + 1)
    for r in range(ny):
        for c in range(nx):
            fill = rng.uniform(0.7, 0.95, 2)
            ly, lx = edges_y[r + 1] - edges_y[r], edges_x[c + 1] - edges_x[c]
            cy, cx = edges_y[r] + ly / 2, edges_x[c] + lx / 2
            out.append((cy - ly * fill[0] / 2, cx - lx * fill[1] / 2, cy + ly * fill[0] / 2,
                        cx + lx * fill[1] / 2, float(np.clip(rng.lognormal(-1.0, 0.5), 0.12, 1.0))))
    return out


def _roof_colours(rng: np.random.Generator, style: Style, n: int) -> np.ndarray:
    if style.town:  # terracotta, brown, slate
        palette = np.float32([[0.62, 0.28, 0.18], [0.5, 0.35, 0.25], [0.38, 0.38, 0.42],
                              [0.7, 0.45, 0.3]])
        base = palette[rng.integers(len(palette), size=n)]
    else:  # concrete greys, glass blue-grey, beige: varied
        palette = np.float32([[0.7, 0.7, 0.7], [0.5, 0.52, 0.55], [0.45, 0.55, 0.65],
                              [0.75, 0.7, 0.6], [0.85, 0.85, 0.82], [0.35, 0.37, 0.4]])
        base = palette[rng.integers(len(palette), size=n)]
    return np.clip(base * rng.uniform(0.85, 1.15, (n, 1)), 0, 1).astype(np.float32)


def make_world(rng: np.random.Generator, style: Style, extent: float, ppu: int) -> World:
    """A square world ``extent`` view widths across, rasterised at ``ppu`` px per width."""
    size = int(round(extent * ppu))
    coords = (np.arange(size) + 0.5) / ppu
    road_y, road_x = _road_starts(rng, style, extent), _road_starts(rng, style, extent)

    def on_road(starts: np.ndarray) -> np.ndarray:
        return ((coords[:, None] >= starts) & (coords[:, None] < starts + style.road)).any(1)

    def near_lamp(starts: np.ndarray) -> np.ndarray:  # lamps on the road's centre line
        return (np.abs(coords[:, None] - (starts + style.road / 2)) < 0.6 / ppu * 2).any(1)

    ry, rx = on_road(road_y), on_road(road_x)
    road = ry[:, None] | rx[None, :]
    along = (coords / style.lamp_spacing) % 1.0 < 1.2 / (style.lamp_spacing * ppu)
    ly, lx = near_lamp(road_y), near_lamp(road_x)
    lamps = (ly[:, None] & along[None, :]) | (lx[None, :] & along[:, None])

    footprints: list[tuple[float, float, float, float, float]] = []
    ends_y = np.append(road_y + style.road, np.inf)
    ends_x = np.append(road_x + style.road, np.inf)
    for i in range(len(road_y)):
        for j in range(len(road_x)):
            y0, x0 = ends_y[i], ends_x[j]
            y1 = road_y[i + 1] if i + 1 < len(road_y) else extent + 0.3
            x1 = road_x[j + 1] if j + 1 < len(road_x) else extent + 0.3
            footprints += _buildings(rng, style, y0 + 0.01, x0 + 0.01, y1 - 0.01, x1 - 0.01)

    ids = np.zeros((size, size), np.float32)
    shadow = np.zeros((size, size), np.float32)
    sun = rng.uniform(0, 2 * np.pi)
    cast = 0.3 * np.array([np.cos(sun), np.sin(sun)])  # shadow length per unit height
    shift = 4  # cv2 sub-pixel drawing: coordinates in 1/16 pixel
    scale = ppu * (1 << shift)
    for k, (y0, x0, y1, x1, h) in enumerate(footprints, start=1):
        corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
        pts = np.concatenate([corners, corners + cast * h])
        hull = cv2.convexHull(np.round(pts * scale).astype(np.int32))
        cv2.fillConvexPoly(shadow, hull, 1.0, cv2.LINE_AA, shift)
        p0 = tuple(int(v) for v in np.round(corners[0] * scale))
        p1 = tuple(int(v) for v in np.round(corners[2] * scale))
        cv2.rectangle(ids, p0, p1, float(k), -1, cv2.LINE_8, shift)
    heights = np.array([0.0] + [f[4] for f in footprints], np.float32)
    roofs = _roof_colours(rng, style, len(footprints))
    roof = np.concatenate([np.zeros((1, 3), np.float32), roofs])
    ground = smooth_noise(rng, size, max(2, int(extent * 6)), octaves=3)
    trees = np.zeros((size, size), bool)
    if style.town:
        canopy = smooth_noise(rng, size, max(2, int(extent * 14)), octaves=2)
        trees = (canopy > 0.68) & ~road
    # windows: a lattice of small squares, each lit at random (used at night)
    period = 0.03 if not style.town else 0.05
    cell = np.floor(coords / period).astype(int)
    inside = (coords / period) % 1.0 < 0.5
    table = rng.random((cell.max() + 1, cell.max() + 1)) < style.lit_share
    lit = table[cell[:, None], cell[None, :]] & inside[:, None] & inside[None, :]
    return World(style, ids.astype(np.int32), road, lamps, np.clip(shadow, 0, 1), roof,
                 heights, ground, trees, lit, ppu)


def paint_day(w: World) -> np.ndarray:
    """(R, R, 3) daylight raster."""
    g = w.ground_noise[..., None]
    if w.style.town:
        img = np.float32([0.3, 0.45, 0.2]) * (0.8 + 0.35 * g)
        img = np.where(w.trees[..., None], np.float32([0.12, 0.28, 0.1]) * (0.8 + 0.4 * g), img)
    else:
        img = np.float32([0.58, 0.57, 0.54]) * (0.88 + 0.2 * g)
    img = np.where(w.road[..., None], np.float32([0.28, 0.28, 0.3]), img)
    img = img * (1 - 0.55 * w.shadow[..., None])  # shadows fall on ground and roads
    roofs = w.roof[w.ids] * np.where(_edges(w.ids), 0.75, 1.0)[..., None]
    return np.where((w.ids > 0)[..., None], roofs, img).astype(np.float32)


def paint_night(w: World) -> np.ndarray:
    """(R, R, 3) night raster: dark ground, street lights with glow, lit windows."""
    g = w.ground_noise[..., None]
    img = np.float32([0.03, 0.035, 0.05]) * (0.8 + 0.4 * g)
    if w.style.town:
        img = np.where(w.trees[..., None], np.float32([0.01, 0.02, 0.015]), img)
    img = np.where(w.road[..., None], np.float32([0.07, 0.07, 0.08]), img)
    sodium = np.float32([1.0, 0.72, 0.35])
    lamps = w.lamps.astype(np.float32)
    glow = cv2.GaussianBlur(lamps, (0, 0), 0.018 * w.ppu) * (0.018 * w.ppu) ** 2 * 2.5
    img = img + np.clip(glow, 0, 0.4)[..., None] * sodium
    roofs = np.float32([0.06, 0.06, 0.08]) * (0.8 + w.roof[w.ids])
    warm = np.where(w.ground_noise[..., None] > 0.3, np.float32([1.0, 0.85, 0.5]),
                    np.float32([0.85, 0.9, 1.0]))
    roofs = np.where(w.lit[..., None], warm, roofs)
    img = np.where((w.ids > 0)[..., None], roofs, img)
    img = np.where(w.lamps[..., None], sodium, img)
    return np.clip(img, 0, 1).astype(np.float32)


def _edges(ids: np.ndarray) -> np.ndarray:
    """Pixels on a roof's border (their 3x3 neighbourhood holds another id)."""
    kernel = np.ones((3, 3), np.uint8)
    as_float = ids.astype(np.float32)
    return cv2.dilate(as_float, kernel) != cv2.erode(as_float, kernel)


@dataclass(frozen=True)
class Camera:
    centre: np.ndarray  # (T, 2) x, y in view widths, world coordinates
    angle: np.ndarray  # (T,) radians


def random_camera(rng: np.random.Generator, frames: int, extent: float) -> Camera:
    speed = rng.uniform(0.3, 1.0) * MAX_PAN
    heading = rng.uniform(0, 2 * np.pi)
    t = np.arange(frames) - (frames - 1) / 2
    centre = extent / 2 + np.outer(t, [np.cos(heading), np.sin(heading)]) * speed
    angle = rng.uniform(0, 2 * np.pi) + rng.uniform(-1, 1) * MAX_TURN * np.arange(frames)
    return Camera(centre, angle)


def world_extent(frames: int) -> float:
    """A world wide enough for a turned view (half-diagonal 0.71) and the whole pan."""
    return 2 * (0.72 + MAX_PAN * frames / 2) + 0.02


def film(raster: np.ndarray, cam: Camera, ppu: int, nearest: bool = False) -> np.ndarray:
    """Frames (T, V, V, ...) seen by ``cam`` in a world raster, view V = ``ppu`` pixels."""
    frames = []
    half = ppu / 2
    flags = (cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR) | cv2.WARP_INVERSE_MAP
    for (cx, cy), a in zip(cam.centre * ppu, cam.angle):
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        offset = np.array([cx, cy]) - rot @ np.array([half, half])
        m = np.hstack([rot, offset[:, None]]).astype(np.float32)
        frames.append(cv2.warpAffine(raster, m, (ppu, ppu), flags=flags,
                                     borderMode=cv2.BORDER_REFLECT))
    return np.stack(frames)


def render(rng: np.random.Generator, n: int, frames: int, size: int, style: Style,
           night: bool, twin: bool = False) -> dict[str, np.ndarray]:
    """``n`` videos: ``video`` (n, T, H, W, 3), ``fg`` (n, T, H, W) building roofs;
    with ``twin`` also ``twin`` (the same worlds and cameras at night) and ``twin_fg``."""
    ppu = size * SUPERSAMPLE
    extent = world_extent(frames)
    out = {key: [] for key in ("video", "fg", "twin", "twin_fg")}
    for _ in progress(range(n), desc=f"city: rendering {style} videos"):
        world = make_world(rng, style, extent, ppu)
        cam = random_camera(rng, frames, extent)
        fg = downsample(film((world.ids > 0).astype(np.float32), cam, ppu, nearest=True)) >= 0.5
        paint = paint_night if night else paint_day
        out["video"].append(downsample(film(paint(world), cam, ppu)))
        out["fg"].append(fg)
        if twin:
            out["twin"].append(downsample(film(paint_night(world), cam, ppu)))
            out["twin_fg"].append(fg)
    return {k: np.stack(v) for k, v in out.items() if v}


def make_sets(
    rngs: dict[str, np.random.Generator], counts: dict[str, int], size: int, frames: int
) -> dict[str, np.ndarray]:
    """Every domain of dataset 3, channels last; see :mod:`rlvid.data.v2v_sets`."""
    r, c = rngs, counts
    out = {
        "x": render(r["x"], c["x"], frames, size, CITY, night=False)["video"],
        "y": render(r["y"], c["y"], frames, size, TOWN, night=True)["video"],
        "z": render(r["z"], c["z"], frames, size, TOWN, night=False)["video"],
        "y_test": render(r["y_test"], c["y_test"], frames, size, TOWN, night=True)["video"],
        "zbar": render(r["zbar"], c["zbar"], 1, size, CITY, night=True)["video"][:, 0],
    }
    test = render(r["x_test"], c["x_test"], frames, size, CITY, night=False, twin=True)
    out["x_test"], out["x_test_fg"] = test["video"], test["fg"]
    out["x_test_twin"], out["twin_fg"] = test["twin"], test["twin_fg"]
    return out
