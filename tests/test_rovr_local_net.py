"""Gamma with masks and a residual over the copy (rlvid.nn.local_net), the copy-best-pair
fill, and the moving objects of the masked videos, on inputs with known answers."""

import numpy as np
import pytest
import torch

from rlvid.data.inpaint_baselines import copy_pair_fill
from rlvid.data.masked import _bounce, object_tracks, textured_videos
from rlvid.nn.local_net import MaskedResidualUNet, build_local_net, copy_fill, hidden_mask
from rlvid.nn.rovr import LocalUNet


def _frames():
    """A target with a 2x2 hole at (0, 0) and a 1x1 hole at (3, 3); a sees (0, 0) only,
    b sees everything but (0, 0)."""
    target = torch.full((1, 3, 4, 4), 0.5)
    target[..., :2, :2] = 0.0
    target[..., 3, 3] = 0.0
    a = torch.full((1, 3, 4, 4), 0.2)
    a[..., 2:, 2:] = 0.0  # a hides the lower right block
    b = torch.full((1, 3, 4, 4), 0.8)
    b[..., 0, 0] = 0.0
    return target, a, b


def test_hidden_mask_is_black_in_every_channel():
    x = torch.ones(1, 3, 2, 2)
    x[0, :, 0, 0] = 0.0
    x[0, 0, 1, 1] = 0.0  # black in one channel only: visible
    assert hidden_mask(x)[0, 0].tolist() == [[True, False], [False, False]]


def test_copy_fill_takes_the_frames_that_see_a_pixel_then_the_mean():
    target, a, b = _frames()
    out = copy_fill(target, [a, b], hidden_mask(target), [hidden_mask(a), hidden_mask(b)])
    assert torch.allclose(out[0, :, 0, 0], torch.full((3,), 0.2))  # only a sees it
    assert torch.allclose(out[0, :, 1, 1], torch.full((3,), 0.5))  # both: their mean
    assert torch.allclose(out[0, :, 3, 3], torch.full((3,), 0.8))  # only b sees it
    assert torch.equal(out[0, :, 2, 0], target[0, :, 2, 0])  # visible pixels untouched
    target[..., 2:, :2] = 0.3  # the target's visible mean becomes (4 * 0.3 + 7 * 0.5) / 11
    b[..., 1, 1] = 0.0
    a[..., 1, 1] = 0.0  # now (1, 1) is hidden in both: the target's visible mean
    out = copy_fill(target, [a, b], hidden_mask(target), [hidden_mask(a), hidden_mask(b)])
    assert torch.allclose(out[0, :, 1, 1], torch.full((3,), (4 * 0.3 + 7 * 0.5) / 11))


def test_untrained_masked_residual_net_returns_the_copy():
    torch.manual_seed(0)
    target, a, b = [torch.nn.functional.interpolate(x, scale_factor=2, mode="nearest")
                    for x in _frames()]
    net = MaskedResidualUNet((4, 8))
    with torch.no_grad():
        out = net(target, a, b)
    copy = copy_fill(target, [a, b], hidden_mask(target), [hidden_mask(a), hidden_mask(b)])
    assert torch.equal(out, copy)


def test_masked_residual_net_learns_a_correction_and_keeps_visible_pixels():
    torch.manual_seed(0)
    target, a, b = [torch.nn.functional.interpolate(x, scale_factor=2, mode="nearest")
                    for x in _frames()]
    truth = torch.full_like(target, 0.5)  # the copy (0.2 / 0.8) is wrong in the holes
    net = MaskedResidualUNet((4, 8))
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    first = None
    for _ in range(60):
        loss = (net(target, a, b) - truth).pow(2).mean()
        first = float(loss.detach()) if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        out = net(target, a, b)
    assert float((out - truth).pow(2).mean()) < 0.2 * first
    visible = ~hidden_mask(target).expand_as(target)
    assert torch.equal(out[visible], target[visible])


def test_build_local_net_kinds():
    assert isinstance(build_local_net((4, 8), kind="paper"), LocalUNet)
    assert isinstance(build_local_net((4, 8), kind="masked_residual"), MaskedResidualUNet)
    with pytest.raises(ValueError, match="local_net"):
        build_local_net((4, 8), kind="bogus")


def test_copy_pair_fill_takes_the_nearer_frame_first():
    video = torch.stack([torch.full((3, 2, 2), v) for v in (0.1, 0.2, 0.3, 0.4, 0.5)])
    masks = torch.zeros(5, 1, 2, 2, dtype=torch.bool)
    masks[2, :, 0, :] = True  # target 2 hides its top row
    masks[3, :, 0, 0] = True  # frame 3 (nearer) hides one of those pixels
    pairs = torch.tensor([[1, 3]] * 5)
    pairs[2] = torch.tensor([0, 3])  # frame 3 is nearer to 2 than frame 0
    out = copy_pair_fill(video, masks, pairs)
    assert out[2, 0, 0, 1] == pytest.approx(0.4)  # from frame 3
    assert out[2, 0, 0, 0] == pytest.approx(0.1)  # frame 3 hides it: from frame 0
    assert torch.equal(out[2, :, 1], video[2, :, 1])


def test_bounce_folds_into_the_walls():
    pos = np.array([0.0, 5.0, 11.0, 25.0, -3.0])
    assert _bounce(pos, 0.0, 10.0).tolist() == [0.0, 5.0, 9.0, 5.0, 3.0]


def test_objects_move_several_pixels_per_frame_and_stay_inside():
    rng = np.random.default_rng(0)
    track = object_tracks(rng, 20, 32, radius=2.0)
    assert (track >= 2.0).all() and (track <= 30.0).all()
    step = np.linalg.norm(np.diff(track, axis=0), axis=1)
    assert np.median(step) >= 2.5  # OBJECT_SPEED is 3..5 px/frame, less only at a bounce


def test_videos_have_no_black_pixel_and_differ_between_frames():
    v = textured_videos(np.random.default_rng(1), 2, 6, 32)
    assert (v.max(axis=2) > 0).all()  # no pixel black in every channel (the hidden mark)
    assert (np.abs(np.diff(v, axis=1)).max(axis=(2, 3, 4)) > 0.1).all()
