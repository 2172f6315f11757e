"""Packaged photographs, camera pans, moving-box masks and the reference fills."""

import math

import numpy as np
import pytest
import torch

from rlvid.data.inpaint_baselines import (
    comparison_sentences,
    copy_nearest_visible,
    hidden_scores,
    mean_fill,
    reference_fills,
    telea_fill,
)
from rlvid.data.photos import (
    PHOTOS,
    PhotoError,
    load_photo,
    moving_boxes,
    packaged_photos,
    pan_video,
    write_masks,
)
from rlvid.errors import RlvidError


def ramp(height: int = 40, width: int = 200) -> np.ndarray:
    """A horizontal grey ramp: value x / (width - 1) at column x."""
    row = np.arange(width, dtype=np.float32) / (width - 1)
    return np.repeat(np.tile(row, (height, 1))[..., None], 3, axis=2)


# ---------------------------------------------------------------- packaged photographs

def test_packaged_photos_load_offline():
    pytest.importorskip("skimage")
    names = packaged_photos()
    assert names, "scikit-image's wheel carries colour photographs"
    assert set(names) <= set(PHOTOS)
    for name in names:
        image = load_photo(name)
        assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.float32
        assert 0.0 <= image.min() and image.max() <= 1.0 and image.std() > 0.05


def test_unknown_photo_is_one_line():
    with pytest.raises(PhotoError) as info:
        load_photo("no_such_photo")
    assert "\n" not in str(info.value) and "astronaut" in str(info.value)


# ---------------------------------------------------------------- pans

def test_ramp_moves_by_the_requested_subpixel_step():
    speed, width = 0.25, 200
    video = pan_video(ramp(width=width), frames=9, size=(40, 60), speed_px_per_frame=speed)
    assert video.shape == (9, 3, 40, 60) and video.dtype == torch.float32
    step = video[1:] - video[:-1]
    torch.testing.assert_close(step, torch.full_like(step, speed / (width - 1)),
                               atol=1e-6, rtol=0)
    torch.testing.assert_close(video[0, 0, 0, :3], torch.tensor([0.0, 1.0, 2.0]) / (width - 1))


def test_integer_pan_shifts_content_exactly():
    image = np.random.default_rng(0).random((30, 90, 3), dtype=np.float32)
    video = pan_video(image, frames=6, size=30, speed_px_per_frame=3)
    torch.testing.assert_close(video[0], torch.from_numpy(image[:, :30]).permute(2, 0, 1))
    for t in range(5):
        assert torch.equal(video[t + 1][:, :, :-3], video[t][:, :, 3:])


def test_pan_up_starts_at_the_bottom_and_moves_content_down():
    image = np.random.default_rng(1).random((50, 20, 3), dtype=np.float32)
    video = pan_video(image, frames=5, size=20, speed_px_per_frame=(0.0, -2.0))
    torch.testing.assert_close(video[0], torch.from_numpy(image[30:]).permute(2, 0, 1))
    for t in range(4):
        assert torch.equal(video[t + 1][:, 2:], video[t][:, :-2])


def test_real_photo_pan_shape_range_and_determinism():
    pytest.importorskip("skimage")
    image = load_photo(packaged_photos()[0])
    a = pan_video(image, 12, (32, 48), 0.7, view=0.6, start=0.5)
    b = pan_video(torch.from_numpy(image).permute(2, 0, 1), 12, (32, 48), 0.7, view=0.6,
                  start=0.5)
    assert a.shape == (12, 3, 32, 48)
    assert 0.0 <= a.min() and a.max() <= 1.0
    torch.testing.assert_close(a, b)
    assert torch.equal(a, pan_video(image, 12, (32, 48), 0.7, view=0.6, start=0.5))


def test_impossible_pan_is_refused_in_one_line():
    with pytest.raises(PhotoError) as info:
        pan_video(ramp(width=70), frames=20, size=40, speed_px_per_frame=2.0)
    message = str(info.value)
    assert isinstance(info.value, RlvidError) and "\n" not in message
    assert "travel" in message and "38" in message  # 19 steps of 2 px


@pytest.mark.parametrize("kwargs", [dict(frames=0), dict(view=0.0), dict(view=1.5),
                                    dict(start=-0.1), dict(size=0)])
def test_bad_pan_arguments(kwargs):
    args = {**dict(image=ramp(), frames=4, size=20, speed_px_per_frame=1.0), **kwargs}
    with pytest.raises(PhotoError):
        pan_video(**args)


def test_bad_image_shape():
    with pytest.raises(PhotoError):
        pan_video(np.zeros((10, 10)), 2, 5, 0.0)


# ---------------------------------------------------------------- masks

def test_moving_box_masks():
    masks = moving_boxes(10, (40, 60), boxes=1, box=0.25, speed=1.0, seed=3)
    assert masks.shape == (10, 1, 40, 60) and masks.dtype == torch.bool
    assert all(int(m.sum()) == 100 for m in masks)  # one 10x10 box per frame
    ys, xs = torch.meshgrid(torch.arange(40.0), torch.arange(60.0), indexing="ij")
    centres = torch.stack([torch.stack([ys[m[0]].mean(), xs[m[0]].mean()]) for m in masks])
    steps = (centres[1:] - centres[:-1]).norm(dim=1)
    assert steps.max() <= 1.5 and steps.sum() > 3  # it moves, about 1 px per frame
    assert torch.equal(masks, moving_boxes(10, (40, 60), boxes=1, box=0.25, seed=3))


def test_masks_written_as_greyscale_png(tmp_path):
    import imageio.v3 as iio

    masks = moving_boxes(4, 16, boxes=2, seed=0)
    folder = write_masks(tmp_path / "masks", masks)
    files = sorted(folder.glob("*.png"))
    assert [f.name for f in files] == [f"mask_{t:05d}.png" for t in range(4)]
    for file, mask in zip(files, masks):
        plane = iio.imread(file)
        assert plane.ndim == 2 and plane.dtype == np.uint8
        assert set(np.unique(plane)) <= {0, 255}
        assert np.array_equal(plane == 255, mask[0].numpy())


# ---------------------------------------------------------------- reference fills

def test_copy_nearest_visible_prefers_the_earlier_frame():
    video = torch.stack([torch.full((3, 4, 4), v) for v in (0.2, 0.5, 0.8)])
    masks = torch.zeros(3, 1, 4, 4, dtype=torch.bool)
    masks[1, 0, 1:3, 1:3] = True
    out = copy_nearest_visible(video, masks)
    assert torch.allclose(out[1, :, 1:3, 1:3], torch.tensor(0.2))
    assert torch.equal(out.where(masks, video), out) and torch.equal(out[~masks.expand_as(out)],
                                                                     video[~masks.expand_as(out)])


def test_copy_nearest_visible_restores_a_still_scene():
    frame = torch.rand(3, 12, 12, generator=torch.Generator().manual_seed(0))
    video = frame.expand(8, -1, -1, -1).clone()
    masks = moving_boxes(8, 12, boxes=1, box=0.3, speed=2.0, seed=1)
    assert torch.equal(copy_nearest_visible(video, masks), video)


def test_telea_and_mean_fill_on_flat_frames():
    video = torch.full((2, 3, 16, 16), 0.4)
    video[:, 1] = 0.7
    masks = moving_boxes(2, 16, boxes=1, box=0.3, seed=0)
    for fill in (telea_fill, mean_fill):
        # Telea works in 8 bits with weighted sums: within 2 grey levels on a flat frame
        torch.testing.assert_close(fill(video, masks), video, atol=2.5 / 255, rtol=0)


def test_mean_fill_uses_the_frame_mean_of_visible_pixels():
    video = torch.zeros(1, 3, 2, 2)
    video[0, :, 0, 0] = torch.tensor([0.3, 0.6, 0.9])
    masks = torch.zeros(1, 1, 2, 2, dtype=torch.bool)
    masks[0, 0, 1, 1] = True
    out = mean_fill(video, masks)
    torch.testing.assert_close(out[0, :, 1, 1], torch.tensor([0.1, 0.2, 0.3]))


def test_fills_keep_visible_pixels_and_check_shapes():
    video = torch.rand(5, 3, 16, 16, generator=torch.Generator().manual_seed(2))
    masks = moving_boxes(5, 16, boxes=2, box=0.3, speed=1.0, seed=4)
    keep = ~masks.expand_as(video)
    for out in reference_fills(video, masks).values():
        assert torch.equal(out[keep], video[keep])
    with pytest.raises(RlvidError):
        telea_fill(video, masks[:, :, :8])


def test_hidden_scores_known_answers():
    truth = torch.rand(3, 3, 16, 16, generator=torch.Generator().manual_seed(5)) * 0.8
    masks = moving_boxes(3, 16, boxes=1, box=0.25, seed=0)
    exact = hidden_scores(truth, truth, masks)
    assert exact["hidden_mse"] == 0 and math.isinf(exact["hidden_psnr"])
    assert exact["ssim"] == pytest.approx(1.0) and exact["visible_mse"] == 0
    off = hidden_scores(truth + 0.1 * masks, truth, masks)
    assert off["hidden_mse"] == pytest.approx(0.01)
    assert off["hidden_psnr"] == pytest.approx(20.0)
    assert off["ssim"] < 1 and off["visible_mse"] == 0
    with pytest.raises(RlvidError):
        hidden_scores(truth, truth, torch.zeros_like(masks))


def test_comparison_sentences_follow_the_numbers():
    ours = {"hidden_mse": 0.02, "hidden_psnr": 17.0, "ssim": 0.9}
    lines = comparison_sentences("ROVR", ours, {
        "worse": {"hidden_mse": 0.03, "hidden_psnr": 15.2, "ssim": 0.8},
        "better": {"hidden_mse": 0.01, "hidden_psnr": 20.0, "ssim": 0.95},
        "mixed": {"hidden_mse": 0.01, "hidden_psnr": 20.0, "ssim": 0.85},
    })
    assert lines[0] == ("ROVR beats worse on every score: hidden_mse 0.02 vs 0.03, "
                        "hidden_psnr 17 vs 15.2, ssim 0.9 vs 0.8.")
    assert lines[1].startswith("ROVR loses to better on every score: hidden_mse 0.02 vs 0.01")
    assert lines[2] == ("ROVR is mixed against mixed: better on ssim 0.9 vs 0.85; not better "
                        "on hidden_mse 0.02 vs 0.01, hidden_psnr 17 vs 20.")
