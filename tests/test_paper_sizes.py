"""One step of every trainer at the ``paper`` profile's frame sizes (128x128 V2V videos of
T = 10, 256x256 ROVR frames), batch 1 or 2: the shapes and a finite loss, so a shape bug or
a 256x256-only path is met here and not on a user's GPU. The trainers are built by
``bench/paper_steps.py``, the same code as the dry run and the GPU check.

ROVR runs at the paper's widths too (a Gamma step ~15 s); imitation and PPG, on 6-frame
videos, took 10 min on 2 busy cores and run only with ``RLVID_PAPER_SLOW=1``. RL-V2V-GAN and
the baselines run with the ``smoke`` profile's channel widths: at the paper's, one
video-frame of a batch costs ~1.3 GB and ~0.5 TFLOP (minutes a step on 2 cores); the frame
size and the network depth,
which the shapes depend on, are the paper's, and the paper's widths ran in the dry run
(``results/paper/dry_run.json``)."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from paper_steps import build  # noqa: E402

from rlvid.v2v.rl_phase import prefix_states  # noqa: E402

ONE_VIDEO = {"data.rovr_train_videos": 1, "data.rovr_test_videos": 1}  # a step draws a batch
# imitation's expert states and a PPG rollout step through every frame (Gamma, the perceptual
# reward and the flow at 256x256 each time): 6 frames instead of T = 20
SHORT_VIDEOS = {**ONE_VIDEO, "data.rovr_len": 6}
SMOKE_WIDTHS = {"v2v.channels": (4, 8, 8), "v2v.tail_channels": (8, 8), "v2v.fc_hidden": 8,
                "v2v.baseline_channels": (12, 24, 24)}


def _finite(losses: dict[str, float]) -> bool:
    return bool(losses) and all(math.isfinite(float(v)) for v in losses.values())


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("name", ["v2v_pretrain", "cyclegan", "recycle"])
def test_a_v2v_gan_step_at_paper_size(name: str) -> None:
    built = build(name, batch=1, overrides=SMOKE_WIDTHS)
    assert built.cfg.data.size == 128 and built.cfg.data.video_len == 10
    out = built.step()
    assert _finite(out.losses), out.losses
    video = built.trainer.data.x[:1]
    assert video.shape == (1, 10, 3, 128, 128)
    translator = built.trainer.translator().eval()
    with torch.no_grad():
        y = translator(video if name == "v2v_pretrain" else video[:, :1])
    assert y.shape == ((1, 10, 3, 128, 128) if name == "v2v_pretrain" else (1, 1, 3, 128, 128))


def test_an_algorithm1_step_at_paper_size() -> None:
    built = build("v2v_algorithm1", batch=1, overrides=SMOKE_WIDTHS)
    before = len(built.trainer.buffer)
    out = built.step()
    assert out.phase == "rl" and _finite(out.losses), out.losses
    assert len(built.trainer.buffer) == before + int(out.losses["new_transitions"])
    s, mask = prefix_states(built.trainer.data, torch.tensor([0]), torch.tensor([0]),
                            torch.tensor([4]))
    a1, a2 = built.trainer.candidates("x", s, mask, built.trainer.nets)
    assert s.shape == (1, 4, 3, 128, 128) and a1.shape == a2.shape == (1, 3, 128, 128)


def test_a_rovr_gamma_step_at_paper_size() -> None:
    from rlvid.rovr.local import apply_local

    built = build("rovr_local", batch=1, overrides=ONE_VIDEO)
    assert built.cfg.data.rovr_size == 256
    out = built.step()
    assert _finite(out.losses) and out.losses["lambda"] > 0, out.losses  # L_P is on
    data = built.trainer.data
    with torch.no_grad():
        x_hat = apply_local(built.trainer.local, data, torch.tensor([0]), torch.tensor([5]),
                            torch.tensor([[3, 7]]))
    assert x_hat.shape == (1, 3, 256, 256)


@pytest.mark.skipif(not os.environ.get("RLVID_PAPER_SLOW"),
                    reason="~10 min on 2 busy cores (Gamma, the reward and the flow at 256x256 "
                           "on every frame): RLVID_PAPER_SLOW=1 runs it; the dry run "
                           "(results/paper/dry_run.json) ran both at the paper's sizes")
def test_rovr_imitation_and_ppg_steps_at_paper_size() -> None:
    imitation = build("rovr_imitation", batch=2, overrides=SHORT_VIDEOS)
    assert _finite(imitation.step().losses)
    trainer = imitation.trainer
    logits, _ = trainer.policy(trainer.small[:2], trainer.target[:2])
    frames = imitation.cfg.data.rovr_len
    assert logits.shape == (2, frames, frames)  # the pair policy's joint log-probs
    ppg = build("rovr_ppg", batch=1, overrides=SHORT_VIDEOS)
    out = ppg.step()
    assert out.phase == "policy" and _finite(out.losses), out.losses
    assert out.samples == frames == 6  # one episode of T transitions
