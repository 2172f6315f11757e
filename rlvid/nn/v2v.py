"""RL-V2V-GAN networks (§3.4, §4, Table 1): generators G, predictors P, discriminators D
and Q-networks, plus :func:`table1` which prints Table 1 from the code.

Videos are ``(B, T, 3, H, W)`` in [0, 1]; an optional ``mask`` (B, T) marks real frames of
left-padded videos (see :class:`rlvid.nn.convlstm.ConvLSTM`).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from rlvid.nn.blocks import RPB, URB, frames, videos
from rlvid.nn.convlstm import ConvLSTM

NetState = list  # one (h, c) per ConvLSTM, in module order


class SeqToSeq(nn.Module):
    """G and P (Table 1): 3 RPB encoder, 3 URB decoder, final ConvLSTM → RGB.

    Residual (additive) connections join each RPB's input to the output of the URB at the
    same resolution; at full resolution the input frame is concatenated to the final
    ConvLSTM's input. A 1x1 convolution turns the final ConvLSTM's hidden state into three
    logits per pixel (§3.1) and a sigmoid maps them to [0, 1] (errata: "softmax loss").
    Output step ``t`` depends only on frames ``<= t`` (up to training-mode BN statistics),
    so for a predictor step ``t`` is the prediction of frame ``t + 1``.
    """

    def __init__(self, channels: tuple[int, ...] = (8, 16, 32), in_channels: int = 3,
                 out_channels: int = 3, kernel_size: int = 3, recurrent: bool = True):
        super().__init__()
        self.spec = dict(channels=list(channels), in_channels=in_channels,
                         out_channels=out_channels, kernel_size=kernel_size, recurrent=recurrent)
        c1, c2, c3 = channels
        k, r = kernel_size, recurrent
        self.encoder = nn.ModuleList([RPB(in_channels, c1, k, r), RPB(c1, c2, k, r),
                                      RPB(c2, c3, k, r)])
        self.decoder = nn.ModuleList([URB(c3, c2, k, r), URB(c2, c1, k, r), URB(c1, c1, k, r)])
        self.recurrent = recurrent
        if recurrent:
            self.final: nn.Module = ConvLSTM(c1 + in_channels, c1, k)
        else:
            self.final = nn.Conv2d(c1 + in_channels, c1, k, padding=k // 2)
        self.to_rgb = nn.Conv2d(c1, out_channels, 1)

    def forward(self, x: torch.Tensor, state: NetState | None = None,
                mask: torch.Tensor | None = None, return_state: bool = False):
        state = list(state) if state is not None else [None] * 7
        new_state: NetState = []
        skips, h = [], x
        for i, block in enumerate(self.encoder):
            skips.append(h)
            h, s = block(h, state[i], mask)
            new_state.append(s)
        for i, block in enumerate(self.decoder):
            h, s = block(h, state[3 + i], mask)
            new_state.append(s)
            if i < 2:
                h = h + skips[2 - i]  # URB output + matching RPB input (same resolution)
        h = torch.cat([h, x], dim=2)
        if self.recurrent:
            h, s = self.final(h, state[6], mask)
        else:
            h, s = videos(self.final(frames(h)), x.shape[0]), None
        new_state.append(s)
        out = torch.sigmoid(videos(self.to_rgb(frames(h)), x.shape[0]))
        return (out, new_state) if return_state else out

    def next_frame(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """P(x_{:t}) → x_{t+1}: the last output step (§3.2, predictors)."""
        return self(x, mask=mask)[:, -1]


QOutput = Literal["relu", "neg_relu", "linear"]


class Critic(nn.Module):
    """The D / Q trunk (Table 1): 3 RPB encoder, 2 RPB, FC, FC, then the final function.

    ``input_norm=False`` drops the first RPB's batch normalisation (DCGAN practice, errata:
    BN over a batch of fakes alone removes their mean colour, so D could not see it).

    ``forward`` returns pre-activation outputs per time step, ``(B, T, heads)``: step ``t``
    scores the prefix ``x_{:t}``, so a video's score is the last step and a single frame is
    a video with T = 1 (§3.2: D takes a frame or a video).
    """

    def __init__(self, size: int, channels: tuple[int, ...] = (8, 16, 32),
                 tail_channels: tuple[int, ...] = (32, 32), heads: int = 1,
                 fc_hidden: int = 32, in_channels: int = 3, kernel_size: int = 3,
                 input_norm: bool = True):
        super().__init__()
        widths = (in_channels, *channels, *tail_channels)
        self.blocks = nn.ModuleList(
            [RPB(a, b, kernel_size, norm=input_norm or i > 0)
             for i, (a, b) in enumerate(zip(widths[:-1], widths[1:]))]
        )
        side = size
        for _ in self.blocks:
            side = -(-side // 2)
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(widths[-1] * side * side, fc_hidden),
                                nn.LeakyReLU(0.2), nn.Linear(fc_hidden, heads))

    def features(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        h = x
        for block in self.blocks:
            h, _ = block(h, None, mask)
        return videos(self.fc(frames(h)), x.shape[0])


class Discriminator(Critic):
    """D (Table 1, final sigmoid). ``forward`` gives logits; ``sigmoid(logit)`` is D's
    probability, and the losses use ``logsigmoid`` of the logits for stability.
    Dx has one head; Dy two: domain (Dy,0) and style (Dy,1)."""

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.features(x, mask)


class QNetwork(Critic):
    """Q(s, a) (§3.3, Table 1): the action frame is appended to the state video as its last
    frame and the trunk's last step, passed through the final function, is Q.

    ``output="relu"`` is the paper's final ReLU (Q >= 0); ``"neg_relu"`` gives
    ``-ReLU(.)`` (Q <= 0, matching rewards that are negated losses); ``"linear"`` none.
    """

    def __init__(self, size: int, output: QOutput = "neg_relu", **kwargs):
        super().__init__(size, heads=1, **kwargs)
        self.output = output

    def forward(self, state: torch.Tensor, action: torch.Tensor,
                mask: torch.Tensor | None = None) -> torch.Tensor:
        x = torch.cat([state, action[:, None]], dim=1)
        if mask is not None:
            mask = torch.cat([mask, mask.new_ones(mask.shape[0], 1)], dim=1)
        q = self.features(x, mask)[:, -1, 0]
        if self.output == "relu":
            return torch.relu(q)
        if self.output == "neg_relu":
            return -torch.relu(q)
        return q


def xavier_init(module: nn.Module) -> nn.Module:
    """Xavier-uniform weights and zero biases for every conv and linear layer (§6.2)."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return module


def build_networks(cfg, size: int) -> nn.ModuleDict:
    """The eight networks of §4: Gx, Gy, Px, Py, Dx, Dy (two heads), Qx, Qy.

    ``cfg`` is a :class:`rlvid.config.v2v.V2VConfig`. Gy: x → y, Gx: y → x (§3.2).
    """
    seq = dict(channels=tuple(cfg.channels), kernel_size=cfg.kernel_size)
    crit = dict(channels=tuple(cfg.channels), tail_channels=tuple(cfg.tail_channels),
                fc_hidden=cfg.fc_hidden, kernel_size=cfg.kernel_size,
                input_norm=cfg.critic_input_norm)
    nets = nn.ModuleDict({
        "Gx": SeqToSeq(**seq), "Gy": SeqToSeq(**seq),
        "Px": SeqToSeq(**seq), "Py": SeqToSeq(**seq),
        "Dx": Discriminator(size, heads=1, **crit), "Dy": Discriminator(size, heads=2, **crit),
        "Qx": QNetwork(size, output=cfg.q_output, **crit),
        "Qy": QNetwork(size, output=cfg.q_output, **crit),
    })
    return xavier_init(nets)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def table1(cfg, size: int) -> list[dict[str, object]]:
    """Table 1 read off the built networks: encoder, decoder, final function, parameters."""
    nets = build_networks(cfg, size)
    rows = []
    for label, names in (("Generators (G)", ("Gx", "Gy")), ("Predictors (P)", ("Px", "Py")),
                         ("Discriminators (D)", ("Dx", "Dy")), ("Q-networks (Q)", ("Qx", "Qy"))):
        net = nets[names[0]]
        if isinstance(net, SeqToSeq):
            enc = f"{len(net.encoder)} RPB"
            dec = f"{len(net.decoder)} URB"
            final = "ConvLSTM (+1x1 conv, sigmoid)"
        else:
            n_enc = 3
            enc = f"{n_enc} RPB"
            dec = f"{len(net.blocks) - n_enc} RPB-FC-FC"
            final = ("Sigmoid" if isinstance(net, Discriminator)
                     else {"relu": "ReLU", "neg_relu": "-ReLU", "linear": "linear"}[net.output])
        rows.append({"network": label, "encoder": enc, "decoder": dec, "final": final,
                     "parameters": {n: count_parameters(nets[n]) for n in names}})
    return rows


def format_table1(rows: list[dict[str, object]]) -> str:
    lines = [f"{'network':20s} {'encoder':8s} {'decoder':12s} {'final':30s} parameters"]
    for r in rows:
        params = ", ".join(f"{k} {v:,}" for k, v in r["parameters"].items())
        lines.append(f"{r['network']:20s} {r['encoder']:8s} {r['decoder']:12s} "
                     f"{r['final']:30s} {params}")
    return "\n".join(lines)
