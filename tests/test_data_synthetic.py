"""Synthetic shapes (RL-V2V-GAN dataset 1): the Figure 1 rule, twins, determinism, cache."""

import dataclasses

import numpy as np
import pytest
import torch

from rlvid.config import load_config
from rlvid.data import DatasetError, load_v2v_dataset, v2v_counts
from rlvid.data.shapes import BLUE, RED, Motion, background_blue_then_red, render

CFG = load_config("smoke").data


@pytest.fixture(scope="module")
def data():
    return load_v2v_dataset("synthetic", CFG, seed=0, use_cache=False)


def corner_colours(videos: torch.Tensor) -> np.ndarray:
    """Background colour of every frame: the median over the border pixels."""
    v = videos.numpy()
    border = np.concatenate([v[..., 0, :], v[..., -1, :], v[..., :, 0], v[..., :, -1]], -1)
    return np.median(border, axis=-1)  # (N, T, 3)


@pytest.mark.parametrize("key", ["y", "y_test", "x_test_twin"])
def test_blue_first_half_red_second_half(data, key):
    colours = corner_colours(getattr(data, key))
    frames = colours.shape[1]
    for t in range(frames):
        expected = BLUE if 2 * t < frames else RED
        np.testing.assert_allclose(colours[:, t], np.broadcast_to(expected, colours[:, t].shape),
                                   atol=1e-6)


def test_source_and_z_on_black_and_zbar_on_blue_or_red(data):
    for key in ("x", "z", "x_test"):
        assert np.abs(corner_colours(getattr(data, key))).max() == 0
    border = corner_colours(data.zbar[:, None])[:, 0]
    is_blue = np.abs(border - BLUE).max(-1) < 1e-6
    is_red = np.abs(border - RED).max(-1) < 1e-6
    assert (is_blue | is_red).all() and is_blue.any() and is_red.any()


def centroids(fg: torch.Tensor) -> np.ndarray:
    m = fg[:, :, 0].numpy().astype(float)
    ys, xs = np.mgrid[: m.shape[-2], : m.shape[-1]]
    area = m.sum((-2, -1))
    return np.stack([(m * ys).sum((-2, -1)) / area, (m * xs).sum((-2, -1)) / area], -1)


def test_twin_shares_its_source_motion():
    # one object per video: a circle of the rectangle's area has the same centroid
    rng = np.random.default_rng(0)
    n, frames, size = 3, 6, 32
    centres = np.stack([np.linspace(0.3, 0.7, frames), np.linspace(0.7, 0.35, frames)], -1)
    motion = Motion(
        centres=np.broadcast_to(centres[None, :, None], (n, frames, 1, 2)).astype(np.float32),
        half=rng.uniform(0.08, 0.14, (n, 1, 2)).astype(np.float32),
        colours=np.ones((n, 1, 3), np.float32), present=np.ones((n, 1), bool),
    )
    _, fg_rect = render(motion, size, "rectangle", np.zeros((n, frames, 3), np.float32))
    _, fg_circ = render(motion, size, "circle", background_blue_then_red(n, frames))
    a, b = centroids(torch.from_numpy(fg_rect[:, :, None])), centroids(
        torch.from_numpy(fg_circ[:, :, None]))
    np.testing.assert_allclose(a, b, atol=0.35)
    np.testing.assert_allclose(a[0, :, 1], centres[:, 1] * size - 0.5, atol=0.6)


def test_dataset_twins_follow_their_sources(data):
    a, b = centroids(data.x_test_fg), centroids(data.twin_fg)
    # objects may overlap differently as rectangles and circles: allow a pixel
    assert np.abs(a - b).max() < 0.1 * CFG.size
    assert np.isfinite(a).all()
    # and the twin differs from every other source video's motion
    other = np.roll(a, 1, axis=0)
    assert np.abs(other - b).mean() > np.abs(a - b).mean()


def test_shapes_counts_and_ranges(data):
    counts = v2v_counts("synthetic", CFG)
    t, s = CFG.video_len, CFG.size
    assert counts["x"] == max(CFG.min_videos, round(600 * CFG.count_scale / t))
    for key, n in counts.items():
        tensor = getattr(data, key)
        assert tensor.shape[0] == n
        if key == "zbar":
            assert tensor.shape == (n, 3, s, s)
        elif key in ("x_test_fg", "twin_fg"):
            assert tensor.shape == (n, t, 1, s, s) and tensor.dtype == torch.bool
        else:
            assert tensor.shape == (n, t, 3, s, s) and tensor.dtype == torch.float32
            assert tensor.min() >= 0 and tensor.max() <= 1
    assert data.x_test_fg.any() and data.twin_fg.any()


def test_paper_counts():
    cfg = load_config("paper").data
    counts = v2v_counts("synthetic", cfg)
    assert counts["x"] * cfg.video_len == 600 and counts["zbar"] == 100


def test_deterministic_and_cache_hit(tmp_path, monkeypatch):
    monkeypatch.setenv("RLVID_CACHE", str(tmp_path))
    a = load_v2v_dataset("synthetic", CFG, seed=4, use_cache=False)
    b = load_v2v_dataset("synthetic", CFG, seed=4)
    c = load_v2v_dataset("synthetic", CFG, seed=4)
    assert len(list(tmp_path.glob("synthetic-*.npz"))) == 1
    for f in dataclasses.fields(a):
        if f.name != "name":
            assert torch.equal(getattr(a, f.name), getattr(b, f.name))
            assert torch.equal(getattr(a, f.name), getattr(c, f.name))
    d = load_v2v_dataset("synthetic", CFG, seed=5, use_cache=False)
    assert not torch.equal(a.x, d.x) and not torch.equal(a.zbar, d.zbar)


def test_unknown_dataset_names_the_parameter():
    with pytest.raises(DatasetError, match="'nope'"):
        load_v2v_dataset("nope", CFG)
