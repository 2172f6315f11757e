"""Stage 2: warm-start the policy pi by imitation (§6.2), or by §8's contrastive fix.

States are those the oracle (best pair) visits (:func:`rlvid.rovr.selectors.expert_states`);
BCE alternates a positive (valid) and a negative (invalid) pair per step (eq. 2). With k > 2
conditioning frames the per-frame top-k policy imitates k-sets the same way (the oracle's
best k-set, valid and invalid k-sets); the pair-aware policy does not (its loss sums over
every valid ordered k-tuple, T^k of them).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from rlvid.config import Config
from rlvid.config.rovr import ROVRConfig
from rlvid.errors import RlvidError
from rlvid.harness import StepOutput
from rlvid.parallel.distributed import ONE, Context
from rlvid.rovr.dataset import masked_set
from rlvid.rovr.nets import build_policy, load_local
from rlvid.rovr.pairs import Choices, sample_labelled, set_choices
from rlvid.rovr.runs import stage_dir
from rlvid.rovr.selectors import expert_states
from rlvid.rovr.stage_runner import StageResult, run_stage

Mean = Callable[[torch.Tensor], torch.Tensor]


def bce_pair_loss(logits: torch.Tensor, pair: torch.Tensor, label: float,
                  mean: Mean = torch.mean) -> torch.Tensor:
    """eq. (2) on the two frames of a pair (the k of a set): multi-label BCE with
    sigmoid(logit). ``mean``: over the batch (data-parallel: over every process's rows)."""
    chosen = logits.gather(1, pair)
    return mean(F.binary_cross_entropy_with_logits(chosen, torch.full_like(chosen, label),
                                                   reduction="none"))


def contrastive_pair_loss(logits: torch.Tensor, choices: Choices,
                          mean: Mean = torch.mean) -> torch.Tensor:
    """§8's proposed fix: score a pair by logit_i + logit_j (the order the top-2 action ranks
    pairs in; a k-set by its k logits' sum, the top-k's order) and maximise the softmax mass
    of the valid sets among the usable ones of ``choices`` (multi-positive InfoNCE). Rows with
    no valid set are skipped."""
    finite = logits.masked_fill(torch.isinf(logits), 0.0)
    scores = choices.set_scores(finite)
    pos = choices.weights(True).bool()
    allowed = pos | choices.weights(False).bool()
    keep = pos.any(1)
    neg_inf = torch.tensor(float("-inf"))
    log_all = torch.logsumexp(torch.where(allowed, scores, neg_inf), 1)
    log_pos = torch.logsumexp(torch.where(pos, scores, neg_inf), 1)
    return mean((log_all - log_pos)[keep])


def pair_contrastive_loss(joint: torch.Tensor, valid: torch.Tensor,
                          mean: Mean = torch.mean) -> torch.Tensor:
    """The ranking loss for the pair-aware policy (§8's proposal, exact): -log of the
    probability mass pi puts on valid ordered pairs, log sum_{(i,j) valid} pi(i, j).
    ``joint`` (B, T, T) ordered-pair log-probs, ``valid`` (B, T, T). Rows with no valid
    pair are skipped."""
    pos = valid & torch.isfinite(joint)
    keep = pos.flatten(1).any(1)
    mass = torch.logsumexp(joint.masked_fill(~pos, float("-inf")).flatten(1), 1)
    return -mean(mass[keep])


class ImitationTrainer:
    """pi and its Adam on expert states; a step is one batch of states and pairs.

    Data-parallel under torchrun (:meth:`distribute`) as Gamma's stage: every process draws
    the whole batch (same seed; BCE's labelled pairs too), runs pi (in DDP) on its shard,
    and takes each loss's mean over every process's rows (``Context.global_mean``: the
    rows BCE keeps and the states with a valid set differ between shards)."""

    def __init__(self, cfg: Config, local_state: dict[str, Any], loss: str, action: str):
        self.cfg, self.rcfg, self.loss, self.action = cfg, cfg.rovr, loss, action
        self.k = check_imitation(self.rcfg, loss, action)
        self.policy = build_policy(self.rcfg, action)  # seeded by the harness first
        self.opt = torch.optim.Adam(self.policy.parameters(), lr=self.rcfg.imitation.lr)
        self.data = masked_set(cfg, "train")
        with torch.no_grad():  # load_local builds a UNet: a draw that today's runs include
            self.small, self.target, self.n = expert_states(load_local(cfg, local_state),
                                                            self.data, self.rcfg)
        self.ctx = ONE  # one process until distribute
        self.call = self.ctx.wrap_loss(self.policy)

    def distribute(self, ctx: Context) -> None:
        """Under torchrun (the harness calls this): pi in DDP (through ``wrap_loss``: its aux
        value head, which imitation leaves unused, keeps no gradient), shards of the batch."""
        self.ctx, self.call = ctx, ctx.wrap_loss(self.policy)

    def step(self, index: int) -> StepOutput:
        rcfg, target, ctx = self.rcfg, self.target, self.ctx
        b = torch.randint(len(target), (rcfg.imitation.batch_size,))
        labelled = None
        positive = index % 2 == 0  # BCE alternates positive and negative pairs (§6.2)
        if self.action != "pair" and self.loss == "bce":  # drawn for the whole batch
            rows, pair = sample_labelled(set_choices(self.data, self.n[b], target[b], self.k),
                                         positive)
            mine = ctx.shard(torch.arange(len(b)))  # this process's rows of the batch
            ours = (rows >= mine[0]) & (rows <= mine[-1])
            labelled = rows[ours] - mine[0], pair[ours]
        b = ctx.shard(b)
        value = self.call(self._loss, b, labelled, positive)
        self.opt.zero_grad()
        value.backward()
        self.opt.step()
        return StepOutput({self.loss: float(value.detach())}, phase="imitation",
                          samples=len(b))

    def _loss(self, policy: torch.nn.Module, b: torch.Tensor,
              labelled: tuple[torch.Tensor, torch.Tensor] | None,
              positive: bool) -> torch.Tensor:
        """The imitation loss of states ``b`` (eq. 2, or §8's contrastive fix); ``labelled``:
        BCE's (rows of ``b``, sets), drawn for the whole batch."""
        target, mean = self.target, self.ctx.global_mean
        logits, _ = policy(self.small[b], target[b])
        if self.action == "pair":  # logits are the joint log-probs (B, T, T)
            return pair_contrastive_loss(logits, self.data.valid[self.n[b], target[b]], mean)
        if labelled is not None:
            rows, pair = labelled
            return bce_pair_loss(logits[rows], pair, 1.0 if positive else 0.0, mean)
        return contrastive_pair_loss(logits, set_choices(self.data, self.n[b], target[b],
                                                         self.k), mean)

    def state_dict(self) -> dict[str, Any]:
        return {"policy": self.policy.state_dict(), "policy_opt": self.opt.state_dict(),
                "stage": "imitation", "loss": self.loss, "action": self.action,
                "config": self.cfg.to_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.policy.load_state_dict(state["policy"])
        self.opt.load_state_dict(state["policy_opt"])


def imitation_name(loss: str, action: str) -> str:
    """The imitation stage's run-directory name."""
    return f"imitation-{loss}" if action == "top2" else f"imitation-{loss}-pair"


def check_imitation(rcfg: ROVRConfig, loss: str, action: str) -> int:
    """Refuse an imitation the code does not define, in one line; returns k."""
    k = rcfg.conditioning_frames
    if loss not in ("bce", "contrastive"):
        raise RlvidError(f"imitation loss must be 'bce' or 'contrastive', got {loss!r}")
    if action == "pair" and loss == "bce":
        raise RlvidError("the pair-aware policy imitates with loss 'contrastive' (BCE is the "
                         "per-frame top-2 policy's, §6.2): pass loss='contrastive'")
    if action == "pair" and k > 2:
        raise RlvidError(f"imitation of the pair-aware policy is not supported for k > 2 "
                         f"(conditioning_frames = {k}): use action 'top2' or start PPG cold")
    return k


def train_imitation(cfg: Config, seed: int, local_state: dict[str, Any],
                    run_dir: str | Path | None = None, loss: str | None = None,
                    stop_after: int | None = None, progress: bool = True,
                    action: str | None = None) -> StageResult:
    """Warm-start pi (§6.2) on expert-trajectory states; ``loss`` = bce | contrastive;
    ``action`` = pair | top2 (default ``rovr.action``). The pair-aware policy trains on
    :func:`pair_contrastive_loss` (BCE is the per-frame policy's, §6.2)."""
    loss = loss or cfg.rovr.imitation.loss
    action = action or cfg.rovr.action
    check_imitation(cfg.rovr, loss, action)
    name = imitation_name(loss, action)
    run_dir = Path(run_dir) if run_dir is not None else stage_dir(cfg, seed, name)
    return run_stage(lambda: ImitationTrainer(cfg, local_state, loss, action), cfg, seed, run_dir,
                     cfg.rovr.imitation.iterations, "imitation", stop_after, progress,
                     variant=name)
