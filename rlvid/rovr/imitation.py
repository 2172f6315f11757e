"""Stage 2: warm-start the policy pi by imitation (§6.2), or by §8's contrastive fix.

States are those the oracle (best pair) visits (:func:`rlvid.rovr.selectors.expert_states`);
BCE alternates a positive (valid) and a negative (invalid) pair per step (eq. 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from rlvid.config import Config
from rlvid.errors import RlvidError
from rlvid.harness import StepOutput
from rlvid.rovr.pairs import pair_weights, sample_labelled_pairs
from rlvid.rovr.runs import (
    StageResult,
    build_policy,
    load_local,
    masked_set,
    run_stage,
    stage_dir,
)
from rlvid.rovr.selectors import expert_states


def bce_pair_loss(logits: torch.Tensor, pair: torch.Tensor, label: float) -> torch.Tensor:
    """eq. (2) on the two frames of a pair: multi-label BCE with sigmoid(logit)."""
    chosen = logits.gather(1, pair)
    return F.binary_cross_entropy_with_logits(chosen, torch.full_like(chosen, label))


def contrastive_pair_loss(logits: torch.Tensor, valid: torch.Tensor,
                          target: torch.Tensor) -> torch.Tensor:
    """§8's proposed fix: score a pair by logit_i + logit_j (the order the top-2 action ranks
    pairs in) and maximise the softmax mass of the valid pairs among all pairs (multi-positive
    InfoNCE). Rows with no valid pair are skipped."""
    finite = logits.masked_fill(torch.isinf(logits), 0.0)
    scores = (finite[:, :, None] + finite[:, None, :]).flatten(1)
    pos = pair_weights(valid, target, True).bool()
    allowed = pos | pair_weights(valid, target, False).bool()
    keep = pos.any(1)
    neg_inf = torch.tensor(float("-inf"))
    log_all = torch.logsumexp(torch.where(allowed, scores, neg_inf), 1)
    log_pos = torch.logsumexp(torch.where(pos, scores, neg_inf), 1)
    return (log_all - log_pos)[keep].mean()


class ImitationTrainer:
    """pi and its Adam on expert states; a step is one batch of states and pairs."""

    def __init__(self, cfg: Config, local_state: dict[str, Any], loss: str):
        self.cfg, self.rcfg, self.loss = cfg, cfg.rovr, loss
        self.policy = build_policy(self.rcfg)  # seeded by the harness first
        self.opt = torch.optim.Adam(self.policy.parameters(), lr=self.rcfg.imitation_lr)
        data = masked_set(cfg, "train")
        with torch.no_grad():  # load_local builds a UNet: a draw that today's runs include
            self.small, self.target, n = expert_states(load_local(cfg, local_state), data,
                                                       self.rcfg)
        self.valid = data.valid[n, self.target]  # (B, T, T)

    def step(self, index: int) -> StepOutput:
        rcfg, target = self.rcfg, self.target
        b = torch.randint(len(target), (rcfg.imitation_batch_size,))
        logits, _ = self.policy(self.small[b], target[b])
        if self.loss == "bce":  # alternate positive and negative pairs (§6.2)
            positive = index % 2 == 0
            rows, pair = sample_labelled_pairs(self.valid[b], target[b], positive)
            value = bce_pair_loss(logits[rows], pair, 1.0 if positive else 0.0)
        else:
            value = contrastive_pair_loss(logits, self.valid[b], target[b])
        self.opt.zero_grad()
        value.backward()
        self.opt.step()
        return StepOutput({self.loss: float(value.detach())}, phase="imitation",
                          samples=rcfg.imitation_batch_size)

    def state_dict(self) -> dict[str, Any]:
        return {"policy": self.policy.state_dict(), "policy_opt": self.opt.state_dict(),
                "stage": "imitation", "loss": self.loss, "config": self.cfg.to_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.policy.load_state_dict(state["policy"])
        self.opt.load_state_dict(state["policy_opt"])


def train_imitation(cfg: Config, seed: int, local_state: dict[str, Any],
                    run_dir: str | Path | None = None, loss: str | None = None,
                    stop_after: int | None = None, progress: bool = True) -> StageResult:
    """Warm-start pi (§6.2) on expert-trajectory states; ``loss`` = bce | contrastive."""
    loss = loss or cfg.rovr.imitation_loss
    if loss not in ("bce", "contrastive"):
        raise RlvidError(f"imitation loss must be 'bce' or 'contrastive', got {loss!r}")
    run_dir = Path(run_dir) if run_dir is not None else stage_dir(cfg, seed, f"imitation-{loss}")
    return run_stage(lambda: ImitationTrainer(cfg, local_state, loss), cfg, seed, run_dir,
                     cfg.rovr.imitation_iterations, "imitation", stop_after, progress)
