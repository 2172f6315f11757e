"""ROVR networks and the pair distribution (§5.2)."""

import itertools
import math

import pytest
import torch

from rlvid.nn.rovr import (
    CriticNet,
    LocalUNet,
    PolicyNet,
    TileEncoder,
    candidate_log_probs,
    categorical_entropy,
    categorical_kl,
    greedy_pair,
    mask_target,
    pair_log_prob,
    sample_pair,
    tile_grid,
    tile_video,
    untile_video,
)


def test_tile_grid_matches_figure_2_and_covers_any_length():
    assert tile_grid(20) == (4, 5)
    for t in (1, 2, 7, 20, 40, 80, 160, 161):
        rows, cols = tile_grid(t)
        assert rows * cols >= t and rows * cols - t < cols


def test_tiling_is_160x160_for_paper_and_round_trips():
    small = torch.rand(2, 20, 3, 32, 32)
    image = tile_video(small)
    assert image.shape == (2, 3, 128, 160)  # 4 rows x 5 columns of 32 px: (4*32, 5*32)
    assert torch.equal(image[0, :, 32:64, 64:96], small[0, 7])  # row 1, column 2 = frame 7
    assert torch.equal(untile_video(image, 20), small)
    odd = torch.rand(1, 7, 3, 4, 4)
    assert torch.equal(untile_video(tile_video(odd), 7), odd)


def test_tile_encoder_is_tile_local():
    torch.manual_seed(0)
    enc = TileEncoder((4, 8))
    small = torch.rand(1, 6, 3, 8, 8)
    changed = small.clone()
    changed[0, 2] = torch.rand(3, 8, 8)
    a, b = enc(small), enc(changed)
    assert not torch.allclose(a[0, 2], b[0, 2])
    keep = [0, 1, 3, 4, 5]
    assert torch.allclose(a[0, keep], b[0, keep])
    assert torch.allclose(enc.forward_tiled(tile_video(small), 6), a, atol=1e-6)


def test_policy_masks_target_and_runs_at_any_length():
    torch.manual_seed(0)
    pol, critic = PolicyNet((4, 8), 8), CriticNet((4, 8), 8)
    for t in (20, 40):
        small = torch.rand(3, t, 3, 8, 8)
        target = torch.tensor([0, 5, t - 1])
        logits, aux = pol(small, target)
        assert logits.shape == (3, t) and aux.shape == (3,)
        assert torch.isinf(logits[torch.arange(3), target]).all()
        assert torch.isfinite(logits).sum() == 3 * (t - 1)
        probs = candidate_log_probs(logits, 0.7).exp()
        assert torch.allclose(probs.sum(-1), torch.ones(3))
        assert critic(small, target).shape == (3,)


def test_sampled_pairs_never_hold_target_and_follow_exact_pair_probability():
    torch.manual_seed(0)
    logits = mask_target(torch.tensor([[0.0, 1.0, 0.3, -0.5, 0.8]]), torch.tensor([1]))
    lp = candidate_log_probs(logits, 1.0)
    draws = sample_pair(lp.expand(20000, -1))
    assert (draws != 1).all() and (draws[:, 0] != draws[:, 1]).all()
    counts = {}
    for i, j in draws.sort(dim=1).values.tolist():
        counts[(i, j)] = counts.get((i, j), 0) + 1
    total = 0.0
    for i, j in itertools.combinations([0, 2, 3, 4], 2):
        exact = pair_log_prob(lp, torch.tensor([[i, j]]), "exact").exp().item()
        total += exact
        assert abs(counts.get((i, j), 0) / 20000 - exact) < 0.015
    assert abs(total - 1.0) < 1e-5


def test_pair_log_prob_hand_values():
    lp = torch.log(torch.tensor([[0.5, 0.3, 0.2]]))
    pair = torch.tensor([[0, 1]])
    # P(0 then 1) + P(1 then 0) = .5*.3/.5 + .3*.5/.7
    assert pair_log_prob(lp, pair, "exact").exp().item() == pytest.approx(0.3 + 0.15 / 0.7)
    assert pair_log_prob(lp, pair, "geometric").exp().item() == pytest.approx(math.sqrt(0.15))
    with pytest.raises(ValueError):
        pair_log_prob(lp, pair, "sum")


def test_entropy_kl_and_gradients_with_masked_target():
    logits = torch.zeros(2, 6, requires_grad=True)
    lp = candidate_log_probs(mask_target(logits, torch.tensor([0, 3])), 0.7)
    ent = categorical_entropy(lp)
    assert torch.allclose(ent, torch.full((2,), math.log(5)))
    kl_self = categorical_kl(lp.detach(), lp)
    assert torch.allclose(kl_self, torch.zeros(2), atol=1e-6)
    (ent.sum() + kl_self.sum() + pair_log_prob(lp, greedy_pair(lp), "exact").sum()).backward()
    assert torch.isfinite(logits.grad).all()
    other = candidate_log_probs(mask_target(torch.randn(2, 6), torch.tensor([0, 3])), 0.7)
    assert (categorical_kl(lp.detach(), other) > 0).all()


def test_greedy_pair_is_top_two():
    lp = torch.log_softmax(mask_target(torch.tensor([[5.0, 1.0, 3.0, 2.0]]),
                                       torch.tensor([0])), -1)
    assert sorted(greedy_pair(lp)[0].tolist()) == [2, 3]


def test_local_unet_pastes_known_pixels_back():
    torch.manual_seed(0)
    net = LocalUNet((4, 8))
    frames = torch.rand(3, 2, 3, 16, 16)
    mask = torch.zeros(2, 1, 16, 16, dtype=torch.bool)
    mask[:, :, 4:9, 4:9] = True
    target = frames[0].masked_fill(mask, 0.0)
    out = net(target, frames[1], frames[2], mask=mask)
    assert out.shape == (2, 3, 16, 16) and (out >= 0).all() and (out <= 1).all()
    assert torch.equal(out.masked_select(~mask.expand_as(out)),
                       target.masked_select(~mask.expand_as(out)))
    assert torch.equal(net(target, frames[1], frames[2]), out)  # mask read from zeros
    assert not torch.equal(LocalUNet((4, 8), paste_known=False)(target, *frames[1:]), target)
    with pytest.raises(ValueError):
        net(torch.rand(1, 3, 15, 15), torch.rand(1, 3, 15, 15), torch.rand(1, 3, 15, 15))
