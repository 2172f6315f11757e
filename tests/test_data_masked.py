"""ROVR masked-video task: the masking invariants, checked against a brute-force checker."""

import dataclasses
import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage

from rlvid.config import load_config
from rlvid.data import make_masked_set, mask_videos, pair_coverage

CFG = load_config("smoke").data


def brute_force(masks: np.ndarray, t: int, i: int, j: int) -> tuple[float, bool]:
    """Coverage and validity of pair (i, j) for target t, pixel by pixel."""
    hidden = masks[t]
    seen = hidden & (~masks[i] | ~masks[j])
    coverage = seen.sum() / hidden.sum()
    return coverage, bool(i != j and t not in (i, j) and np.array_equal(seen, hidden))


def masked(seed: int, size: int, n: int = 2) -> object:
    videos = np.random.default_rng(seed).random((n, 20, 3, size, size), dtype=np.float32)
    return mask_videos(videos, CFG, seed=seed)


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), size=st.sampled_from([16, 24, 32, 40]))
def test_four_separate_boxes_per_frame(seed, size):
    s = masked(seed, size)
    for n, t in itertools.product(range(len(s)), range(20)):
        _, components = ndimage.label(s.masks[n, t, 0].numpy())
        assert components == 4
        y0, x0, y1, x1 = s.boxes[n, t].T.numpy()
        assert (s.masks[n, t, 0].sum().item() == ((y1 - y0) * (x1 - x0)).sum())


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), size=st.sampled_from([16, 32]))
def test_validity_matches_brute_force(seed, size):
    s = masked(seed, size, n=1)
    masks = s.masks[0, :, 0].numpy()
    rng = np.random.default_rng(seed)
    for t in rng.choice(20, 4, replace=False):
        for i, j in itertools.product(range(20), repeat=2):
            coverage, valid = brute_force(masks, t, i, j)
            assert s.valid[0, t, i, j].item() == valid
            assert s.coverage[0, t, i, j].item() == pytest.approx(coverage, abs=1e-6)


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_between_one_and_sixteen_valid_pairs(seed):
    s = masked(seed, 24)
    counts = np.triu(s.valid.numpy(), 1).sum(axis=(2, 3))  # pairs i < j per target
    assert counts.min() >= 1 and counts.max() <= 16
    assert (s.valid == s.valid.transpose(2, 3)).all()


def test_valid_frames_not_concentrated_next_to_target():
    s = masked(0, 16, n=40)
    valid = s.valid.numpy()
    n, t, i, j = np.nonzero(valid)
    distance = np.abs(i - t).mean()
    # uniform over the 19 other frames: E|i - t| averaged over targets
    uniform = np.mean([np.mean([abs(a - b) for a in range(20) if a != b]) for b in range(20)])
    assert abs(distance - uniform) < 0.1 * uniform
    # the nearest neighbours hold no more than their share of the valid frames
    assert (np.abs(i - t) == 1).mean() < 2 * (2 / 19)


def test_best_worst_and_expert_labels():
    s = masked(3, 32)
    for n, t in itertools.product(range(len(s)), range(20)):
        cov = s.coverage[n, t].numpy().copy()
        usable = np.triu(np.ones((20, 20), bool), 1)
        usable[t, :] = usable[:, t] = False
        bi, bj = s.best_pair[n, t].tolist()
        wi, wj = s.worst_pair[n, t].tolist()
        assert usable[bi, bj] and usable[wi, wj]
        assert cov[bi, bj] == cov[usable].max() == 1.0  # at least one valid pair
        assert cov[wi, wj] == cov[usable].min()
        assert s.valid[n, t, bi, bj]
        labels = s.expert_labels[n, t].numpy()
        expected = np.zeros(20)
        for i, j in s.valid_pairs(n, t):
            expected[[i, j]] = 1
        np.testing.assert_array_equal(labels, expected)
        assert labels[t] == 0


def test_corrupted_zeroes_exactly_the_masked_pixels():
    s = masked(5, 24)
    hidden = s.masks.expand_as(s.videos)
    assert (s.corrupted[hidden] == 0).all()
    assert torch.equal(s.corrupted[~hidden], s.videos[~hidden])


def test_pair_coverage_known_answer():
    masks = np.zeros((3, 1, 4), bool)
    masks[0, 0, :2] = True  # target hides two pixels
    masks[1, 0, 0] = True  # frame 1 hides the first of them
    masks[2, 0, 1] = True  # frame 2 hides the second
    coverage, valid = pair_coverage(masks)
    assert coverage[0, 1, 2] == 1.0 and valid[0, 1, 2]
    assert coverage[0, 1, 1] == 0.5 and not valid[0, 1, 1]  # i == j is never valid
    assert coverage[1, 0, 0] == 0.0  # frame 0 hides frame 1's pixel too
    assert coverage[1, 0, 2] == 1.0 and valid[1, 0, 2]


def test_make_masked_set_deterministic_and_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("RLVID_CACHE", str(tmp_path))
    a = make_masked_set(CFG, "train", seed=1, use_cache=False)
    b = make_masked_set(CFG, "train", seed=1)  # builds and stores
    c = make_masked_set(CFG, "train", seed=1)  # cache hit
    assert len(list(tmp_path.glob("masked-*.npz"))) == 1
    for field in dataclasses.fields(a):
        x, y, z = (getattr(s, field.name) for s in (a, b, c))
        assert torch.equal(x, y) and torch.equal(x, z)
    d = make_masked_set(CFG, "train", seed=2, use_cache=False)
    assert not torch.equal(a.videos, d.videos) and not torch.equal(a.masks, d.masks)
    e = make_masked_set(CFG, "test", seed=1, use_cache=False)
    assert not torch.equal(a.videos[: len(e)], e.videos)
    assert a.videos.shape == (CFG.rovr_train_videos, 20, 3, CFG.rovr_size, CFG.rovr_size)


def test_base_videos_move_slowly():
    s = make_masked_set(CFG, "test", seed=0, use_cache=False)
    v = s.videos.numpy()
    step = np.abs(np.diff(v, axis=1)).mean()
    shuffled = np.abs(v - np.roll(v, 1, axis=0)).mean()  # another video
    assert step < 0.1 * shuffled
    assert 0 <= v.min() and v.max() <= 1


def test_best_pair_is_the_nearest_in_time_among_the_fullest():
    from rlvid.data.masked import best_and_worst_pairs

    coverage = np.full((6, 6, 6), 0.5, np.float32)
    coverage[4, 0, 1] = coverage[4, 1, 0] = 1.0  # far from target 4
    coverage[4, 3, 5] = coverage[4, 5, 3] = 1.0  # nearest full pair for 4
    coverage[4, 2, 3] = coverage[4, 3, 2] = 1.0  # full, distance 3 (3, 5 has 2)
    coverage[4, 0, 2] = coverage[4, 2, 0] = 0.1  # the emptiest
    best, worst = best_and_worst_pairs(coverage)
    assert best[4].tolist() == [3, 5] and worst[4].tolist() == [0, 2]
    assert best[0].tolist() == [1, 2]  # all tied at 0.5: the nearest, (1, 2)
