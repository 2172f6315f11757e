"""Eqs. (1)-(10) on tiny tensors with stub networks whose values can be checked by hand."""

import math

import pytest
import torch

from rlvid.config import load_config
from rlvid.v2v import losses as L

T = 4


def stub_d(heads: int):
    """A discriminator that always answers 0.5 (logit 0)."""
    return lambda video: torch.zeros(video.shape[0], video.shape[1], heads)


def ramp(batch: int = 2) -> torch.Tensor:
    """Frame t is constant 0.1 t, so ||v_{t+1} - v_t||^2 = 0.01 for every t."""
    return (0.1 * torch.arange(T, dtype=torch.float32)).view(1, T, 1, 1, 1).expand(
        batch, T, 3, 4, 4).clone()


def shift_predictor(video):
    """P(v_{:t}) = v_t at every step."""
    return video


def test_adversarial_and_video_terms_at_half():
    v = ramp()
    log_half = T * math.log(0.5)
    assert L.adversarial_loss_y(stub_d(2), v, v, v, v).item() == pytest.approx(4 * log_half)
    assert L.adversarial_loss_x(stub_d(1), v, v, v).item() == pytest.approx(3 * log_half)
    assert L.video_loss_x(stub_d(1), v, v, v).item() == pytest.approx(3 * log_half)
    assert L.video_loss_y(stub_d(2), v, v, v).item() == pytest.approx(4 * log_half)
    # non-saturating generator form: -sum_t log D(fake) per generated term
    assert L.adversarial_loss_y(stub_d(2), v, mode="generator").item() == pytest.approx(-log_half)
    assert L.video_loss_y(stub_d(2), v, mode="generator").item() == pytest.approx(-2 * log_half)


def test_log_terms_follow_d_and_stay_finite():
    v = ramp()
    sure_real = lambda video: torch.full((video.shape[0], video.shape[1], 1), 100.0)
    # log D(real) ~ 0, log(1 - D(fake)) ~ -100 per frame: finite thanks to logsigmoid
    value = L.adversarial_loss_x(sure_real, v, v, v).item()
    assert value == pytest.approx(2 * T * -100.0, rel=1e-6)


def test_recurrent_loss_by_hand():
    v = ramp()
    assert L.recurrent_loss_x(shift_predictor, v).item() == pytest.approx((T - 1) * 0.01)
    assert L.recurrent_loss_y(shift_predictor, v, v).item() == pytest.approx(2 * (T - 1) * 0.01)


def test_recycle_loss_by_hand_and_sampled_positions_unbiased():
    v = ramp()
    identity = lambda video: video
    every = L.recycle_positions(T, 0)
    assert every == [1, 2, 3]
    # Gx((Gy(x)_{:t}, Py(Gy(x)_{:t})))_{t+1} = x_t with identity G and shift P
    assert L.recycle_loss_xy(identity, shift_predictor, v, v, every).item() == \
        pytest.approx((T - 1) * 0.01)
    one = L.recycle_positions(T, 1, torch.Generator().manual_seed(0))
    assert len(one) == 1
    assert L.recycle_loss_xy(identity, shift_predictor, v, v, one).item() == \
        pytest.approx((T - 1) * 0.01)  # rescaled by (T-1)/1
    assert L.recycle_loss_yx(identity, shift_predictor, v, v, v, v, every).item() == \
        pytest.approx(2 * (T - 1) * 0.01)


def test_total_loss_weights():
    cfg = load_config("smoke", {"v2v.lambda_rrx": 2.0, "v2v.lambda_vy": 3.0}).v2v
    one = torch.tensor(1.0)
    terms = {"adv_x": one, "adv_y": one, "rr_x": one, "v_y": one}
    assert L.total_loss(terms, cfg).item() == pytest.approx(1 + 1 + 2 + 3)
    full = {k: one for k in ("adv_x", "adv_y", "rr_x", "rr_y", "rc_xy", "rc_yx", "v_x", "v_y")}
    assert L.total_loss(full, cfg).item() == pytest.approx(
        2 + 2 + cfg.lambda_rry + cfg.lambda_rcx + cfg.lambda_rcy + cfg.lambda_vx + 3)
    with pytest.raises(KeyError):
        L.total_loss({"bogus": one}, cfg)
