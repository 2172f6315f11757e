"""Translation metrics on cases with known answers."""

from __future__ import annotations

import pytest
import torch

from rlvid.metrics.translation import (
    DomainClassifier,
    classifier_accuracy,
    colour_frechet_distance,
    edge_ssim,
    fit_frame_classifier,
    flicker,
    frame_iou,
    mask_iou,
    target_share,
    temporal_difference_error,
    train_domain_classifier,
)


def _squares(colour: tuple[float, float, float], bg: tuple[float, float, float]) -> torch.Tensor:
    video = torch.tensor(bg).view(1, 3, 1, 1).repeat(4, 1, 24, 24)
    for t in range(4):
        video[t, :, 5 + t : 13 + t, 6:14] = torch.tensor(colour).view(3, 1, 1)
    return video


def test_edge_ssim_ignores_colour_but_not_structure() -> None:
    source = _squares((1.0, 0.0, 0.0), (0.0, 0.0, 0.0))
    recoloured = _squares((1.0, 1.0, 0.0), (0.0, 0.0, 0.8))  # same shapes, other colours
    assert edge_ssim(source, source) == 1.0
    assert edge_ssim(source, recoloured) > 0.95
    shifted = torch.roll(source, shifts=6, dims=-1)
    assert edge_ssim(source, shifted) < 0.7


def test_mask_iou_known_values() -> None:
    a = torch.zeros(4, 4, dtype=torch.bool)
    b = torch.zeros(4, 4, dtype=torch.bool)
    a[:2] = True  # 8 pixels
    b[1:3] = True  # 8 pixels, 4 shared
    assert mask_iou(a, b) == 4 / 12
    assert mask_iou(a, a) == 1.0
    assert mask_iou(torch.zeros(3, dtype=torch.bool), torch.zeros(3, dtype=torch.bool)) == 1.0


def test_flicker_is_mean_absolute_change_of_frame_means() -> None:
    video = torch.zeros(3, 3, 4, 4)
    video[1] = 0.5  # means 0, 0.5, 0 -> changes 0.5, 0.5
    assert abs(flicker(video) - 0.5) < 1e-7
    assert flicker(torch.ones(5, 3, 4, 4)) == 0.0


def test_colour_frechet_distance_is_zero_for_same_colours_and_grows() -> None:
    gen = torch.Generator().manual_seed(0)
    a = torch.rand(8, 3, 16, 16, generator=gen)
    assert colour_frechet_distance(a, a) < 1e-6
    # a constant shift of 0.1 in every channel adds |0.1|^2 * 3 = 0.03 to the mean term
    shifted = colour_frechet_distance(a, (a + 0.1))
    assert abs(shifted - 0.03) < 1e-4
    assert colour_frechet_distance(a, a * 0.2) > shifted


def test_domain_classifier_separates_two_easy_domains() -> None:
    gen = torch.Generator().manual_seed(1)
    red = torch.rand(40, 3, 16, 16, generator=gen) * 0.3
    red[:, 0] += 0.7
    blue = torch.rand(40, 3, 16, 16, generator=gen) * 0.3
    blue[:, 2] += 0.7
    model, accuracy = train_domain_classifier(red, blue, steps=60, seed=0)
    assert accuracy == 1.0
    assert target_share(model, blue) == 1.0
    assert target_share(model, red) == 0.0


def test_classifier_accuracy_counts_matching_signs() -> None:
    model = DomainClassifier()
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        model.net[-1].bias.fill_(1.0)  # every logit is +1: every frame is called 1
    frames = torch.rand(8, 3, 8, 8)
    assert classifier_accuracy(model, frames, torch.tensor([1.0] * 3 + [0.0] * 5)) == 3 / 8
    assert classifier_accuracy(model, frames, torch.ones(8)) == 1.0


def test_fit_frame_classifier_is_seeded_and_returned_for_evaluation() -> None:
    gen = torch.Generator().manual_seed(2)
    frames = torch.rand(32, 3, 16, 16, generator=gen) * 0.3
    frames[16:] += 0.7  # bright frames are labelled 1
    labels = torch.tensor([0.0] * 16 + [1.0] * 16)
    model = fit_frame_classifier(frames, labels, steps=40, seed=3)
    assert not model.training
    assert classifier_accuracy(model, frames, labels) == 1.0
    again = fit_frame_classifier(frames, labels, steps=40, seed=3)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                 again.state_dict().values()))
    other = fit_frame_classifier(frames, labels, steps=40, seed=3,
                                 generator=torch.Generator().manual_seed(4))  # other batches
    assert not all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                     other.state_dict().values()))


def test_frame_iou_per_frame_known_values() -> None:
    target = torch.zeros(3, 1, 4, 4, dtype=torch.bool)
    target[:, :, :2, :2] = True  # 4 pixels in every frame
    pred = torch.zeros_like(target)
    pred[0, :, :2, :2] = True  # frame 0 exact
    pred[1, :, :2, :1] = True  # frame 1: half of it -> 2 / 4
    # frame 2: empty prediction -> 0; both empty -> 1
    assert frame_iou(pred, target).tolist() == [1.0, 0.5, 0.0]
    assert frame_iou(torch.zeros_like(target), torch.zeros_like(target)).tolist() == [1.0] * 3


def test_temporal_difference_error_spares_a_switch_the_twin_makes() -> None:
    twin = torch.zeros(1, 4, 3, 2, 2)
    twin[:, 2:, 0] = 1.0  # the twin switches colour (channel 0: 0 -> 1) at t = 2
    assert float(temporal_difference_error(twin, twin)) == 0.0
    # an output brighter by a constant makes the same changes: no error
    assert float(temporal_difference_error(twin + 0.2, twin)) < 1e-12
    # an output that never switches misses one change of 1 in channel 0 of 3, over 3 pairs
    steady = torch.zeros_like(twin)
    assert float(temporal_difference_error(steady, twin)) == pytest.approx(1 / 9)
    # one flickering frame (all channels +0.5 at t = 1): two changes of 0.5 in 3 channels
    flick = twin.clone()
    flick[:, 1] += 0.5
    assert float(temporal_difference_error(flick, twin)) == pytest.approx(2 * 0.25 / 3)


def test_temporal_difference_error_over_a_region() -> None:
    twin = torch.zeros(1, 3, 3, 2, 2)
    twin[:, 1:, :, 0, 0] = 1.0  # one pixel turns on at t = 1 (the moving content)
    region = twin[:, :, :1] > 0  # (N, T, 1, H, W): that pixel from t = 1
    flat = torch.zeros_like(twin)  # misses the change
    # whole frame: one change of 1 over 4 pixels x 2 pairs; region: 1 pixel x 2 pairs
    assert float(temporal_difference_error(flat, twin)) == pytest.approx(1 / 8)
    assert float(temporal_difference_error(flat, twin, region)) == pytest.approx(1 / 2)
    assert float(temporal_difference_error(twin, twin, region)) == 0.0


def test_coherent_pairs_counts_translated_pairs_that_move_like_the_twin():
    from rlvid.metrics.translation import coherent_pairs

    gen = torch.Generator().manual_seed(0)
    base, step = torch.rand(3, 8, 8, generator=gen), torch.rand(3, 8, 8, generator=gen)
    twin = torch.stack([base + t * step for t in range(5)])[None]  # steady motion
    region = torch.ones(1, 5, 1, 8, 8, dtype=torch.bool)
    every = torch.ones(1, 5, dtype=torch.bool)
    assert coherent_pairs(twin, twin, every, region) == 1.0
    # frame 2 frozen at frame 1: pair (1, 2) does not move, (2, 3) moves twice as far; the
    # error of each equals the twin's motion, no less: both fail
    frozen = twin.clone()
    frozen[:, 2] = twin[:, 1]
    assert coherent_pairs(frozen, twin, every, region) == 0.5
    # frame 3 not translated: pairs (2, 3) and (3, 4) cannot count
    gate = every.clone()
    gate[0, 3] = False
    assert coherent_pairs(twin, twin, gate, region) == 0.5
    # a frame with no twin foreground leaves its pairs out of the denominator
    empty = region.clone()
    empty[0, 0] = False
    assert coherent_pairs(frozen, twin, every, empty) == pytest.approx(1 / 3)
