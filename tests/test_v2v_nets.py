"""RL-V2V-GAN networks: ConvLSTM gates, padding/state exactness, sequence-wise BN, Table 1."""

import math

import torch

from rlvid.config import load_config
from rlvid.nn import ConvLSTMCell, QNetwork, SeqToSeq, build_networks, count_parameters, table1
from rlvid.nn.blocks import SequenceBatchNorm, recalibrated
from rlvid.nn.v2v import Discriminator
from rlvid.v2v.evaluate import translate_video
from rlvid.v2v.training_parts import left_padded

torch.set_num_threads(1)
SMOKE = load_config("smoke").v2v


def test_convlstm_cell_gates_by_hand():
    cell = ConvLSTMCell(1, 1, kernel_size=1)
    assert cell.gates.out_channels == 4  # one fused conv for i, f, o, g
    with torch.no_grad():
        cell.gates.weight.zero_()
        cell.gates.bias.copy_(torch.tensor([0.0, 1.0, -1.0, 0.5]))  # i, f, o, g
    x = torch.zeros(1, 1, 2, 2)
    c0 = torch.full((1, 1, 2, 2), 2.0)
    h, c = cell(x, (torch.zeros_like(c0), c0))
    sig = lambda v: 1 / (1 + math.exp(-v))
    c_expected = sig(1.0) * 2.0 + sig(0.0) * math.tanh(0.5)
    assert torch.allclose(c, torch.full_like(c, c_expected))
    assert torch.allclose(h, torch.full_like(h, sig(-1.0) * math.tanh(c_expected)))


def test_sequence_batchnorm_uses_batch_and_time_statistics():
    bn = SequenceBatchNorm(3).train()
    x = torch.randn(2, 5, 3, 4, 4) + torch.arange(5.0).view(1, 5, 1, 1, 1)  # drifts over t
    y = bn(x)
    assert torch.allclose(y.mean(dim=(0, 1, 3, 4)), torch.zeros(3), atol=1e-5)
    assert torch.allclose(y.var(dim=(0, 1, 3, 4), unbiased=False), torch.ones(3), atol=1e-3)
    assert y[:, 0].mean() < -1 and y[:, -1].mean() > 1  # not normalised per time step


def test_left_padding_with_mask_is_exact():
    torch.manual_seed(0)
    g = SeqToSeq(SMOKE.channels).eval()
    videos = [torch.rand(k, 3, 16, 16) for k in (2, 4)]
    padded, mask = left_padded(videos, 5)
    out = g(padded, mask=mask)
    for i, v in enumerate(videos):
        alone = g(v[None])
        assert torch.allclose(out[i, 5 - len(v):], alone[0], atol=1e-6)


def test_padding_frames_stay_out_of_training_statistics():
    torch.manual_seed(0)
    g = SeqToSeq(SMOKE.channels).train()
    video = torch.rand(3, 3, 16, 16)
    padded, mask = left_padded([video], 6)
    assert torch.allclose(g(padded, mask=mask)[0, 3:], g(video[None])[0], atol=1e-6)


def test_windows_with_carried_state_equal_one_pass():
    torch.manual_seed(0)
    g = SeqToSeq(SMOKE.channels).eval()
    video = torch.rand(2, 11, 3, 16, 16)
    whole = translate_video(g, video)
    windowed = translate_video(g, video, window=4)
    assert torch.allclose(whole, windowed, atol=1e-5)
    assert 0 <= float(whole.min()) and float(whole.max()) <= 1  # sigmoid output


def test_discriminator_scores_frames_and_prefixes():
    torch.manual_seed(0)
    d = Discriminator(16, SMOKE.channels, SMOKE.tail_channels, heads=2, fc_hidden=8).eval()
    video = torch.rand(3, 6, 3, 16, 16)
    full = d(video)
    assert full.shape == (3, 6, 2)  # Dy: domain and style heads
    assert torch.allclose(d(video[:, :4]), full[:, :4], atol=1e-6)  # step t = D(v_{:t})
    assert d(video[:, :1]).shape == (3, 1, 2)  # a single frame


def test_q_output_functions():
    torch.manual_seed(0)
    s, a = torch.rand(2, 3, 3, 16, 16), torch.rand(2, 3, 16, 16)
    kw = dict(channels=SMOKE.channels, tail_channels=SMOKE.tail_channels, fc_hidden=8)
    q_relu = QNetwork(16, output="relu", **kw)
    with torch.no_grad():
        q_relu.fc[-1].bias.fill_(-100.0)  # where regression to negative targets drives it
    a.requires_grad_(True)
    q = q_relu(s, a)
    assert q.shape == (2,) and torch.all(q == 0)
    q.sum().backward()
    assert torch.all(a.grad == 0)  # the paper's ReLU Q: no action gradient for the actor
    q_neg = QNetwork(16, output="neg_relu", **kw)
    q_neg.load_state_dict(q_relu.state_dict())
    b = a.detach().clone().requires_grad_(True)
    with torch.no_grad():
        q_neg.fc[-1].bias.fill_(100.0)
    out = q_neg(s, b)
    assert torch.all(out < 0)
    out.sum().backward()
    assert b.grad.abs().sum() > 0


def test_xavier_init_and_table1():
    nets = build_networks(SMOKE, 16)
    for m in nets.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(m.weight)
            assert float(m.weight.detach().abs().max()) <= math.sqrt(6 / (fan_in + fan_out)) + 1e-6
            assert torch.all(m.bias == 0)
    rows = table1(SMOKE, 16)
    assert [r["encoder"] for r in rows] == ["3 RPB"] * 4
    assert [r["decoder"] for r in rows] == ["3 URB", "3 URB", "2 RPB-FC-FC", "2 RPB-FC-FC"]
    assert rows[2]["final"] == "Sigmoid"
    assert rows[0]["parameters"]["Gx"] == count_parameters(nets["Gx"])
    assert rows[2]["parameters"]["Dy"] > rows[2]["parameters"]["Dx"]  # the second head


def test_recalibrated_norm_uses_only_the_given_videos():
    torch.manual_seed(0)
    net = SeqToSeq((4, 8, 8))
    with torch.no_grad():  # running statistics polluted by other inputs, as in training
        net.train()
        net(torch.rand(2, 3, 3, 16, 16) * 5 + 3)
    videos = torch.rand(4, 3, 3, 16, 16)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    calibrated = recalibrated(net, videos, batch_size=4)
    assert not calibrated.training
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())  # a copy
    # one batch of all the videos: eval mode now normalises as training mode did on them
    # (up to the running variance's unbiased n/(n-1), n = 3 frames x 4 videos x pixels)
    with torch.no_grad():
        net.train()
        expected = net(videos)
        assert torch.allclose(calibrated(videos), expected, atol=2e-3)
        net.eval()
        assert not torch.allclose(net(videos), expected, atol=2e-3)


def test_fast_convlstm_equals_the_stepped_cell():
    """The split-gate, real-rows-only ConvLSTM computes what stepping the cell computes:
    outputs, final state and every gradient, with and without padding and initial state."""
    from rlvid.nn.convlstm import ConvLSTM

    torch.manual_seed(0)
    layer = ConvLSTM(5, 4)
    x = torch.randn(6, 7, 5, 8, 8, requires_grad=True)
    mask = torch.zeros(6, 7, dtype=torch.bool)
    for i, p in enumerate([1, 3, 7, 2, 7, 5]):
        mask[i, 7 - p:] = True  # left padding, as Algorithm 1's states
    state = (torch.randn(6, 4, 8, 8), torch.randn(6, 4, 8, 8))
    for m in (None, mask):
        for s in (None, state):
            got = []
            for legacy in (True, False):
                layer.legacy = legacy
                x.grad, layer.cell.gates.weight.grad, layer.cell.gates.bias.grad = None, None, None
                y, (h, c) = layer(x, s, m)
                (y.square().sum() + c.sum()).backward()
                got.append([y, h, c, x.grad, layer.cell.gates.weight.grad,
                            layer.cell.gates.bias.grad])
            for old, new in zip(*got):
                assert torch.allclose(new, old, rtol=1e-4, atol=1e-4)  # float32 sums


def test_convlstm_unbind_split_step_equals_the_sliced_step_to_the_bit():
    """The per-step unbind/split of the gates gives the old sliced code's outputs and
    gradients bit for bit (a copy of that step is the reference)."""
    import torch.nn.functional as F

    from rlvid.nn.convlstm import ConvLSTM

    torch.manual_seed(0)
    layer = ConvLSTM(3, 4)
    x = torch.randn(2, 5, 3, 6, 6, requires_grad=True)

    def sliced(x: torch.Tensor) -> torch.Tensor:
        conv, hidden = layer.cell.gates, layer.cell.hidden_channels
        w_x, w_h = conv.weight[:, :3], conv.weight[:, 3:]
        gx = F.conv2d(x.reshape(-1, *x.shape[2:]), w_x, conv.bias, padding=conv.padding)
        gx = gx.view(2, 5, *gx.shape[1:])
        h, c = layer.cell.initial_state(x[:, 0])
        outs = []
        for t in range(5):
            g = gx[:, t] if t == 0 else gx[:, t] + F.conv2d(h, w_h, None, padding=conv.padding)
            i, f, o = torch.sigmoid(g[:, :3 * hidden]).chunk(3, dim=1)
            c = torch.addcmul(f * c, i, torch.tanh(g[:, 3 * hidden:]))
            h = o * torch.tanh(c)
            outs.append(h)
        return torch.stack(outs, dim=1)

    new, _ = layer(x)
    grads_new = torch.autograd.grad(new.square().sum(), [x, *layer.parameters()])
    old = sliced(x)
    grads_old = torch.autograd.grad(old.square().sum(), [x, *layer.parameters()])
    assert torch.equal(new, old)
    assert all(torch.equal(a, b) for a, b in zip(grads_new, grads_old))
