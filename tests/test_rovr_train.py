"""ROVR stages on the smoke masked set: losses, MDP, selectors, exact resume, CLI."""

import math

import pytest
import torch

from rlvid.config import load_config
from rlvid.nn.rovr import mask_target
from rlvid.train import rovr as R


@pytest.fixture(scope="module")
def cfg():
    return load_config("smoke")


@pytest.fixture(scope="module")
def data(cfg):
    return R.masked_set(cfg, "train", 0)


@pytest.fixture(scope="module")
def local_state(cfg, tmp_path_factory):
    return R.train_local(cfg, 0, tmp_path_factory.mktemp("local"), progress=False).state


def _same(a, b):
    return all(torch.equal(a[k], b[k]) for k in a)


def test_lambda_grows_from_zero_to_0_9(cfg):
    rcfg = load_config("cpu").rovr
    lams = [R.lambda_schedule(i, rcfg) for i in range(0, rcfg.local_iterations + 1, 50)]
    assert lams[0] == 0 and all(b > a for a, b in zip(lams, lams[1:]))
    assert 0.88 < lams[-1] < 0.9


def test_pair_samplers(data):
    target = torch.arange(20).repeat(10)
    pairs = R.random_pairs(target, 20)
    assert (pairs != target[:, None]).all() and (pairs[:, 0] != pairs[:, 1]).all()
    seq = R.sequential_pairs(torch.tensor([0, 1, 5]))
    assert seq.tolist() == [[2, 1], [0, 2], [4, 3]]
    valid = data.valid[0]  # (T, T, T)
    t = torch.arange(20)
    rows, pos = R.sample_labelled_pairs(valid, t, True)
    assert valid[rows, pos[:, 0], pos[:, 1]].all()
    rows, neg = R.sample_labelled_pairs(valid, t, False)
    assert len(rows) == 20 and not valid[rows, neg[:, 0], neg[:, 1]].any()
    assert (neg != t[rows, None]).all() and (neg[:, 0] != neg[:, 1]).all()
    assert 0 < R.random_valid_rate(data) < 0.2


def test_contrastive_loss_hand_value_and_direction(data):
    valid = data.valid[0, :4]
    target = torch.arange(4)
    logits = mask_target(torch.zeros(4, 20), target)
    n_pos = valid.triu(1).flatten(1).sum(1).float()
    expected = (math.log(171) - n_pos.log()).mean()
    assert R.contrastive_pair_loss(logits, valid, target).item() == pytest.approx(expected.item())
    i, j = data.best_pair[0, 0].tolist()
    boosted = logits.clone()
    boosted[0, [i, j]] += 2.0
    assert (R.contrastive_pair_loss(boosted, valid, target)
            < R.contrastive_pair_loss(logits, valid, target))


def test_env_rewards_paste_back_and_flow_at_the_end(cfg, data, local_state):
    local = R.load_local(cfg, local_state)
    env = R.InpaintEnv(local, data.videos[:2], data.masks[:2], data.corrupted[:2], cfg.rovr,
                       flow_coef=3.0)
    rewards = []
    while not env.done:
        small, target = env.observe()
        assert (target == env.t).all()
        rewards.append(env.step(R.oracle_selector(data.best_pair)(small, target,
                                                                  torch.arange(2))))
    known = ~data.masks[:2].expand_as(env.current)
    assert torch.equal(env.current[known], data.videos[:2][known])
    x_hat_lp = R.vgg_perceptual(env.current[:, 5], data.videos[:2, 5])
    expected = env.corrupted_lp[:, 5] - x_hat_lp
    assert torch.allclose(rewards[5], expected, atol=1e-5)
    last = env.corrupted_lp[:, -1] - R.vgg_perceptual(env.current[:, -1], data.videos[:2, -1])
    assert torch.allclose(rewards[-1], last + 3.0 * env.flow_recovery, atol=1e-5)


def test_local_training_resumes_exactly(cfg, tmp_path):
    c = load_config("smoke", {"rovr.local_iterations": 4, "rovr.checkpoint_every": 100})
    full = R.train_local(c, 0, tmp_path / "a", progress=False)
    part = R.train_local(c, 0, tmp_path / "b", stop_after=2, progress=False)
    assert not part.done and part.iteration == 2
    resumed = R.train_local(c, 0, tmp_path / "b", progress=False)
    assert resumed.done and _same(full.state["local"], resumed.state["local"])
    assert (tmp_path / "a" / "tb").is_dir() and (tmp_path / "a" / "provenance.json").is_file()


def test_imitation_and_ppg_resume_exactly(cfg, local_state, tmp_path):
    c = load_config("smoke", {"rovr.ppg_policy_iterations": 2, "rovr.ppg_phases": 1})
    for loss in ("bce", "contrastive"):
        full = R.train_imitation(c, 0, local_state, tmp_path / f"i{loss}", loss=loss,
                                 progress=False)
        R.train_imitation(c, 0, local_state, tmp_path / f"j{loss}", loss=loss, stop_after=1,
                          progress=False)
        again = R.train_imitation(c, 0, local_state, tmp_path / f"j{loss}", loss=loss,
                                  progress=False)
        assert _same(full.state["policy"], again.state["policy"])
    warm = full.state
    # interrupt inside the first phase (buffer non-empty) and resume
    full = R.train_ppg(c, 0, local_state, warm, True, tmp_path / "p", progress=False)
    part = R.train_ppg(c, 0, local_state, warm, True, tmp_path / "q", stop_after=1,
                       progress=False)
    assert len(part.state["buffer"]) == 1
    again = R.train_ppg(c, 0, local_state, warm, True, tmp_path / "q", progress=False)
    for key in ("policy", "critic", "local"):
        assert _same(full.state[key], again.state[key]), key
    assert not _same(full.state["policy"], warm["policy"])


def test_selectors_and_evaluation(cfg, local_state):
    test = R.masked_set(cfg, "test", 0)
    local = R.load_local(cfg, local_state)
    oracle = R.run_selector(local, test, R.oracle_selector(test.best_pair), cfg.rovr)
    assert torch.equal(oracle.pairs, test.best_pair)
    metrics = R.evaluate_rollout(oracle, test)
    assert metrics["valid_pair_rate"] == 1.0
    assert {"mse", "psnr", "ssim", "perceptual", "flow_recovery"} <= set(metrics)
    seq = R.run_selector(local, test, R.sequential_selector(), cfg.rovr)
    assert seq.pairs[0, 5].tolist() == [4, 3]
    table = R.local_table(local, test, cfg.rovr, 0)
    assert set(table) == {"best", "worst", "random"} and len(table["best"]["mse"]) == 40
