"""Issue 22's throughput levers change no result: Algorithm 1's passes without gradients in
inference mode give the no_grad code's run to the bit (history, weights, optimisers, buffer)."""

import torch
from _same import assert_same

from rlvid.config import load_config
from rlvid.data import load_v2v_dataset
from rlvid.runtime import load_checkpoint
from rlvid.v2v import rl_phase
from rlvid.v2v.train import fit

torch.set_num_threads(1)


def test_inference_mode_run_equals_the_no_grad_run_to_the_bit(tmp_path, monkeypatch):
    cfg = load_config("smoke", {"v2v.pretrain_iterations": 2, "v2v.rl_iterations": 3,
                                "v2v.checkpoint_every": 100})
    data = load_v2v_dataset("synthetic", cfg.data, seed=0)
    assert rl_phase.GRAD_FREE is torch.inference_mode  # what the code runs
    entered = []

    def counted() -> torch.inference_mode:
        entered.append(1)
        return torch.inference_mode()

    monkeypatch.setattr(rl_phase, "GRAD_FREE", counted)
    now = fit(cfg, "rlv2v", seed=3, run_dir=tmp_path / "now", data=data, progress=False)
    # rl_fill, and each DDPG step: new transitions, their rewards, the D step's fakes
    assert entered and now.status == "done"
    monkeypatch.setattr(rl_phase, "GRAD_FREE", torch.no_grad)  # the code before issue 22
    before = fit(cfg, "rlv2v", seed=3, run_dir=tmp_path / "before", data=data, progress=False)
    a = load_checkpoint(tmp_path / "now" / "checkpoint.pt", restore_rng=False)
    b = load_checkpoint(tmp_path / "before" / "checkpoint.pt", restore_rng=False)
    assert len(a["trainer"]["buffer"]["p"]) > 0
    assert_same(a["trainer"], b["trainer"])  # weights, targets, optimisers, replay buffer
    assert_same(a["history"], b["history"])
    assert_same(now.history, before.history)
    assert_same(load_checkpoint(tmp_path / "now" / "model.pt", restore_rng=False),
                load_checkpoint(tmp_path / "before" / "model.pt", restore_rng=False))
