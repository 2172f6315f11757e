"""ROVR stages on the smoke masked set: losses, MDP, selectors, exact resume, CLI."""

import math

import pytest
import torch

from rlvid.config import load_config
from rlvid.metrics import perceptual_distance
from rlvid.nn.rovr import mask_target
from rlvid.rovr.dataset import masked_set
from rlvid.rovr.env import InpaintEnv, flow_recovery_batch
from rlvid.rovr.evaluate import evaluate_rollout, local_table, random_valid_rate
from rlvid.rovr.imitation import contrastive_pair_loss, train_imitation
from rlvid.rovr.local import train_local
from rlvid.rovr.losses import lambda_schedule
from rlvid.rovr.nets import load_local
from rlvid.rovr.pairs import pair_choices, random_pairs, sample_labelled, sequential_pairs
from rlvid.rovr.ppg_stage import train_ppg
from rlvid.rovr.selectors import oracle_selector, run_selector, sequential_selector


@pytest.fixture(scope="module")
def cfg():
    return load_config("smoke")


@pytest.fixture(scope="module")
def data(cfg):
    return masked_set(cfg, "train", 0)


@pytest.fixture(scope="module")
def local_state(cfg, tmp_path_factory):
    return train_local(cfg, 0, tmp_path_factory.mktemp("local"), progress=False).state


def _same(a, b):
    return all(torch.equal(a[k], b[k]) for k in a)


def test_lambda_grows_from_zero_to_0_9(cfg):
    rcfg = load_config("cpu").rovr
    lams = [lambda_schedule(i, rcfg) for i in range(0, rcfg.local.iterations + 1, 50)]
    assert lams[0] == 0 and all(b > a for a, b in zip(lams, lams[1:]))
    assert 0.88 < lams[-1] < 0.9


def test_pair_samplers(data):
    target = torch.arange(20).repeat(10)
    pairs = random_pairs(target, 20)
    assert (pairs != target[:, None]).all() and (pairs[:, 0] != pairs[:, 1]).all()
    seq = sequential_pairs(torch.tensor([0, 1, 5]))
    assert seq.tolist() == [[2, 1], [0, 2], [4, 3]]
    valid = data.valid[0]  # (T, T, T)
    t = torch.arange(20)
    rows, pos = sample_labelled(pair_choices(valid, t), True)
    assert valid[rows, pos[:, 0], pos[:, 1]].all()
    rows, neg = sample_labelled(pair_choices(valid, t), False)
    assert len(rows) == 20 and not valid[rows, neg[:, 0], neg[:, 1]].any()
    assert (neg != t[rows, None]).all() and (neg[:, 0] != neg[:, 1]).all()
    assert 0 < random_valid_rate(data) < 0.2


def test_contrastive_loss_hand_value_and_direction(data):
    valid = data.valid[0, :4]
    target = torch.arange(4)
    logits = mask_target(torch.zeros(4, 20), target)
    n_pos = valid.triu(1).flatten(1).sum(1).float()
    expected = (math.log(171) - n_pos.log()).mean()
    choices = pair_choices(valid, target)
    assert contrastive_pair_loss(logits, choices).item() == pytest.approx(expected.item())
    i, j = data.best_pair[0, 0].tolist()
    boosted = logits.clone()
    boosted[0, [i, j]] += 2.0
    assert contrastive_pair_loss(boosted, choices) < contrastive_pair_loss(logits, choices)


def test_env_rewards_paste_back_and_flow_at_the_end(cfg, data, local_state):
    local = load_local(cfg, local_state)
    env = InpaintEnv(local, data.videos[:2], data.masks[:2], data.corrupted[:2], cfg.rovr,
                       flow_coef=3.0)
    rewards = []
    while not env.done:
        small, target = env.observe()
        assert (target == env.t).all()
        rewards.append(env.step(oracle_selector(data.best_pair)(small, target,
                                                                  torch.arange(2))))
    known = ~data.masks[:2].expand_as(env.current)
    assert torch.equal(env.current[known], data.videos[:2][known])
    # the reward's distance (reward_net alex) is the metric's perceptual distance, and the
    # cached L_P(x_bar_t, x_t) is the corrupted frames' distance
    corrupted_lp = perceptual_distance(data.corrupted[:2], data.videos[:2])
    assert torch.allclose(env.cache.corrupted_lp, corrupted_lp, atol=1e-5)
    expected = corrupted_lp[:, 5] - perceptual_distance(env.current[:, 5], data.videos[:2, 5])
    assert torch.allclose(rewards[5], expected, atol=1e-5)
    last = corrupted_lp[:, -1] - perceptual_distance(env.current[:, -1], data.videos[:2, -1])
    assert torch.allclose(rewards[-1], last + 3.0 * env.flow_recovery, atol=1e-5)
    assert torch.allclose(env.flow_recovery, flow_recovery_batch(env.current, data.videos[:2],
                                                                  data.corrupted[:2]), atol=1e-5)


def test_local_training_resumes_exactly(cfg, tmp_path):
    c = load_config("smoke", {"rovr.local.iterations": 4, "rovr.checkpoint_every": 100})
    full = train_local(c, 0, tmp_path / "a", progress=False)
    part = train_local(c, 0, tmp_path / "b", stop_after=2, progress=False)
    assert not part.done and part.iteration == 2
    resumed = train_local(c, 0, tmp_path / "b", progress=False)
    assert resumed.done and _same(full.state["local"], resumed.state["local"])
    assert (tmp_path / "a" / "tb").is_dir() and (tmp_path / "a" / "provenance.json").is_file()


def test_imitation_and_ppg_resume_exactly(cfg, local_state, tmp_path):
    c = load_config("smoke", {"rovr.ppg.policy_iterations": 2, "rovr.ppg.phases": 1})
    for loss, action in (("bce", "top2"), ("contrastive", "top2"), ("contrastive", "pair")):
        kw = {"loss": loss, "action": action, "progress": False}
        full = train_imitation(c, 0, local_state, tmp_path / f"i{loss}{action}", **kw)
        train_imitation(c, 0, local_state, tmp_path / f"j{loss}{action}", stop_after=1, **kw)
        again = train_imitation(c, 0, local_state, tmp_path / f"j{loss}{action}", **kw)
        assert _same(full.state["policy"], again.state["policy"])
    warm = full.state
    # interrupt inside the first phase (buffer non-empty) and resume
    full = train_ppg(c, 0, local_state, warm, True, tmp_path / "p", progress=False)
    part = train_ppg(c, 0, local_state, warm, True, tmp_path / "q", stop_after=1,
                       progress=False)
    assert len(part.state["buffer"]) == 1
    again = train_ppg(c, 0, local_state, warm, True, tmp_path / "q", progress=False)
    for key in ("policy", "critic", "local"):
        assert _same(full.state[key], again.state[key]), key
    assert not _same(full.state["policy"], warm["policy"])


def test_selectors_and_evaluation(cfg, local_state):
    test = masked_set(cfg, "test", 0)
    local = load_local(cfg, local_state)
    oracle = run_selector(local, test, oracle_selector(test.best_pair), cfg.rovr)
    assert torch.equal(oracle.pairs, test.best_pair)
    metrics = evaluate_rollout(oracle, test)
    assert metrics["valid_pair_rate"] == 1.0
    assert {"mse", "psnr", "ssim", "perceptual", "flow_recovery"} <= set(metrics)
    seq = run_selector(local, test, sequential_selector(), cfg.rovr)
    assert seq.pairs[0, 5].tolist() == [4, 3]
    table = local_table(local, test, cfg.rovr, 0)
    assert set(table) == {"best", "worst", "random"} and len(table["best"]["mse"]) == 40


# ---------------------------------------------------------------- bit-identical resume per stage


def _identical(a, b) -> bool:
    """Every tensor, number and string of two nested states equal, bit for bit."""
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_identical(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b))
    return a == b


def _history(run_dir):
    import json

    return [{k: v for k, v in row.items()} for row in
            json.loads((run_dir / "history.json").read_text())]


def _resume_is_identical(train, tmp_path, stop_at):
    """A run stopped after ``stop_at`` steps and resumed ends with the uninterrupted run's
    state (weights, optimizer moments, PPG buffer) and the same per-step losses."""
    full = train(tmp_path / "full", None)
    part = train(tmp_path / "part", stop_at)
    assert not part.done and part.iteration == stop_at
    again = train(tmp_path / "part", None)
    assert again.done and again.iteration == full.iteration
    assert _identical(full.state, again.state)
    assert _history(tmp_path / "full") == _history(tmp_path / "part")
    return full


def test_local_resume_is_bit_identical(tmp_path):
    c = load_config("smoke", {"rovr.local.iterations": 4, "rovr.checkpoint_every": 1})
    _resume_is_identical(lambda d, stop: train_local(c, 1, d, stop_after=stop, progress=False),
                         tmp_path, 3)


def test_imitation_resume_is_bit_identical(local_state, tmp_path):
    c = load_config("smoke", {"rovr.imitation.iterations": 5})
    _resume_is_identical(lambda d, stop: train_imitation(c, 1, local_state, d, loss="bce",
                                                         stop_after=stop, progress=False,
                                                         action="top2"),
                         tmp_path, 3)  # resumes on a negative-pair step


def test_ppg_resume_is_bit_identical_at_a_phase_boundary(local_state, tmp_path):
    c = load_config("smoke", {"rovr.ppg.policy_iterations": 1, "rovr.ppg.phases": 1})
    full = _resume_is_identical(
        lambda d, stop: train_ppg(c, 1, local_state, None, True, d, stop_after=stop,
                                  progress=False),
        tmp_path, 1)  # stops with a rollout in the buffer, before the auxiliary phase
    phases = [row["phase"] for row in _history(tmp_path / "full")]
    assert phases == ["policy", "auxiliary"] and full.state["buffer"] == []


@pytest.mark.slow
def test_table1_seeds_in_parallel_match_the_serial_run(tmp_path, monkeypatch):
    """Two seeds in two spawned processes give Table 1 to the bit, as one process does."""
    from rlvid.rovr.tables import table1

    c = load_config("smoke", {"seeds": [0, 1], "rovr.local.iterations": 2})
    monkeypatch.setenv("RLVID_RUNS", str(tmp_path / "serial"))
    serial_rows, serial_raw = table1(c, progress=False, backend="serial")
    monkeypatch.setenv("RLVID_RUNS", str(tmp_path / "process"))
    rows, raw = table1(c, progress=False, backend="process")
    def untimed(table: list[dict]) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "train_s"} for r in table]
    assert untimed(rows) == untimed(serial_rows) and list(raw) == [0, 1]
    assert (tmp_path / "process" / "rovr").is_dir()  # trained there, not reused
    for seed in raw:
        for name, metrics in raw[seed].items():
            assert all((metrics[k] == serial_raw[seed][name][k]).all() for k in metrics)


def test_action_ceilings_known_answer():
    from types import SimpleNamespace

    from rlvid.rovr.evaluate import action_ceilings

    valid = torch.zeros(1, 4, 4, 4, dtype=torch.bool)
    valid[0, 0, 1, 2] = valid[0, 0, 2, 1] = True  # target 0: only {1, 2}; others: none
    coverage = torch.zeros(1, 4, 4, 4)
    coverage[0, 0, 3, 3], coverage[0, 0, 1, 1], coverage[0, 0, 2, 2] = 0.9, 0.5, 0.4
    out = action_ceilings(SimpleNamespace(valid=valid, coverage=coverage))
    # frame-wise score picks {3, 1} (invalid); pair counts pick {1, 2}; 1 of 4 targets has a pair
    assert out == pytest.approx({"top2_frame_score": 0.0, "top2_pair_count": 0.25,
                                 "pair": 0.25, "random": 1 / 12})
