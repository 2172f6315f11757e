"""Known-answer tests for rlvid.metrics."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from skimage.metrics import structural_similarity

import rlvid.metrics.flow as flow_module
import rlvid.metrics.perceptual as perceptual_module
from rlvid.errors import RlvidError
from rlvid.metrics import (
    FlowRecoveryUndefined,
    flow_backend,
    flow_recovery,
    metric_backends,
    non_occlusion_mask,
    optical_flow,
    perceptual_backend,
    perceptual_distance,
    psnr,
    ssim,
    vgg16_features,
    video_flow,
    warp,
    warping_error,
)
from rlvid.metrics.backends import ALEXNET_WEIGHTS, RAFT_SMALL_WEIGHTS, Backend, choose_backend
from rlvid.metrics.demo import _texture, box_masks, demo_video, fill_from_neighbours, perturb

torch.set_num_threads(1)


def translated_video(frames: int = 6, size: int = 64, dy: int = 1, dx: int = 1) -> torch.Tensor:
    """A window panning over a fixed texture by (dy, dx) pixels per frame."""
    my, mx = abs(dy) * frames, abs(dx) * frames
    tex = _texture(np.random.default_rng(3), size + my, size + mx)
    y0, x0 = (0 if dy >= 0 else my), (0 if dx >= 0 else mx)
    out = np.stack(
        [tex[y0 + dy * t : y0 + dy * t + size, x0 + dx * t : x0 + dx * t + size]
         for t in range(frames)]
    )
    return torch.from_numpy(out).permute(0, 3, 1, 2).contiguous()


@pytest.fixture
def empty_torch_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    (tmp_path / "hub" / "checkpoints").mkdir(parents=True)
    return tmp_path / "hub" / "checkpoints"


# --- PSNR -------------------------------------------------------------------------------------


def test_psnr_of_known_mse():
    a = torch.zeros(2, 3, 8, 8)
    assert float(psnr(a, a + 0.1)) == pytest.approx(20.0, abs=1e-6)  # MSE 0.01
    assert float(psnr(a, a + 0.1, data_range=2.0)) == pytest.approx(26.0206, abs=1e-4)
    per_image = psnr(a, torch.cat([a[:1] + 0.1, a[1:] + 0.01]), reduction="none")
    assert per_image.shape == (2,)
    assert per_image.tolist() == pytest.approx([20.0, 40.0], abs=1e-6)
    assert torch.isinf(psnr(a, a))


# --- SSIM -------------------------------------------------------------------------------------


def test_ssim_is_one_for_identical_frames():
    video = demo_video(32, 3, seed=1)
    assert float(ssim(video, video)) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_ssim_matches_skimage(dtype):
    rng = np.random.default_rng(0)
    structured = demo_video(40, 2, seed=2).numpy()
    pairs = [
        (rng.random((3, 24, 31)), rng.random((3, 24, 31))),
        (structured[0], np.clip(structured[0] + 0.1 * rng.standard_normal((3, 40, 40)), 0, 1)),
        (structured[0], structured[1]),
    ]
    for a, b in pairs:
        expected = structural_similarity(
            a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
            data_range=1.0, channel_axis=0,
        )
        ta, tb = torch.as_tensor(a, dtype=dtype), torch.as_tensor(b, dtype=dtype)
        assert float(ssim(ta, tb)) == pytest.approx(expected, abs=1e-4)  # OpenCV filtering
        with_grad = ssim(ta.clone().requires_grad_(True), tb)  # torch convolutions
        assert float(with_grad.detach()) == pytest.approx(expected, abs=1e-4)


def test_ssim_per_image_and_small_input():
    video = demo_video(32, 4, seed=0)
    noisy = perturb(video, "noise", 0.1)
    values = ssim(video, noisy, reduction="none")
    assert values.shape == (4,)
    assert float(values.mean()) == pytest.approx(float(ssim(video, noisy)), abs=1e-6)
    assert (values < 0.99).all()
    with pytest.raises(ValueError, match="at least 11x11"):
        ssim(torch.zeros(3, 8, 8), torch.zeros(3, 8, 8))


# --- optical flow and warping ------------------------------------------------------------------


def test_dis_recovers_known_shift():
    video = translated_video(frames=2, size=64, dy=2, dx=-3)  # window moves by (+2, -3) px
    flow = optical_flow(video[0], video[1], backend="dis")
    assert flow.shape == (64, 64, 2) and flow.dtype == np.float32
    interior = flow[8:-8, 8:-8].reshape(-1, 2)
    # content moves against the window: dx = +3, dy = -2
    np.testing.assert_allclose(interior.mean(0), [3.0, -2.0], atol=0.1)
    assert np.abs(interior - [3.0, -2.0]).max() < 0.5
    rebuilt = warp(video[1], flow)
    assert (rebuilt - video[0])[:, 8:-8, 8:-8].abs().max() < 0.05


def test_video_flow_directions():
    video = translated_video(frames=4, size=48, dy=1, dx=2)
    fw = video_flow(video, backend="dis")
    bw = video_flow(video, backend="dis", direction="backward")
    assert fw.shape == bw.shape == (3, 48, 48, 2)
    np.testing.assert_allclose(fw[:, 8:-8, 8:-8].mean((0, 1, 2)), [-2.0, -1.0], atol=0.1)
    np.testing.assert_allclose(bw[:, 8:-8, 8:-8].mean((0, 1, 2)), [2.0, 1.0], atol=0.1)


def test_warp_integer_flow_is_a_shift():
    image = np.arange(5 * 7, dtype=np.float32).reshape(5, 7)
    flow = np.zeros((5, 7, 2), np.float32)
    flow[..., 0] = 2.0  # sample 2 pixels to the right
    out = warp(image, flow)
    np.testing.assert_array_equal(out[:, :5], image[:, 2:])
    np.testing.assert_array_equal(out[:, 5:], image[:, 6:7].repeat(2, axis=1))  # border clamp
    tensor_out = warp(torch.from_numpy(np.stack([image, -image])), flow)
    np.testing.assert_array_equal(tensor_out[1].numpy(), -out)


def test_non_occlusion_mask_forward_backward_check():
    consistent_fw = np.full((16, 16, 2), 1.5, np.float32)
    assert non_occlusion_mask(consistent_fw, -consistent_fw).all()
    # backward flow pointing the same way as the forward flow: every pixel fails the check
    assert not non_occlusion_mask(consistent_fw, consistent_fw).any()
    # a jump in the forward flow is a motion boundary
    jump = np.zeros((16, 16, 2), np.float32)
    jump[:, 8:, 0] = 1.0
    mask = non_occlusion_mask(jump, -jump)
    assert not mask[:, 7].any() and mask[:, :7].all() and mask[:, 8:].all()


def test_warping_error_near_zero_for_translation_and_grows_with_flicker():
    video = translated_video(frames=8, size=64, dy=1, dx=1)
    unaligned = float(((video[1:] - video[:-1]) ** 2).mean())
    clean = warping_error(video, backend="dis")
    assert clean < 0.05 * unaligned
    errors = [warping_error(perturb(video, "flicker", level), video) for level in (0.02, 0.05, 0.1)]
    assert clean < errors[0] < errors[1] < errors[2]
    assert errors[2] > 10 * clean
    batch = warping_error(torch.stack([video, perturb(video, "flicker", 0.1)]))
    assert batch.shape == (2,)
    assert batch.tolist() == pytest.approx([clean, warping_error(perturb(video, "flicker", 0.1))])


# --- perceptual distance ----------------------------------------------------------------------


def test_perceptual_distance_grows_with_noise():
    video = demo_video(32, 4, seed=0)
    distances = [
        float(perceptual_distance(video, perturb(video, "noise", level), backend="stlpips").mean())
        for level in (0.0, 0.02, 0.05, 0.1, 0.2)
    ]
    assert distances[0] == pytest.approx(0.0, abs=1e-6)
    assert all(a < b for a, b in zip(distances, distances[1:]))
    small = demo_video(16, 2, seed=0)  # upsampled to 32 inside; shape (T,) out
    assert perceptual_distance(small, perturb(small, "noise", 0.1)).shape == (2,)


def test_perceptual_backends_refuse_missing_weights(empty_torch_cache):
    assert perceptual_backend().name == "stlpips"
    assert "not in torch cache" in perceptual_backend().reason
    with pytest.raises(RlvidError, match=ALEXNET_WEIGHTS):
        perceptual_backend("lpips")
    with pytest.raises(RlvidError, match="unknown perceptual backend"):
        perceptual_backend("bogus")
    assert metric_backends() == {
        "perceptual": "stlpips (lpips alex weights not in torch cache)",
        "flow": "dis (raft weights not in torch cache)",
    }


def test_one_chooser_resolves_every_backend_name(empty_torch_cache):
    """flow and perceptual share choose_backend: auto falls back until the weights file is
    cached, a named backend is taken as asked, a missing file and an unknown name raise."""
    def choose(requested: str) -> Backend:
        return choose_backend("toy", requested, "plain", "learned", "toy.pth", "toy net")

    assert choose("auto") == Backend("plain", "toy net weights not in torch cache")
    assert choose("plain") == Backend("plain", "requested")
    with pytest.raises(RlvidError, match="toy backend 'learned' needs toy.pth in .*"
                                         "use backend='plain'"):
        choose("learned")
    with pytest.raises(RlvidError, match="unknown toy backend 'bogus'; choose auto, plain, "
                                         "learned"):
        choose("bogus")
    (empty_torch_cache / "toy.pth").write_bytes(b"")
    assert choose("auto") == Backend("learned", f"toy net weights found in {empty_torch_cache}")
    assert choose("learned") == Backend("learned", "requested; weights in torch cache")
    assert choose("plain") == Backend("plain", "requested")
    with pytest.raises(RlvidError, match="unknown flow backend 'lpips'"):
        flow_backend("lpips")


def test_lpips_backbone_comes_from_the_cached_file(empty_torch_cache, monkeypatch):
    import torchvision

    torch.manual_seed(0)
    fake = torchvision.models.alexnet()  # stands in for the ImageNet file: known values
    torch.save(fake.state_dict(), empty_torch_cache / ALEXNET_WEIGHTS)
    monkeypatch.setattr(perceptual_module, "_MODELS", {})
    assert perceptual_backend().name == "lpips"
    model, backend = perceptual_module.perceptual_model()
    assert backend.name == "lpips"
    net = model.lpips.net
    torch.testing.assert_close(net.slice1[0].weight, fake.features[0].weight)
    torch.testing.assert_close(getattr(net.slice5, "10").bias, fake.features[10].bias)
    images = demo_video(32, 2, seed=0)
    assert float(model(images, images).abs().max()) == 0.0


def test_vgg16_features_are_the_shipped_trained_weights():
    from pathlib import Path

    import stlpips_pytorch

    extractor, backend = vgg16_features("stlpips")
    assert backend.name == "stlpips-vgg16"
    path = Path(stlpips_pytorch.__file__).parent / "weights/vST0.0/vgg_shift_tolerant.pth"
    shipped = torch.load(path, map_location="cpu", weights_only=True)
    torch.testing.assert_close(extractor.backbone.slice1[0].weight, shipped["net.slice1.0.weight"])
    features = extractor(demo_video(32, 1, seed=0))
    assert [f.shape[1] for f in features] == [64, 128, 256, 512, 512]
    assert not any(p.requires_grad for p in extractor.parameters())


# --- flow backends ----------------------------------------------------------------------------


def test_raft_only_with_cached_weights(empty_torch_cache, monkeypatch):
    from torchvision.models.optical_flow import raft_small

    assert flow_backend().name == "dis"
    with pytest.raises(RlvidError, match=RAFT_SMALL_WEIGHTS):
        flow_backend("raft")
    torch.manual_seed(0)  # random weights: a shape test only, as the brief allows
    torch.save(raft_small().state_dict(), empty_torch_cache / RAFT_SMALL_WEIGHTS)
    monkeypatch.setattr(flow_module, "_RAFT_MODEL", None)
    assert flow_backend().name == "raft"
    video = demo_video(60, 2, seed=0)  # 60 is not a multiple of 8: padded inside
    flow = optical_flow(video[0], video[1])
    assert flow.shape == (60, 60, 2) and flow.dtype == np.float32 and np.isfinite(flow).all()


# --- flow recovery ----------------------------------------------------------------------------


def test_flow_recovery_known_values():
    original = demo_video(48, 6, seed=0)
    masks = box_masks(tuple(original.shape), 0.1, seed=1)
    corrupted = original.masked_fill(masks, 0.0)
    assert flow_recovery(original, original, corrupted, backend="dis") == pytest.approx(1.0)
    assert flow_recovery(corrupted, original, corrupted, backend="dis") == pytest.approx(0.0)
    filled = fill_from_neighbours(corrupted, masks)
    partial = flow_recovery(filled, original, corrupted, backend="dis")
    assert 0.0 < partial < 1.0
    batch = flow_recovery(
        torch.stack([original, corrupted]), torch.stack([original] * 2),
        torch.stack([corrupted] * 2), backend="dis",
    )
    assert batch.tolist() == pytest.approx([1.0, 0.0])


def test_flow_recovery_zero_denominator():
    video = demo_video(32, 4, seed=0)
    with pytest.raises(FlowRecoveryUndefined, match="undefined"):
        flow_recovery(video, video, video, backend="dis")
    assert flow_recovery(video, video, video, backend="dis", zero_denominator=1.0) == 1.0
