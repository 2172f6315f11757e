"""Algorithm 1 pieces: replay buffer, DDPG updates, transitions and rewards."""

import copy

import pytest
import torch

from rlvid.config import load_config
from rlvid.data import load_v2v_dataset
from rlvid.rl import (
    Part,
    ReplayBuffer,
    Transitions,
    actor_loss,
    critic_loss,
    ddpg_update,
    soft_update,
    td_target,
)
from rlvid.rl.ddpg import critic_step
from rlvid.v2v.algorithm1 import RLV2VGAN
from rlvid.v2v.rl_phase import prefix_states
from rlvid.v2v.training_parts import TrainingData

torch.set_num_threads(1)


def transitions(n: int, start: int = 0) -> Transitions:
    ids = torch.arange(start, start + n)
    actions = torch.ones(n, 3, 2, 2) * ids.view(-1, 1, 1, 1)
    return Transitions(ids % 3, ids, ids % 4 + 1, actions, -ids.float())


def test_replay_buffer_is_fifo_and_round_trips():
    buf = ReplayBuffer(3, (3, 2, 2))
    buf.add(transitions(5))
    assert len(buf) == 3
    assert sorted(buf.video.tolist()) == [2, 3, 4]  # the two oldest were replaced
    got = buf.get(torch.tensor([0, 1, 2]))
    assert torch.all(got.action[:, 0, 0, 0] == got.video.float())
    copy = ReplayBuffer(1, (3, 2, 2))
    copy.load_state_dict(buf.state_dict())
    for name in ("set_id", "video", "p", "reward"):
        assert torch.equal(getattr(copy, name), getattr(buf, name))
    copy.add(transitions(1, start=9))
    buf.add(transitions(1, start=9))
    assert torch.equal(copy.video, buf.video)
    assert int(buf.sample_index(100).max()) < 3
    with pytest.raises(ValueError):
        ReplayBuffer(2, (3, 2, 2)).sample_index(1)


def test_ddpg_pieces_by_hand():
    r = torch.tensor([-1.0, -2.0])
    assert torch.allclose(td_target(r, 0.5, torch.tensor([4.0, 4.0]), torch.tensor([1.0, 0.0])),
                          torch.tensor([1.0, -2.0]))
    assert critic_loss(torch.tensor([0.0, 0.0]), torch.tensor([1.0, 3.0])).item() == 5.0
    # actor: Q(s, a) = w . a with a = pi(theta) = theta -> grad of -Q is -w / m
    w = torch.tensor([2.0, -3.0])
    theta = torch.zeros(4, 2, requires_grad=True)
    actor_loss((theta * w).sum(dim=1)).backward()
    assert torch.allclose(theta.grad, -w.expand(4, 2) / 4)
    target, source = torch.nn.Linear(2, 1), torch.nn.Linear(2, 1)
    before = target.weight.detach().clone()
    soft_update(target, source, 0.25)
    assert torch.allclose(target.weight, 0.25 * source.weight + 0.75 * before)


@pytest.fixture(scope="module")
def trainer():
    cfg = load_config("smoke")
    torch.manual_seed(0)
    data = load_v2v_dataset("synthetic", cfg.data, seed=0)
    return RLV2VGAN(cfg, TrainingData.from_dataset(data, torch.device("cpu")),
                    torch.device("cpu"))


def test_terminal_reward_is_the_video_loss(trainer):
    T = trainer.T
    p = torch.tensor([T - 1, T - 1, 1, 2])
    s, mask = prefix_states(trainer.data, torch.tensor([0, 1, 0, 2]),
                            torch.tensor([0, 0, 1, 1]), p)
    a = torch.rand(4, 3, *s.shape[-2:])
    a_true = torch.rand_like(a)
    trainer.nets.eval()
    r = trainer.rewards("x", s, mask, a, a_true, p)
    assert torch.all(r < 0)  # negated losses
    v = trainer.v
    trainer.v = type(v)(**{**v.__dict__, "lambda_v": 0.0})
    r0 = trainer.rewards("x", s, mask, a, a_true, p)
    trainer.v = v
    assert torch.all(r0[:2] == 0)  # p = T-1: r = -lambda_v L_v
    assert torch.allclose(r0[2:], r[2:])  # otherwise lambda_v plays no part


def test_random_frames_come_from_the_union(trainer):
    frames = trainer.data.random_frames(20)
    pool = torch.cat([trainer.data.x.flatten(0, 1), trainer.data.y.flatten(0, 1),
                      trainer.data.z.flatten(0, 1), trainer.data.zbar]).flatten(1)
    dist = (frames.flatten(1)[:, None] - pool[None]).abs().amax(dim=2).min(dim=1).values
    assert torch.all(dist == 0)


def test_rl_step_fills_buffer_and_logs(trainer):
    before = len(trainer.buffer)
    stats = trainer.rl_step()
    assert len(trainer.buffer) == before + stats["new_transitions"]
    for key in ("loss_q", "loss_actor", "q_mean", "loss_d", "reward", "buffer_size"):
        assert key in stats
    assert stats["q_mean"] <= 0  # neg_relu Q
    assert stats["reward"] < 0


def test_ddpg_update_in_cleanrl_order_by_hand():
    """One candidate, linear nets: the update equals CleanRL's DDPG step done by hand."""
    torch.manual_seed(0)
    q, pi = torch.nn.Linear(3, 1), torch.nn.Linear(2, 1)
    q_t, pi_t = copy.deepcopy(q), copy.deepcopy(pi)
    ref_q, ref_pi, ref0 = copy.deepcopy(q), copy.deepcopy(pi), copy.deepcopy(q)
    opt_q, opt_pi = torch.optim.SGD(q.parameters(), lr=0.1), torch.optim.SGD(pi.parameters(),
                                                                             lr=0.1)
    s, s2, a, r = torch.rand(4, 2), torch.rand(4, 2), torch.rand(4, 1), torch.rand(4)
    done = torch.tensor([1.0, 1.0, 0.0, 1.0])

    def critic(net):
        return lambda key, state, action: net(torch.cat([state, action], 1))[:, 0]

    def actor(net):
        return lambda key, state: [net(state)]

    stats = ddpg_update(critic(q), critic(q_t), actor(pi), actor(pi_t), opt_q, opt_pi,
                        [Part("x", s, a, r, s2, done, 4)], 0.9, 0.5, [q], [(q_t, q), (pi_t, pi)])
    # by hand: target, critic step, actor step, Polyak
    with torch.no_grad():
        target = r + 0.9 * ref_q(torch.cat([s2, ref_pi(s2)], 1))[:, 0] * done
    loss_q = ((target - ref_q(torch.cat([s, a], 1))[:, 0]) ** 2).mean()
    grads = torch.autograd.grad(loss_q, list(ref_q.parameters()))
    with torch.no_grad():
        for p, g in zip(ref_q.parameters(), grads):
            p -= 0.1 * g
    loss_pi = -ref_q(torch.cat([s, ref_pi(s)], 1)).mean()
    grads = torch.autograd.grad(loss_pi, list(ref_pi.parameters()))
    with torch.no_grad():
        for p, g in zip(ref_pi.parameters(), grads):
            p -= 0.1 * g
    assert stats["loss_q"] == pytest.approx(float(loss_q.detach()), rel=1e-6)
    assert stats["loss_actor"] == pytest.approx(float(loss_pi.detach()), rel=1e-6)
    for mine, ref in ((q, ref_q), (pi, ref_pi)):
        for p, p_ref in zip(mine.parameters(), ref.parameters()):
            assert torch.allclose(p, p_ref, atol=1e-6)
    assert all(p.requires_grad for p in q.parameters())  # critics unfrozen after the actor step
    with torch.no_grad():  # Polyak with tau 0.5 from the initial weights (= ref0)
        for p_t, p0, p in zip(q_t.parameters(), ref0.parameters(), q.parameters()):
            assert torch.allclose(p_t, 0.5 * p0 + 0.5 * p, atol=1e-6)


def test_targets_equal_the_pretrained_nets_when_the_rl_phase_starts():
    """Alg. 1 line 3 after line 2: the first RL step copies the pretrained nets into Q', pi'."""
    cfg = load_config("smoke", {"v2v.pretrain_iterations": 2})
    torch.manual_seed(0)
    data = TrainingData.from_dataset(load_v2v_dataset("synthetic", cfg.data, seed=0),
                                     torch.device("cpu"))
    t = RLV2VGAN(cfg, data, torch.device("cpu"))
    for i in range(2):
        t.step(i)  # pretraining moves G and P away from the copies made at construction
    stale = t.target["Gy"].state_dict()["to_rgb.weight"].clone()
    assert not torch.equal(stale, t.nets["Gy"].state_dict()["to_rgb.weight"])
    pretrained = copy.deepcopy(t.nets.state_dict())
    out = t.step(2)  # the first step of the RL phase (buffer filling: no update)
    assert out.phase == "rl_fill" and out.updates == 0
    for name in ("Gx", "Gy", "Px", "Py", "Qx", "Qy"):
        for key, value in t.target[name].state_dict().items():
            assert torch.equal(value, pretrained[f"{name}.{key}"]), (name, key)


def test_critic_warmup_lowers_the_td_error_on_a_fixed_buffer():
    cfg = load_config("smoke", {"v2v.replay_start": 8,
                                "v2v.q_warmup": 40, "v2v.q_patience": 40})
    torch.manual_seed(1)
    data = TrainingData.from_dataset(load_v2v_dataset("synthetic", cfg.data, seed=0),
                                     torch.device("cpu"))
    t = RLV2VGAN(cfg, data, torch.device("cpu"), pretrain_steps=0)  # a branch's start
    for i in range(8):  # 8 x m transitions collected, no update yet
        assert t.step(i).phase == "rl_fill"
    assert len(t.buffer) == 8 * t.v.batch_size
    fixed = t.parts(t.buffer.get(torch.arange(len(t.buffer))))
    policy = copy.deepcopy([t.nets[k].state_dict() for k in ("Gx", "Gy", "Px", "Py")])

    def td_error() -> float:  # the line-28 loss on the whole buffer, no step
        return critic_step(t._critic(t.nets), t._critic(t.target), t._actor(t.target), None,
                           fixed, t.v.gamma, t.v.bootstrap)[0]

    before = td_error()
    for i in range(8, 48):
        out = t.step(i)
        assert out.phase == "q_warmup" and out.updates == 1
    assert td_error() < 0.97 * before  # measured: 20.7 -> 19.3 at smoke
    for k, sd in zip(("Gx", "Gy", "Px", "Py"), policy):  # the policy stayed frozen
        assert all(torch.equal(v, t.nets[k].state_dict()[n]) for n, v in sd.items())


def test_recycle_gan_adversarial_term_sees_every_frame():
    from rlvid.v2v.baselines import RecycleGAN

    cfg = load_config("smoke")
    data = TrainingData.from_dataset(load_v2v_dataset("synthetic", cfg.data, seed=0),
                                     torch.device("cpu"))
    torch.manual_seed(0)
    t = RecycleGAN(cfg, data, torch.device("cpu"))
    seen: list[torch.Tensor] = []
    handle = t.nets["D_B"].register_forward_pre_hook(lambda m, a: seen.append(a[0].detach()))
    t.train_step()
    handle.remove()
    # D_B's first call, in the generator step, scores G_A's output for every frame of the m
    # sampled videos (before: frame t of each triplet only, m (T - 2) frames)
    assert seen[0].shape[:2] == (cfg.v2v.batch_size * data.frames, 1)
    assert seen[0].shape[0] == seen[-1].shape[0]  # and so does the discriminator step


def test_a_branch_starts_from_the_pretrained_nets_with_its_own_learning_rates():
    cfg = load_config("smoke", {"v2v.pretrain_iterations": 1})
    data = TrainingData.from_dataset(load_v2v_dataset("synthetic", cfg.data, seed=0),
                                     torch.device("cpu"))
    torch.manual_seed(0)
    pre = RLV2VGAN(cfg, data, torch.device("cpu"), rl=False)
    pre.step(0)
    other = load_config("smoke", {"v2v.actor_lr": 0.123, "v2v.lr": 0.0456})
    branch = RLV2VGAN(other, data, torch.device("cpu"), pretrain_steps=0)
    branch.load_pretrained(pre.state_dict())
    for key, value in pre.nets.state_dict().items():
        assert torch.equal(value, branch.nets.state_dict()[key])
    assert branch.opt_actor.param_groups[0]["lr"] == 0.123
    assert branch.opt_gp.param_groups[0]["lr"] == 0.0456
    assert branch.opt_gp.state  # the GAN optimizer's moments came along


def test_param_change_of_the_policy_nets_by_hand():
    from rlvid.v2v.rl_phase import param_changes, snapshot

    nets = torch.nn.ModuleDict({"a": torch.nn.BatchNorm1d(2), "b": torch.nn.Linear(1, 1)})
    with torch.no_grad():
        nets["a"].weight.copy_(torch.tensor([3.0, 4.0]))  # |θ_a| = 5
        nets["a"].bias.zero_()
        nets["b"].weight.fill_(1.0)
        nets["b"].bias.fill_(0.0)
    start = snapshot(nets, ("a", "b"))
    with torch.no_grad():
        nets["a"].weight.add_(torch.tensor([0.0, 0.5]))
        nets["a"].running_mean.fill_(100.0)  # a buffer, not θ: it does not count
    got = param_changes(start, nets)
    assert got["a"] == pytest.approx(0.1) and got["b"] == 0.0
    assert got["policy"] == pytest.approx(0.5 / 26 ** 0.5)
