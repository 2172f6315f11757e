"""ConvLSTM (Shi et al. 2015), the recurrent unit of every RL-V2V-GAN network (§3.4).

One fused convolution over ``[x_t, h_{t-1}]`` computes the four gates. A layer runs the
cell over time and can hold its state through padding frames (``mask``), so videos of
different lengths share a batch (left-padded) and long videos can be processed in
windows with the state carried across windows.
"""

from __future__ import annotations

import torch
from torch import nn

State = tuple[torch.Tensor, torch.Tensor]


class ConvLSTMCell(nn.Module):
    """``(x_t, (h, c)) -> (h', c')`` with input, forget, output and cell gates from one conv."""

    def __init__(self, in_channels: int, hidden_channels: int, kernel_size: int = 3):
        super().__init__()
        self.hidden_channels = hidden_channels
        self.gates = nn.Conv2d(in_channels + hidden_channels, 4 * hidden_channels,
                               kernel_size, padding=kernel_size // 2)

    def initial_state(self, x: torch.Tensor) -> State:
        b, _, h, w = x.shape
        zeros = x.new_zeros(b, self.hidden_channels, h, w)
        return zeros, zeros

    def forward(self, x: torch.Tensor, state: State | None = None) -> State:
        h, c = self.initial_state(x) if state is None else state
        i, f, o, g = self.gates(torch.cat([x, h], dim=1)).chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, c


class ConvLSTM(nn.Module):
    """A ConvLSTM layer over time: ``(B, T, C, H, W) -> (B, T, hidden, H, W), (h, c)``.

    ``mask`` (B, T) bool marks real frames; at a padding frame the state is held and the
    output is the held ``h``. With a zero initial state, a left-padded video therefore
    gives exactly the outputs of the unpadded one.
    """

    def __init__(self, in_channels: int, hidden_channels: int, kernel_size: int = 3):
        super().__init__()
        self.cell = ConvLSTMCell(in_channels, hidden_channels, kernel_size)

    def forward(
        self, x: torch.Tensor, state: State | None = None, mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, State]:
        outputs = []
        for t in range(x.shape[1]):
            new = self.cell(x[:, t], state)
            if mask is not None:
                keep = mask[:, t].view(-1, 1, 1, 1)
                old = self.cell.initial_state(x[:, t]) if state is None else state
                new = (torch.where(keep, new[0], old[0]), torch.where(keep, new[1], old[1]))
            state = new
            outputs.append(state[0])
        return torch.stack(outputs, dim=1), state
