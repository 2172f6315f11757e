"""Flowers and city aerials (RL-V2V-GAN datasets 2 and 3): domains, twins, determinism."""

import colorsys

import numpy as np
import pytest
import torch

from rlvid.config import load_config
from rlvid.data import load_v2v_dataset, v2v_counts

CFG = load_config("smoke").data


@pytest.fixture(scope="module")
def flowers():
    return load_v2v_dataset("flowers", CFG, seed=0, use_cache=False)


@pytest.fixture(scope="module")
def city():
    return load_v2v_dataset("city", CFG, seed=0, use_cache=False)


def flower_hues(videos: torch.Tensor) -> np.ndarray:
    """Hue of the most saturated bright pixels of each frame (the petals)."""
    v = videos.flatten(0, -4).permute(0, 2, 3, 1).reshape(-1, CFG.size * CFG.size, 3).numpy()
    hues = []
    for frame in v:
        sat = frame.max(1) - frame.min(1)
        top = frame[np.argsort(sat)[-6:]].mean(0)
        hues.append(colorsys.rgb_to_hsv(*top)[0])
    return np.array(hues)


def hue_distance(h: np.ndarray, target: float) -> np.ndarray:
    d = np.abs(h - target) % 1.0
    return np.minimum(d, 1 - d)


def test_flower_colours(flowers):
    red = flower_hues(flowers.x)
    assert (hue_distance(red, 0.0) < hue_distance(red, 0.14)).all()
    assert np.median(hue_distance(red, 0.0)) < 0.04
    for key in ("y", "z", "x_test_twin"):
        yellow = flower_hues(getattr(flowers, key))
        assert (hue_distance(yellow, 0.14) < hue_distance(yellow, 0.0)).all()
        assert np.median(hue_distance(yellow, 0.14)) < 0.04
    zbar = flower_hues(flowers.zbar[:, None])
    assert np.ptp(zbar) > 0.5  # random colours


def test_flower_backgrounds(flowers):
    border = lambda v: torch.cat([v[..., 0, :], v[..., :, 0], v[..., :, -1]], -1)  # noqa: E731
    for key in ("x", "z", "x_test"):
        assert border(getattr(flowers, key)).median(-1).values.max() == 0  # black
    for key in ("y", "y_test", "x_test_twin"):
        v = getattr(flowers, key)
        assert (v.flatten(-3).mean(-1) > 0.1).all()  # natural, not black
        assert (v.std(dim=(-2, -1)) > 0.02).all()  # textured, not flat


def test_flowers_bloom(flowers):
    area = flowers.x_test_fg.float().mean(dim=(2, 3, 4))
    assert (area[:, -1] > area[:, 0]).all()  # petals open over the video


@pytest.mark.parametrize("name", ["flowers", "city"])
def test_twins_share_geometry(name, flowers, city):
    data = flowers if name == "flowers" else city
    assert torch.equal(data.twin_fg, data.x_test_fg)
    assert data.x_test_fg.any() and not torch.equal(data.x_test, data.x_test_twin)


def test_city_day_and_night(city):
    brightness = lambda v: v.mean(dim=tuple(range(1, v.dim())))  # noqa: E731
    day = torch.cat([brightness(city.x), brightness(city.z), brightness(city.x_test)])
    night = torch.cat([brightness(city.y), brightness(city.zbar), brightness(city.x_test_twin)])
    assert day.min() > 0.25 and night.max() < 0.25
    assert (brightness(city.x_test) - brightness(city.x_test_twin)).min() > 0.15
    # night has small bright lights: street lamps and lit windows
    assert (city.y.amax(dim=(1, 2, 3, 4)) > 0.5).all()


def test_city_versus_town(city):
    # a modern city is grey and dense with buildings; a small town is green and sparse
    green = lambda v: (v[..., 1, :, :] - v[..., 0, :, :]).mean().item()  # noqa: E731
    assert green(city.z) > 0.05 > green(city.x)
    cfg = load_config("smoke").data
    from rlvid.data.city import CITY, TOWN, render

    rng = np.random.default_rng(0)
    dense = render(rng, 2, 2, cfg.size, CITY, night=False)["fg"].mean()
    sparse = render(rng, 2, 2, cfg.size, TOWN, night=False)["fg"].mean()
    assert dense > 2 * sparse


def test_city_camera_moves(city):
    step = (city.x[:, 1:] - city.x[:, :-1]).abs().mean()
    assert step > 0.005
    # but slowly: consecutive frames are closer than frames of different videos
    assert step < (city.x[1:, 0] - city.x[:-1, 0]).abs().mean()


@pytest.mark.parametrize("name", ["flowers", "city"])
def test_counts_shapes_and_determinism(name, flowers, city):
    data = flowers if name == "flowers" else city
    for key, n in v2v_counts(name, CFG).items():
        tensor = getattr(data, key)
        assert tensor.shape[0] == n
        if tensor.dtype == torch.float32:
            assert 0 <= tensor.min() and tensor.max() <= 1 and torch.isfinite(tensor).all()
    again = load_v2v_dataset(name, CFG, seed=0, use_cache=False)
    other = load_v2v_dataset(name, CFG, seed=1, use_cache=False)
    assert torch.equal(again.x, data.x) and torch.equal(again.zbar, data.zbar)
    assert not torch.equal(other.x, data.x)


def test_paper_counts():
    cfg = load_config("paper").data
    flowers, city = v2v_counts("flowers", cfg), v2v_counts("city", cfg)
    assert flowers["zbar"] == 2000 and city["zbar"] == 1500
    assert city["x"] * cfg.video_len == 2000 and flowers["z"] * cfg.video_len == 900
