"""RL-V2V-GAN training, top to bottom: GAN pretraining (Alg. 1 line 2), then Algorithm 1
(DDPG over frame-generating policies, §3.3 and §5), plus the harness every method of the
synthetic table shares (seeding, resume, checkpoints, NaN stop, TensorBoard).

Hyperparameters: :class:`rlvid.config.v2v.V2VConfig` (``cfg.v2v``). Interpretations of
the paper are listed on the errata page (book/errata/v2v.md); the comments cite the
equation or algorithm line they implement.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from rlvid.nn.blocks import recalibrated
from rlvid.nn.v2v import SeqToSeq, build_networks
from rlvid.rl.ddpg import actor_loss, critic_loss, soft_update, td_target
from rlvid.rl.replay import ReplayBuffer, Transitions
from rlvid.runtime import (
    CheckpointError,
    Run,
    check_finite,
    checkpoint_kind,
    load_checkpoint,
    resolve_device,
    runs_root,
    save_checkpoint,
    seed_everything,
    stop_requests,
)
from rlvid.train.losses_v2v import (
    adversarial_loss_x,
    adversarial_loss_y,
    recurrent_loss_x,
    recurrent_loss_y,
    recycle_loss_xy,
    recycle_loss_yx,
    recycle_positions,
    total_loss,
    video_loss_x,
    video_loss_y,
)

METHODS = ("rlv2v", "pretrain_only", "recycle", "cyclegan")
SETS = ("x", "y", "z")  # replay set ids 0, 1, 2; x is the source domain, y and z the target


# ---------------------------------------------------------------- data

@dataclass
class TrainingData:
    """The training tensors of a :class:`rlvid.data.V2VDataset`, on the training device."""

    x: torch.Tensor  # (N, T, 3, H, W)
    y: torch.Tensor
    z: torch.Tensor
    zbar: torch.Tensor  # (M, 3, H, W)

    @classmethod
    def from_dataset(cls, data: Any, device: torch.device) -> TrainingData:
        return cls(*(getattr(data, k).to(device) for k in ("x", "y", "z", "zbar")))

    @property
    def frames(self) -> int:
        return int(self.x.shape[1])

    def videos(self, set_id: int) -> torch.Tensor:
        return (self.x, self.y, self.z)[set_id]

    def sample(self, m: int, length: int | None = None) -> dict[str, torch.Tensor]:
        """m videos from each of X, Y, Z (first ``length`` frames) and m x length Zbar images."""
        length = length or self.frames
        out = {k: v[torch.randint(v.shape[0], (m,))][:, :length]
               for k, v in (("x", self.x), ("y", self.y), ("z", self.z))}
        out["zbar"] = self.zbar[torch.randint(self.zbar.shape[0], (m, length))]
        return out

    def random_frames(self, n: int) -> torch.Tensor:
        """Alg. 1 line 18: n frames drawn uniformly from x ∪ y ∪ z ∪ {zbar}."""
        pools = [self.x.flatten(0, 1), self.y.flatten(0, 1), self.z.flatten(0, 1), self.zbar]
        sizes = torch.tensor([p.shape[0] for p in pools])
        index = torch.randint(int(sizes.sum()), (n,))
        bounds = torch.cumsum(sizes, 0)
        pool = torch.bucketize(index, bounds, right=True)
        offset = index - (bounds - sizes)[pool]
        return torch.stack([pools[int(k)][int(j)] for k, j in zip(pool, offset)])


def left_padded(videos: list[torch.Tensor], length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack videos of different lengths, right-aligned in ``length`` frames, with a mask of
    real frames (ConvLSTMs hold their zero state through the padding: exact, not approximate)."""
    first = videos[0]
    out = first.new_zeros(len(videos), length, *first.shape[1:])
    mask = torch.zeros(len(videos), length, dtype=torch.bool, device=first.device)
    for i, v in enumerate(videos):
        out[i, length - v.shape[0]:] = v
        mask[i, length - v.shape[0]:] = True
    return out, mask


def set_requires_grad(modules: list[nn.Module], flag: bool) -> None:
    for m in modules:
        for p in m.parameters():
            p.requires_grad_(flag)


def adam(params: Any, lr: float, cfg: Any) -> torch.optim.Optimizer:
    """Adam with L2 1e-3 on every trainable parameter (§6.2) as coupled weight decay."""
    return torch.optim.Adam(params, lr=lr, betas=tuple(cfg.betas), weight_decay=cfg.weight_decay)


# ---------------------------------------------------------------- RL-V2V-GAN

class RLV2VGAN:
    """The eight networks, their target copies, the replay buffer and both phases."""

    def __init__(self, cfg: Any, data: TrainingData, device: torch.device, rl: bool = True):
        self.cfg, self.v, self.data, self.device = cfg, cfg.v2v, data, device
        self.T = data.frames
        size = int(data.x.shape[-1])
        self.nets = build_networks(self.v, size).to(device)
        n = self.nets
        # Alg. 1 line 3: target networks Q' and pi' start as copies
        self.target = nn.ModuleDict({k: copy.deepcopy(n[k])
                                     for k in ("Gx", "Gy", "Px", "Py", "Qx", "Qy")}).eval()
        set_requires_grad([self.target], False)
        self.policy = [n["Gx"], n["Gy"], n["Px"], n["Py"]]
        self.discriminators = [n["Dx"], n["Dy"]]
        self.critics = [n["Qx"], n["Qy"]]
        policy_params = [p for m in self.policy for p in m.parameters()]
        self.opt_gp = adam(policy_params, self.v.lr, self.v)
        self.opt_d = adam([p for m in self.discriminators for p in m.parameters()],
                          self.v.lr, self.v)
        self.opt_q = adam([p for m in self.critics for p in m.parameters()], self.v.q_lr, self.v)
        self.opt_actor = adam(policy_params, self.v.actor_lr or self.v.lr, self.v)
        self.buffer = ReplayBuffer(self.v.buffer_size, tuple(data.x.shape[2:]))
        self.order = torch.zeros(0, 2, dtype=torch.long)  # line 5: the epoch's (set, video)
        self.position = 0
        self.phases = [("pretrain", self.v.pretrain_iterations),
                       ("rl", self.v.rl_iterations if rl else 0)]

    # ---- the translator that evaluation uses: Gy, x -> y
    def translator(self) -> SeqToSeq:
        return self.nets["Gy"]

    def step(self, phase: str) -> dict[str, float]:
        return self.pretrain_step() if phase == "pretrain" else self.rl_step()

    # ================================================================ pretraining
    def pretrain_step(self) -> dict[str, float]:
        """Alg. 1 line 2: one GAN step of G, P (descend L, eq. 10) and D (ascend L)."""
        n, v = self.nets, self.v
        batch = self.data.sample(v.batch_size)
        x, y, z = batch["x"], batch["y"], batch["z"]
        self.nets.train()
        # generators and predictors: total loss (10), non-saturating adversarial terms
        set_requires_grad(self.discriminators, False)
        gy_x = n["Gy"](x)
        gx_y, gx_z = n["Gx"](torch.cat([y, z])).chunk(2)
        positions = recycle_positions(self.T, v.recycle_positions)
        terms = {
            "adv_y": adversarial_loss_y(n["Dy"], gy_x, mode="generator"),  # eq. (1)
            "adv_x": adversarial_loss_x(n["Dx"], gx_y, gx_z, mode="generator"),  # eq. (2)
            "rr_x": recurrent_loss_x(n["Px"], x),  # eq. (3)
            "rr_y": recurrent_loss_y(n["Py"], y, z),  # eq. (4)
            "rc_xy": recycle_loss_xy(n["Gx"], n["Py"], x, gy_x, positions),  # eq. (5)
            "rc_yx": recycle_loss_yx(n["Gy"], n["Px"], y, gx_y, z, gx_z, positions),  # eq. (6)
            "v_x": video_loss_x(n["Dx"], gx_y, gx_z, mode="generator"),  # eq. (8)
            "v_y": video_loss_y(n["Dy"], gy_x, mode="generator"),  # eq. (9)
        }
        loss_gp = total_loss(terms, v)  # eq. (10)
        self.opt_gp.zero_grad(set_to_none=True)
        loss_gp.backward()
        self.opt_gp.step()
        set_requires_grad(self.discriminators, True)
        loss_d = self.discriminator_step(batch, gy_x.detach(), gx_y.detach(), gx_z.detach(),
                                         include_video=True)
        return {"loss_gp": float(loss_gp.detach()), "loss_d": loss_d,
                **{f"L_{k}": float(t.detach()) for k, t in terms.items()}}

    def discriminator_step(self, batch: dict[str, torch.Tensor], gy_x: torch.Tensor,
                           gx_y: torch.Tensor, gx_z: torch.Tensor, include_video: bool) -> float:
        """D ascends L (eq. 10), or L - L_v for videos shorter than T (Alg. 1 lines 34-35)."""
        n, v = self.nets, self.v
        x, y, z, zbar = batch["x"], batch["y"], batch["z"], batch["zbar"]
        value = (adversarial_loss_y(n["Dy"], gy_x, y, z, zbar)  # eq. (1)
                 + adversarial_loss_x(n["Dx"], gx_y, gx_z, x))  # eq. (2)
        if include_video:
            value = (value + v.lambda_vx * video_loss_x(n["Dx"], gx_y, gx_z, x)  # eq. (8)
                     + v.lambda_vy * video_loss_y(n["Dy"], gy_x, y, z))  # eq. (9)
        loss = -value
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return float(loss.detach())

    # ================================================================ Algorithm 1
    def next_video(self) -> tuple[int, int]:
        """Line 5: every video of X ∪ Y ∪ Z once per epoch, in a random order."""
        if self.position >= len(self.order):
            pairs = [(s, i) for s in range(3) for i in range(self.data.videos(s).shape[0])]
            pairs_t = torch.tensor(pairs, dtype=torch.long)
            self.order = pairs_t[torch.randperm(len(pairs_t))]
            self.position = 0
        set_id, index = self.order[self.position].tolist()
        self.position += 1
        return set_id, index

    def states(self, set_id: torch.Tensor, video: torch.Tensor, p: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor]:
        """s = the first p frames of each transition's video, left-padded to T-1 frames."""
        return left_padded([self.data.videos(int(s))[int(i), :int(k)]
                            for s, i, k in zip(set_id, video, p)], self.T - 1)

    def true_actions(self, t: Transitions) -> torch.Tensor:
        """Line 24: a_true = frame p+1 of the transition's video."""
        return torch.stack([self.data.videos(int(s))[int(i), int(k)]
                            for s, i, k in zip(t.set_id, t.video, t.p)])

    def candidates(self, domain: str, s: torch.Tensor, mask: torch.Tensor,
                   nets: nn.ModuleDict) -> tuple[torch.Tensor, torch.Tensor]:
        """Line 13: a1 = P(s), a2 = G'(P(G(s))) with P, G, G' chosen by the domain of v."""
        if domain == "x":
            p, g_to, p_other, g_back = nets["Px"], nets["Gy"], nets["Py"], nets["Gx"]
        else:
            p, g_to, p_other, g_back = nets["Py"], nets["Gx"], nets["Px"], nets["Gy"]
        a1 = p.next_frame(s, mask)
        g = g_to(s, mask=mask)
        predicted = p_other.next_frame(g, mask)
        ones = mask.new_ones(mask.shape[0], 1)
        a2 = g_back(torch.cat([g, predicted[:, None]], 1), mask=torch.cat([mask, ones], 1))[:, -1]
        return a1, a2

    @torch.no_grad()
    def rewards(self, domain: str, s: torch.Tensor, mask: torch.Tensor, a: torch.Tensor,
                a_true: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
        """Lines 19-22 on one transition (errata: per-transition losses):
        p = T-1: r = -lambda_v L_v(s'), L_v = -sum_heads log D(s') (video, eqs. 8-9);
        else: r = -(L_g + lambda_rr L_rr + lambda_rc L_rc) with L_g = -log D_0(a) (eqs. 1-2),
        L_rr = ||a_true - a||^2 (eqs. 3-4), L_rc = ||a_true - G'(G(s'))_last||^2 (eqs. 5-6)."""
        n, v = self.nets, self.v
        d = n["Dx"] if domain == "x" else n["Dy"]
        g_to, g_back = (n["Gy"], n["Gx"]) if domain == "x" else (n["Gx"], n["Gy"])
        s_next = torch.cat([s, a[:, None]], 1)  # line 23
        mask_next = torch.cat([mask, mask.new_ones(mask.shape[0], 1)], 1)
        l_v = -F.logsigmoid(d(s_next, mask_next)[:, -1]).sum(-1)
        l_g = -F.logsigmoid(d(a[:, None])[:, 0, 0])
        l_rr = ((a_true - a) ** 2).mean(dim=(1, 2, 3))
        back = g_back(g_to(s_next, mask=mask_next), mask=mask_next)[:, -1]
        l_rc = ((a_true - back) ** 2).mean(dim=(1, 2, 3))
        terminal = p.to(a.device) == self.T - 1
        return torch.where(terminal, -v.lambda_v * l_v,
                           -(l_g + v.lambda_rr * l_rr + v.lambda_rc * l_rc))

    @torch.no_grad()
    def new_transitions(self, set_id: int, index: int, count: int) -> Transitions:
        """Lines 12-24 for ``count`` new transitions of video v, in one batched pass."""
        v, domain = self.v, ("x" if set_id == 0 else "y")
        p = torch.randint(1, self.T, (count,))  # line 12
        sets = torch.full((count,), set_id, dtype=torch.long)
        videos = torch.full((count,), index, dtype=torch.long)
        s, mask = self.states(sets, videos, p)
        self.nets.eval()
        a1, a2 = self.candidates(domain, s, mask, self.nets)  # line 13
        q = self.nets["Qx" if domain == "x" else "Qy"]
        greedy_pick = q(s, a1, mask) >= q(s, a2, mask)  # line 16: argmax over {a1, a2}
        greedy = torch.where(greedy_pick.view(-1, 1, 1, 1), a1, a2)
        use_greedy = torch.rand(count) < v.eps2  # line 14
        random_frames = self.data.random_frames(count)  # line 18
        a = torch.where(use_greedy.to(a1.device).view(-1, 1, 1, 1), greedy, random_frames)
        a_true = self.data.videos(set_id)[index, p]  # line 24
        r = self.rewards(domain, s, mask, a, a_true, p)  # lines 19-22
        self.nets.train()
        return Transitions(sets, videos, p, a.cpu(), r.cpu())

    def rl_step(self) -> dict[str, float]:
        """One video v of Algorithm 1 (lines 5-35)."""
        v = self.v
        set_id, index = self.next_video()  # line 5
        # lines 7-11: decide replay (u1 = 1, B non-empty) or new, m times
        picks: list[tuple[str, int]] = []
        stored, fresh = len(self.buffer), 0
        for _ in range(v.batch_size):
            u1 = bool(torch.rand(()) < v.eps1)  # line 8
            if u1 and stored + fresh > 0:  # line 9: transitions made earlier in this loop count
                j = int(torch.randint(stored + fresh, ()))
                picks.append(("buffer", j) if j < stored else ("new", j - stored))
            else:
                picks.append(("new", fresh))
                fresh += 1
        replay_index = torch.tensor([j for kind, j in picks if kind == "buffer"], dtype=torch.long)
        replayed = self.buffer.get(replay_index)  # line 10 (read before new ones overwrite)
        new = (self.new_transitions(set_id, index, fresh) if fresh  # lines 12-24
               else self.buffer.get(torch.zeros(0, dtype=torch.long)))
        self.buffer.add(new)  # line 25
        order = [(replayed if kind == "buffer" else new, i) for kind, i in
                 zip((k for k, _ in picks),
                     _running_index(picks))]
        batch = Transitions.cat([part.select(torch.tensor([i])) for part, i in order])
        stats = self.ddpg_update(batch)  # lines 26-31
        stats["loss_d"] = self.rl_discriminator_step()  # lines 32-35
        stats.update(buffer_size=float(len(self.buffer)), new_transitions=float(fresh),
                     reward=float(batch.reward.mean()))
        return stats

    def ddpg_update(self, batch: Transitions) -> dict[str, float]:
        """Lines 26-31: critic regression to the TD target, actor through grad_a Q, soft updates."""
        v, n = self.v, self.nets
        groups = []
        for domain, rows in (("x", batch.set_id == 0), ("y", batch.set_id > 0)):
            if rows.any():
                t = batch.select(rows.nonzero().flatten())
                s, mask = self.states(t.set_id, t.video, t.p)
                groups.append((domain, t, s, mask, t.action.to(self.device)))
        # line 27: r_hat = r + gamma Q'(s, pi'(s)) [paper] or Q'(s', pi'(s')) [DDPG]
        loss_q, q_values = 0.0, []
        for domain, t, s, mask, a in groups:
            q_net, q_target = (n["Qx"], self.target["Qx"]) if domain == "x" else \
                (n["Qy"], self.target["Qy"])
            with torch.no_grad():
                if v.bootstrap == "s":
                    bs, bmask, not_done = s, mask, None
                else:
                    bs = torch.cat([s, a[:, None]], 1)
                    bmask = torch.cat([mask, mask.new_ones(mask.shape[0], 1)], 1)
                    not_done = (t.p + 1 < self.T).float().to(a.device)
                t1, t2 = self.candidates(domain, bs, bmask, self.target)  # pi'(.)
                next_q = torch.maximum(q_target(bs, t1, bmask), q_target(bs, t2, bmask))
                target = td_target(t.reward.to(a.device), v.gamma, next_q, not_done)
            q = q_net(s, a, mask)
            q_values.append(q.detach())
            loss_q = loss_q + critic_loss(q, target) * len(t) / len(batch)  # line 28
        self.opt_q.zero_grad(set_to_none=True)
        loss_q.backward()
        self.opt_q.step()
        # lines 29-30: deterministic policy gradient through both candidate policies
        set_requires_grad(self.critics, False)
        loss_pi = 0.0
        for domain, t, s, mask, _ in groups:
            q_net = n["Qx"] if domain == "x" else n["Qy"]
            a1, a2 = self.candidates(domain, s, mask, n)
            loss_pi = loss_pi + (actor_loss(q_net(s, a1, mask))
                                 + actor_loss(q_net(s, a2, mask))) * len(t) / len(batch)
        self.opt_actor.zero_grad(set_to_none=True)
        loss_pi.backward()
        self.opt_actor.step()
        set_requires_grad(self.critics, True)
        for name in self.target:  # line 31
            soft_update(self.target[name], n[name], v.tau)
        return {"loss_q": float(loss_q.detach()), "loss_actor": float(loss_pi.detach()),
                "q_mean": float(torch.cat(q_values).mean())}

    def rl_discriminator_step(self) -> float:
        """Lines 32-35: a batch of prefixes v_{:t}, t random; the full L when t = T (B̂1),
        L - L_v otherwise (B̂2)."""
        t = int(torch.randint(1, self.T + 1, ()))
        batch = self.data.sample(self.v.batch_size, length=t)
        n = self.nets
        with torch.no_grad():
            n.eval()
            gy_x = n["Gy"](batch["x"])
            gx_y, gx_z = n["Gx"](torch.cat([batch["y"], batch["z"]])).chunk(2)
            n.train()
        return self.discriminator_step(batch, gy_x, gx_y, gx_z, include_video=(t == self.T))

    # ---------------------------------------------------------------- checkpoints
    def state_dict(self) -> dict[str, Any]:
        return {"nets": self.nets.state_dict(), "target": self.target.state_dict(),
                "opt_gp": self.opt_gp.state_dict(), "opt_d": self.opt_d.state_dict(),
                "opt_q": self.opt_q.state_dict(), "opt_actor": self.opt_actor.state_dict(),
                "buffer": self.buffer.state_dict(), "order": self.order.clone(),
                "position": self.position}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.nets.load_state_dict(state["nets"])
        self.target.load_state_dict(state["target"])
        for name in ("opt_gp", "opt_d", "opt_q", "opt_actor"):
            getattr(self, name).load_state_dict(state[name])
        self.buffer.load_state_dict(state["buffer"])
        self.order, self.position = state["order"], state["position"]


def _running_index(picks: list[tuple[str, int]]) -> list[int]:
    """Row of each pick inside its part: replayed rows count up in order; new rows keep k."""
    out, replay_row = [], 0
    for kind, j in picks:
        if kind == "buffer":
            out.append(replay_row)
            replay_row += 1
        else:
            out.append(j)
    return out


# ---------------------------------------------------------------- the shared harness

def make_method(name: str, cfg: Any, data: TrainingData, device: torch.device) -> Any:
    if name == "rlv2v":
        return RLV2VGAN(cfg, data, device, rl=True)
    if name == "pretrain_only":
        return RLV2VGAN(cfg, data, device, rl=False)
    from rlvid.train.baselines import CycleGAN, RecycleGAN

    if name == "cyclegan":
        return CycleGAN(cfg, data, device)
    if name == "recycle":
        return RecycleGAN(cfg, data, device)
    from rlvid.config import ConfigError

    raise ConfigError(f"method {name!r} is unknown; choose one of {', '.join(METHODS)}")


def save_translator(path: Path, net: SeqToSeq, method: str, cfg: Any) -> Path:
    """The x -> y translator alone, with what is needed to rebuild it (used by eval/translate)."""
    state = {"method": method, "profile": cfg.profile, "spec": net.spec,
             "frames": cfg.data.video_len, "size": cfg.data.size,
             "state_dict": net.state_dict()}
    save_checkpoint(path, state)
    return path


def load_translator(path: str | Path, device: str = "cpu") -> tuple[SeqToSeq, dict[str, Any]]:
    state = load_checkpoint(path, restore_rng=False)
    if "spec" not in state or "state_dict" not in state:
        raise CheckpointError(f"{path}: {checkpoint_kind(state)}, not a v2v translator; pass "
                              "model.pt or pretrained.pt of a `rlvid train v2v` run")
    net = SeqToSeq(**state["spec"]).to(device)
    net.load_state_dict(state["state_dict"])
    return net.eval(), state


@dataclass
class RunResult:
    run_dir: Path
    method: str
    seed: int
    status: str  # "done" or "interrupted"
    step: int
    history: list[dict[str, Any]] = field(default_factory=list)


def default_run_dir(method: str, seed: int, profile: str, dataset: str = "synthetic") -> Path:
    return runs_root() / f"v2v-{dataset}-{profile}-{method}-s{seed}"


def fit(cfg: Any, method: str = "rlv2v", seed: int = 0, run_dir: str | Path | None = None,
        data: Any = None, dataset: str = "synthetic", max_steps: int | None = None,
        stop: dict[str, bool] | None = None, progress: bool = True) -> RunResult:
    """Train one method with one seed; resume from ``run_dir``'s checkpoint if there is one.

    ``max_steps`` (or SIGINT/SIGTERM, or ``stop["requested"]``) checkpoints and returns with
    status "interrupted"; calling again resumes to the end with bit-identical results on the
    CPU. A NaN/Inf loss raises :class:`rlvid.runtime.TrainingDiverged` and keeps the last
    good checkpoint.
    """
    if method not in METHODS:
        make_method(method, cfg, None, None)  # raises ConfigError
    device = resolve_device(cfg.device)
    if data is None:
        from rlvid.data import load_v2v_dataset

        data = load_v2v_dataset(dataset, cfg.data, seed=0)
    run_dir = Path(run_dir) if run_dir else default_run_dir(method, seed, cfg.profile, dataset)
    backends = {}
    run = Run.create(run_dir.name, cfg, backends, root=run_dir.parent)
    seed_everything(seed)
    trainer = make_method(method, cfg, TrainingData.from_dataset(data, device), device)
    schedule = [phase for phase, count in trainer.phases for _ in range(count)]
    start, history = 0, []
    if run.latest_checkpoint():
        state = load_checkpoint(run.checkpoint_path)  # restores the RNG states too
        trainer.load_state_dict(state["trainer"])
        start, history = state["step"], state["history"]
    meta = {"method": method, "seed": seed, "dataset": dataset}

    def checkpoint(step: int, done: bool) -> None:
        save_checkpoint(run.checkpoint_path, {"trainer": trainer.state_dict(), "step": step,
                                              "history": history, "done": done, **meta})

    def translator() -> SeqToSeq:
        """The x -> y translator to save: its BN statistics recomputed on X (errata)."""
        return recalibrated(trainer.translator(), trainer.data.x, cfg.v2v.batch_size)

    writer = run.writer()
    context = stop_requests() if stop is None else _given(stop)
    status = "done"
    with context as flag:
        bar = tqdm(range(start, len(schedule)), initial=start, total=len(schedule),
                   desc=f"{method} s{seed}", disable=None if progress else True, leave=False)
        for step in bar:
            phase = schedule[step]
            losses = trainer.step(phase)
            check_finite(losses, step + 1)  # NaN/Inf: raise, the last checkpoint stays
            history.append({"step": step + 1, "phase": phase, **losses})
            if (step + 1) % cfg.v2v.log_every == 0 or step + 1 == len(schedule):
                for k, value in losses.items():
                    writer.add_scalar(f"{phase}/{k}", value, step + 1)
            if phase == "pretrain" and (step + 1 == len(schedule)
                                        or schedule[step + 1] != "pretrain"):
                save_translator(run.dir / "pretrained.pt", translator(), method, cfg)
            if (step + 1) % cfg.v2v.checkpoint_every == 0:
                checkpoint(step + 1, done=False)
            if step + 1 < len(schedule) and (flag["requested"] or step + 1 == max_steps):
                checkpoint(step + 1, done=False)
                status = "interrupted"
                break
        bar.close()
    writer.close()
    final = len(history) if status == "interrupted" else len(schedule)
    if status == "done":
        checkpoint(final, done=True)
        save_translator(run.dir / "model.pt", translator(), method, cfg)
    from rlvid.runtime import write_json

    write_json(run.dir / "history.json", history)
    return RunResult(run.dir, method, seed, status, final, history)


class _given:
    def __init__(self, flag: dict[str, bool]):
        self.flag = flag

    def __enter__(self) -> dict[str, bool]:
        return self.flag

    def __exit__(self, *exc: Any) -> None:
        return None


__all__ = ["METHODS", "RLV2VGAN", "RunResult", "TrainingData", "fit", "left_padded",
           "load_translator", "make_method", "save_translator"]
