"""k > 2 conditioning frames (§8's future work, issue 14 deliverable 8): Gamma, the MDP, both
policies, the best k-set, imitation and PPG at k = 3 on the smoke profile, and k = 2 equal to
the code before the option."""

import itertools
import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from rlvid.config import ConfigError, load_config
from rlvid.data.masked import pair_coverage
from rlvid.errors import RlvidError
from rlvid.nn.local_net import MaskedResidualUNet, copy_fill, hidden_mask
from rlvid.nn.rovr import (
    LocalUNet,
    PolicyNet,
    greedy_pair,
    mask_target,
    pair_log_prob,
    sample_pair,
)
from rlvid.nn.rovr_pair import PairPolicyNet, SequenceDist, action_dist
from rlvid.rovr.dataset import masked_set
from rlvid.rovr.env import make_env
from rlvid.rovr.evaluate import local_table
from rlvid.rovr.imitation import train_imitation
from rlvid.rovr.local import train_local
from rlvid.rovr.nets import build_local, build_policy
from rlvid.rovr.pairs import (
    best_sets,
    nearest_fullest,
    random_pairs,
    sequential_pairs,
    set_choices,
    set_coverage,
    set_table,
    sets_valid,
)
from rlvid.rovr.ppg_stage import train_ppg
from rlvid.rovr.selectors import oracle_selector, run_selector

K3 = {"rovr.conditioning_frames": 3}


@pytest.fixture(scope="module")
def cfg3():
    return load_config("smoke", {**K3, "rovr.local_net": "masked_residual",
                                 "rovr.local.valid_share": 0.5, "rovr.local.perceptual": False})


@pytest.fixture(scope="module")
def data(cfg3):
    return masked_set(cfg3, "train")


def test_config_field_and_its_range():
    assert load_config("smoke").rovr.conditioning_frames == 2
    assert load_config("smoke", K3).rovr.conditioning_frames == 3
    with pytest.raises(ConfigError, match="conditioning_frames"):
        load_config("smoke", {"rovr.conditioning_frames": 1})
    with pytest.raises(ConfigError, match="k < T"):  # smoke videos have T = 20 frames
        load_config("smoke", {"rovr.conditioning_frames": 20})
    with pytest.raises(ConfigError, match="not supported for k > 6"):
        load_config("smoke", {"rovr.conditioning_frames": 7, "rovr.pair_logprob": "exact"})


# ---------------------------------------------------------------- Gamma


class _OldUNet(nn.Module):
    """Gamma's UNet as it was built before the option (both classes had this __init__)."""

    def __init__(self, channels, in_channels, zero_out):
        super().__init__()
        conv = lambda a, b: nn.Sequential(nn.Conv2d(a, b, 3, padding=1), nn.ReLU(inplace=True),
                                          nn.Conv2d(b, b, 3, padding=1), nn.ReLU(inplace=True))
        self.down, self.up, self.fuse = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        prev = in_channels
        for ch in channels:
            self.down.append(conv(prev, ch))
            prev = ch
        for ch in reversed(channels[:-1]):
            self.up.append(nn.ConvTranspose2d(prev, ch, 2, stride=2))
            self.fuse.append(conv(2 * ch, ch))
            prev = ch
        self.out = nn.Conv2d(prev, 3, 1)
        if zero_out:
            nn.init.zeros_(self.out.weight)
            nn.init.zeros_(self.out.bias)

    def forward(self, x):
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else F.avg_pool2d(x, 2))
            skips.append(x)
        for up, fuse, skip in zip(self.up, self.fuse, reversed(skips[:-1])):
            x = fuse(torch.cat([up(x), skip], dim=1))
        return self.out(x)


def _frames(k, size=16):
    torch.manual_seed(1)
    frames = torch.rand(k + 1, 2, 3, size, size)
    mask = torch.zeros(2, 1, size, size, dtype=torch.bool)
    mask[:, :, 3:9, 4:12] = True
    frames[1][:, :, 5:7, 5:14] = 0.0  # the first conditioning frame hides part of the hole
    return frames[0].masked_fill(mask, 0.0), list(frames[1:]), mask


def test_k2_gamma_is_the_old_unet_with_the_same_seed():
    target, (a, b), mask = _frames(2)
    for cls, zero in ((LocalUNet, False), (MaskedResidualUNet, True)):
        torch.manual_seed(0)
        new = cls((4, 8))
        torch.manual_seed(0)
        old = _OldUNet((4, 8), 9 if cls is LocalUNet else 15, zero)
        assert list(new.state_dict()) == list(old.state_dict())  # same keys, same order
        new.load_state_dict(old.state_dict())  # an old-shaped state dict loads (strict)
        assert all(torch.equal(v, new.state_dict()[n]) for n, v in old.state_dict().items())
        with torch.no_grad():
            if cls is MaskedResidualUNet:
                nn.init.normal_(new.out.weight, std=0.1)  # not the copy alone
                old.load_state_dict(new.state_dict())
                ma, mb = hidden_mask(a), hidden_mask(b)
                seen_a, seen_b = (~ma).float(), (~mb).float()  # the old copy, by hand
                vis = (~mask).float()
                mean = (target * vis).sum((2, 3), keepdim=True) / vis.sum((2, 3), keepdim=True)
                fill = (a * seen_a + b * seen_b) / (seen_a + seen_b).clamp(min=1)
                fill = torch.where(seen_a + seen_b > 0, fill, mean.expand_as(target))
                copy = torch.where(mask, fill, target)
                x = torch.cat([target, copy, a, b, mask.float(), ma.float(), mb.float()], 1)
                want = torch.where(mask, (copy + old(x)).clamp(0, 1), target)
            else:
                want = torch.where(mask, torch.sigmoid(old(torch.cat([target, a, b], 1))),
                                   target)
            assert torch.equal(new(target, a, b, mask=mask), want)


def test_gamma_takes_k_frames_and_its_channels_follow_k():
    target, conds, mask = _frames(3)
    paper, residual = LocalUNet((4, 8), frames=3), MaskedResidualUNet((4, 8), frames=3)
    assert paper.in_channels == 12 and residual.in_channels == 19  # 3 + 3k, 7 + 4k
    for net in (paper, residual):
        with torch.no_grad():
            out = net(target, *conds, mask=mask)
        assert out.shape == (2, 3, 16, 16)
        assert torch.equal(out[~mask.expand_as(out)], target[~mask.expand_as(out)])
        with pytest.raises(ValueError, match="3 conditioning frames"):
            net(target, *conds[:2], mask=mask)
    with torch.no_grad():  # untrained: exactly the copy of the three frames
        out = residual(target, *conds, mask=mask)
    assert torch.equal(out, copy_fill(target, conds, mask, [hidden_mask(c) for c in conds]))


def test_copy_fill_of_three_frames_takes_the_mean_of_those_that_see():
    target = torch.zeros(1, 3, 1, 3)
    a, b, c = (torch.full((1, 3, 1, 3), v) for v in (0.2, 0.5, 0.8))
    a[..., 0] = 0.0  # pixel 0: b and c see it
    b[..., 1] = c[..., 1] = 0.0  # pixel 1: a only
    mask = hidden_mask(target)
    out = copy_fill(target, [a, b, c], mask, [hidden_mask(f) for f in (a, b, c)])
    assert out[0, 0].flatten().tolist() == pytest.approx([0.65, 0.2, 0.5])  # pixel 2: all


# ---------------------------------------------------------------- MDP, sets, selectors


def test_env_steps_with_k_frames(cfg3, data):
    local = build_local(cfg3.rovr).eval()
    idx = torch.tensor([0, 1])
    env = make_env(local, data, idx, cfg3.rovr, rewards=False, track_flow=False)
    action = best_sets(data, 3)[idx, 0]
    assert action.shape == (2, 3)
    conds = [data.corrupted[idx, action[:, i]] for i in range(3)]
    want = copy_fill(data.corrupted[idx, 0], conds, data.masks[idx, 0],
                     [hidden_mask(c) for c in conds])  # untrained Gamma: the copy
    env.step(action)
    assert env.t == 1 and torch.equal(env.current[:, 0], want)
    with pytest.raises(RlvidError, match=r"\(N, 3\)"):
        env.step(action[:, :2])


def test_best_k_set_is_nearest_among_fullest(data):
    sets, coverage = set_table(data, 2).sets, set_table(data, 2).coverage
    assert torch.equal(nearest_fullest(sets, coverage), data.best_pair)  # k = 2: the data's
    masks = data.masks[0, :, 0].numpy()
    pair_cov, _ = pair_coverage(masks)
    s2, c2 = set_coverage(masks, 2)
    assert all(c2[t, s] == pair_cov[t, i, j] for t in range(20) for s, (i, j) in enumerate(s2))
    best = best_sets(data, 3)[0]
    for t in (0, 7, 19):  # brute force over every 3-set
        hidden = masks[t].sum()
        cands = [c for c in itertools.combinations(range(20), 3) if t not in c]
        cover = {c: 1 - (masks[t] & masks[c[0]] & masks[c[1]] & masks[c[2]]).sum() / hidden
                 for c in cands}
        top = max(cover.values())
        want = min((sum(abs(i - t) for i in c), c) for c in cands if cover[c] == top)[1]
        assert tuple(best[t].tolist()) == want
    n, tt = torch.zeros(20, dtype=torch.long), torch.arange(20)
    assert sets_valid(data, n, tt, best).all()  # every smoke target has a valid 3-set
    pairs = random_pairs(tt, 20)
    assert torch.equal(sets_valid(data, n, tt, pairs), data.valid[n, tt, pairs[:, 0], pairs[:, 1]])
    choices = set_choices(data, n, tt, 3)  # every 3-set of every target of video 0
    for t in (0, 7, 19):
        m = len(choices.sets)
        want = sets_valid(data, n[:1].expand(m), tt[t:t + 1].expand(m), choices.sets)
        assert torch.equal(choices.valid[t], want)
    assert (choices.valid <= choices.usable).all() and choices.valid.any(1).all()


def test_random_sequential_and_oracle_selectors_give_k_frames(cfg3, data):
    target = torch.arange(20).repeat(5)
    sets = random_pairs(target, 20, k=3)
    assert sets.shape == (100, 3) and (sets != target[:, None]).all()
    assert (sets.sort(1).values.diff(1) > 0).all()  # distinct
    assert sequential_pairs(torch.tensor([0, 1, 2, 9]), 3).tolist() == [
        [3, 2, 1], [0, 3, 2], [1, 0, 3], [8, 7, 6]]
    assert sequential_pairs(torch.tensor([0, 1, 5])).tolist() == [[2, 1], [0, 2], [4, 3]]
    local = build_local(cfg3.rovr).eval()
    videos = torch.tensor([0])
    rollout = run_selector(local, data, oracle_selector(best_sets(data, 3)), cfg3.rovr, videos)
    assert torch.equal(rollout.pairs, best_sets(data, 3)[videos])


# ---------------------------------------------------------------- policies


def _state(t=6, n=4):
    torch.manual_seed(0)
    small = torch.rand(n, t, 4, 8, 8)
    small[:, :, 3] = (small[:, :, 3] > 0.5).float()
    return small, torch.tensor([0, 3, 5, 2])[:n]


def test_k3_pair_policy_log_prob_is_the_sum_of_its_three_conditionals():
    small, target = _state()
    torch.manual_seed(0)
    policy = PairPolicyNet((4, 8), 16, 4, 8, proj=2, frames=3)
    dist, aux = action_dist(policy, small, target, 0.7, "exact")
    assert isinstance(dist, SequenceDist) and aux.shape == (4,)
    tuples = torch.tensor(list(itertools.product(range(6), repeat=3)))  # every ordered triple
    with torch.no_grad():
        lp = torch.stack([dist.log_prob(tup.expand(4, 3)) for tup in tuples], 1)  # (4, 216)
    allowed = torch.stack([(tuples != t).all(1) & (tuples[:, 0] != tuples[:, 1])
                           & (tuples[:, 0] != tuples[:, 2]) & (tuples[:, 1] != tuples[:, 2])
                           for t in target.tolist()])
    assert torch.isinf(lp[~allowed]).all() and torch.isfinite(lp[allowed]).all()
    assert torch.allclose(torch.logsumexp(lp, 1), torch.zeros(4), atol=1e-5)  # normalised
    first = torch.logsumexp(lp.reshape(4, 6, 36), 2)  # the first frame's marginal is pi_1
    assert torch.allclose(first.exp(), dist.cells.first.exp(), atol=1e-6)
    frames = dist.sample(torch.Generator().manual_seed(0))
    tables = dist.tables(frames)  # three log-softmaxes: log pi_1, then given the earlier ones
    assert torch.allclose(torch.logsumexp(tables, -1), torch.zeros(4, 3), atol=1e-6)
    want = sum(tables[torch.arange(4), m, frames[:, m]] for m in range(3))
    assert torch.equal(dist.log_prob(frames), want)
    assert (dist.entropy() > 0).all()  # along the last log_prob's frames
    assert torch.allclose(dist.kl(dist), torch.zeros(4), atol=1e-6)


def test_k3_picks_no_frame_twice_and_never_the_target():
    small, target = _state()
    small, target = small.repeat(50, 1, 1, 1, 1), target.repeat(50)
    torch.manual_seed(0)
    for policy in (PairPolicyNet((4, 8), 16, 4, 8, frames=3), PolicyNet((4, 8), 8, 4, frames=3)):
        dist, _ = action_dist(policy, small, target, 0.7, "exact")
        for frames in (dist.sample(torch.Generator().manual_seed(1)), dist.greedy()):
            assert frames.shape == (200, 3) and (frames != target[:, None]).all()
            assert (frames.sort(1).values.diff(1) > 0).all()


def test_k2_pair_policy_matches_the_code_before_the_option():
    torch.manual_seed(3)  # the state and numbers of the pre-option code (commit 3f52c4a)
    small = torch.rand(5, 20, 4, 8, 8)
    small[:, :, 3] = (small[:, :, 3] > 0.6).float()
    target = torch.tensor([0, 4, 19, 7, 7])
    torch.manual_seed(0)
    policy = PairPolicyNet((4, 8), 8, 4, 8, 0)
    joint, aux = policy(small, target)
    assert joint[torch.isfinite(joint)].sum().item() == pytest.approx(-9978.3525390625, rel=1e-6)
    assert joint[0, 1, 2].item() == pytest.approx(-5.720210075378418, rel=1e-6)
    assert aux.tolist() == pytest.approx([0.1700, 0.1446, 0.0968, 0.1194, 0.1043], abs=1e-4)
    cells = policy.encode(small, target)
    first = torch.tensor([1, 0, 3, 2, 9])
    second = policy.next_log_probs(cells, first[:, None])  # the k > 2 path at k = 2
    assert torch.allclose(second, joint[torch.arange(5), first] - cells.first[torch.arange(5),
                                                                              first][:, None])
    with pytest.raises(ValueError, match="k = 2 only"):
        PairPolicyNet((4, 8), 8, 4, 8, 0, frames=3)(small, target)


def test_top_k_action_generalises_top_2():
    lp = torch.log_softmax(mask_target(torch.tensor([[0.3, -1.0, 2.0, 0.5, 1.1, -0.2]]),
                                       torch.tensor([1])), -1)
    assert sorted(greedy_pair(lp, 3)[0].tolist()) == [2, 3, 4]
    sets = torch.tensor([c for c in itertools.combinations(range(6), 3) if 1 not in c])
    exact = pair_log_prob(lp.expand(len(sets), -1), sets, "exact").exp()
    assert exact.sum().item() == pytest.approx(1.0, rel=1e-5)  # a distribution over 3-sets
    p = lp.exp()[0]
    by_hand = sum(p[a] * p[b] / (1 - p[a]) * p[c] / (1 - p[a] - p[b])
                  for a, b, c in itertools.permutations((0, 2, 3)))
    assert exact[0].item() == pytest.approx(float(by_hand), rel=1e-5)
    geometric = pair_log_prob(lp, torch.tensor([[0, 2, 3]]), "geometric")
    assert geometric.item() == pytest.approx(float(p[[0, 2, 3]].log().mean()), rel=1e-6)
    pair = torch.tensor([[2, 4]])  # k = 2: the closed form of two draws
    two = p[2] * p[4] * (1 / (1 - p[2]) + 1 / (1 - p[4]))
    assert pair_log_prob(lp, pair, "exact").exp().item() == pytest.approx(float(two), rel=1e-6)
    draws = sample_pair(lp.expand(20000, -1), torch.Generator().manual_seed(0), 3)
    hits = (draws.sort(1).values == torch.tensor([0, 2, 3])).all(1).float().mean().item()
    assert hits == pytest.approx(exact[0].item(), abs=0.01)


# ---------------------------------------------------------------- stages at k = 3


def test_k3_stages_run_on_smoke(cfg3, tmp_path):
    local = train_local(cfg3, 0, tmp_path / "local", stop_after=2, progress=False)
    assert local.iteration == 2
    cfg_top = load_config("smoke", {**K3, "rovr.local_net": "masked_residual",
                                    "rovr.action": "top2"})
    for loss in ("bce", "contrastive"):
        il = train_imitation(cfg_top, 0, local.state, tmp_path / f"il-{loss}", loss=loss,
                             stop_after=2, progress=False)
        assert il.iteration == 2
        assert all(torch.isfinite(v).all() for v in il.state["policy"].values())
    with pytest.raises(RlvidError, match="not supported for k > 2"):
        train_imitation(cfg3, 0, local.state, tmp_path / "il-pair", progress=False)
    cfg_ppg = load_config("smoke", {**K3, "rovr.local_net": "masked_residual",
                                    "rovr.ppg.train_local": False})
    ppg = train_ppg(cfg_ppg, 0, local.state, None, flow_reward=False, run_dir=tmp_path / "ppg",
                    progress=False)  # two policy iterations and the auxiliary phase
    assert ppg.done and set(ppg.counts) == {"policy", "auxiliary"}
    start, end = ppg.state["policy_start"], ppg.state["policy"]
    assert any(not torch.equal(start[k], end[k]) for k in start)
    assert all(math.isfinite(float(v.abs().sum())) for v in end.values())
    assert build_policy(cfg3.rovr).frames == 3


def test_pair_only_parts_refuse_k3_in_one_line(cfg3, data):
    with pytest.raises(RlvidError, match="Table 1.*not supported for k > 2"):
        local_table(build_local(cfg3.rovr), data, cfg3.rovr, 0)
