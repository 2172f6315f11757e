"""ROVR's scaling benchmark (R5): the exponent fit, the streaming policy (exact, constant-size
state), and the selectors it times."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rlvid.config import load_config
from rlvid.nn.rovr import PolicyNet, TileEncoder
from rlvid.nn.streaming import (
    FrameCache,
    QueryAttentionSelector,
    SelfAttentionSelector,
    StreamingPolicy,
)
from rlvid.rovr.env import InpaintEnv
from rlvid.rovr.inference import greedy_rollout
from rlvid.rovr.scaling import (
    SELECTORS,
    build_nets,
    fit_exponent,
    masked_video,
    measure,
    paper_state_config,
    summarise,
    time_video,
)
from rlvid.rovr.selectors import policy_selector


@pytest.mark.parametrize("power", [1.0, 2.0])
def test_exponent_fit_recovers_known_power(power: float):
    lengths = np.array([100, 200, 400, 800, 1200, 1600, 2000] * 3, float)
    exact = 3e-4 * lengths ** power
    k, (lo, hi) = fit_exponent(lengths, exact)
    assert k == pytest.approx(power, abs=1e-9) and hi - lo < 1e-9
    noisy = exact * np.exp(np.random.default_rng(0).normal(0, 0.05, lengths.size))
    k, (lo, hi) = fit_exponent(lengths, noisy)
    assert lo < power < hi and abs(k - power) < 0.05 and hi - lo < 0.1
    # T + c T^2 with c small: the fit sits between 1 and 2, the CI widened by the curvature
    k, (lo, hi) = fit_exponent(lengths, lengths + 1e-3 * lengths ** 2)
    assert 1.0 < k < 1.9 and hi - lo > 0.01


def test_exponent_fit_refuses_a_single_length():
    with pytest.raises(ValueError):
        fit_exponent([100, 100, 100], [1.0, 2.0, 3.0])


def test_streaming_policy_equals_full_reencode_and_keeps_its_state_size():
    torch.manual_seed(0)
    policy = PolicyNet((4, 8), 8).eval()
    small = torch.rand(2, 11, 3, 8, 8)
    with torch.no_grad():
        stream = StreamingPolicy(policy, small)
        buffers = [b.data_ptr() for b in (stream.frames.emb, stream.below, stream.above)]
        for t in range(11):
            full = policy(small, torch.tensor([t, t]))[0]
            mine = stream.logits(small[:, t], t)
            assert torch.equal(torch.isinf(mine), torch.isinf(full))
            assert torch.allclose(mine[:, torch.arange(11) != t], full[:, torch.arange(11) != t],
                                  atol=1e-5)
            small[:, t] = torch.rand(2, 3, 8, 8)  # frame t reconstructed
            stream.update(t, small[:, t])
    # the state is the same (N, T, .) tables, updated in place: nothing grew or was copied
    assert [b.data_ptr() for b in (stream.frames.emb, stream.below, stream.above)] == buffers
    assert stream.frames.emb.shape == (2, 11, 8)
    assert torch.allclose(stream.frames.mean(), policy.trunk.encode_frames(small).mean(1),
                          atol=1e-6)


def test_frame_cache_mean_tracks_updates_exactly():
    torch.manual_seed(1)
    enc = TileEncoder((4, 8))
    small = torch.rand(1, 50, 3, 8, 8)
    with torch.no_grad():
        cache = FrameCache(enc, small)
        for t in range(50):
            small[:, t] = torch.rand(1, 3, 8, 8)
            cache.update(t, small[:, t])
        assert torch.allclose(cache.emb, enc(small), atol=1e-6)
        assert torch.allclose(cache.mean(), enc(small).mean(1), atol=1e-6)


def _env(rcfg, local, length: int = 9, size: int = 16):
    video, masks = masked_video(length, size, seed=3)
    return InpaintEnv(local, video[None], masks[None], video.masked_fill(masks, 0)[None], rcfg,
                      rewards=False, track_flow=False)


def test_inference_rollout_equals_the_full_reencode_path():
    rcfg = paper_state_config(load_config("smoke").rovr)
    nets = build_nets(rcfg, seed=0)
    streamed, clock = _env(nets.rcfg, nets.local), []
    pairs = greedy_rollout(streamed, nets.policy, nets.rcfg, clock)
    full, select, ref = _env(nets.rcfg, nets.local), policy_selector(nets.policy, nets.rcfg), []
    while not full.done:
        small, target = full.observe()
        ref.append(select(small, target, torch.arange(1)))
        full.step(ref[-1])
    assert torch.equal(pairs, torch.stack(ref, 1)) and len(clock) == 9
    assert torch.allclose(streamed.current, full.current)
    assert not (pairs == torch.arange(9)[None, :, None]).any()  # never the target itself


def test_query_attention_cached_keys_equal_fresh_ones():
    torch.manual_seed(2)
    sel = QueryAttentionSelector((4, 8), 8).eval()
    small = torch.rand(1, 7, 3, 8, 8)
    with torch.no_grad():
        frames = FrameCache(sel.frame_cnn, small)
        keys = sel.keys(frames)
        small[:, 3] = torch.rand(1, 3, 8, 8)
        frames.update(3, small[:, 3])
        sel.update_key(keys, frames, 3)
        assert torch.allclose(keys, sel.key(sel.frame_cnn(small)), atol=1e-6)
        logits = sel.logits(keys, small[:, 3], 3)
    assert torch.isinf(logits[0, 3]) and torch.isfinite(logits[0, torch.arange(7) != 3]).all()


def test_every_selector_times_each_step_and_summarises():
    nets = build_nets(load_config("smoke").rovr, seed=0)
    timings = []
    for name in SELECTORS:
        wall, cpu, clock = time_video(name, nets, *masked_video(6, 16))
        assert len(clock) == 6 and wall > 0 and cpu > 0
        timings += [measure(name, nets, n, 16, r) for r in range(2) for n in (4, 6, 8)]
    rows = summarise(timings)
    assert [r["selector"] for r in rows] == list(SELECTORS)
    for row in rows:
        lo, hi = row["exponent_ci95"]
        assert lo <= row["exponent"] <= hi and (row["t_min"], row["t_max"]) == (4, 8)
        assert row["repeats"] == 2 and {"step_ms_T8", "gamma_ms_T4"} <= set(row)
    with pytest.raises(ValueError):
        time_video("nope", nets, *masked_video(4, 16))


def test_self_attention_selector_is_a_standard_transformer_layer():
    torch.manual_seed(3)
    sel = SelfAttentionSelector((4, 8), 8, heads=2).eval()
    ref = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True).eval()
    with torch.no_grad():
        ref.self_attn.in_proj_weight.copy_(sel.qkv.weight)
        ref.self_attn.in_proj_bias.copy_(sel.qkv.bias)
        ref.self_attn.out_proj.load_state_dict(sel.out.state_dict())
        ref.linear1.load_state_dict(sel.mlp[0].state_dict())
        ref.linear2.load_state_dict(sel.mlp[2].state_dict())
        ref.norm1.load_state_dict(sel.norm1.state_dict())
        ref.norm2.load_state_dict(sel.norm2.state_dict())
        small = torch.rand(2, 6, 3, 8, 8)
        frames = FrameCache(sel.frame_cnn, small)
        mine = sel.logits(frames, small[:, 4], 4)
        x = sel.proj(sel.frame_cnn(small) + sel.target_cnn(small[:, 4])[:, None])
        x = x + sel.pos(torch.stack([torch.arange(6.0), torch.arange(6.0) - 4,
                                     (torch.arange(6.0) - 4).abs()], -1) / 6)
        expected = sel.logit(ref(x)).squeeze(-1)
    keep = torch.arange(6) != 4
    assert torch.isinf(mine[:, 4]).all()
    assert torch.allclose(mine[:, keep], expected[:, keep], atol=1e-5)
