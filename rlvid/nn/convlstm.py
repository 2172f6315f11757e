"""ConvLSTM (Shi et al. 2015), the recurrent unit of every RL-V2V-GAN network (§3.4).

One fused convolution over ``[x_t, h_{t-1}]`` computes the four gates. A layer runs the
cell over time and can hold its state through padding frames (``mask``), so videos of
different lengths share a batch (left-padded) and long videos can be processed in
windows with the state carried across windows.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
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

    The gate convolution over ``[x_t, h_{t-1}]`` is split by linearity into its input part,
    computed for every real frame in one call, and its recurrent part, one call per step
    (skipped while the state is the zero initial state); a padding frame's row keeps its
    state through ``torch.where``, so no step gathers or scatters rows. This is the same
    function as stepping :class:`ConvLSTMCell` (``legacy=True``), up to float rounding, in
    few calls: these networks are small enough that the number of calls sets the time.
    """

    def __init__(self, in_channels: int, hidden_channels: int, kernel_size: int = 3):
        super().__init__()
        self.cell = ConvLSTMCell(in_channels, hidden_channels, kernel_size)
        self.legacy = False  # step the cell frame by frame (the reference implementation)

    def forward(
        self, x: torch.Tensor, state: State | None = None, mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, State]:
        if self.legacy:
            return self._stepped(x, state, mask)
        gx, w_h, partial = self.input_gates(x, mask)
        pad, hidden = self.cell.gates.padding, self.cell.hidden_channels
        zero_state = state is None
        h, c = self.cell.initial_state(x[:, 0]) if state is None else state
        outputs = []
        # unbind/split rather than slicing: the backward of a slice zero-fills a whole
        # tensor per step; the values are the same to the bit
        for t, g in enumerate(gx.unbind(1)):
            if not zero_state:  # the recurrent part; nothing to add to a zero state
                g = g + F.conv2d(h, w_h, None, padding=pad)
            gates, candidate = g.split([3 * hidden, hidden], dim=1)
            i, f, o = torch.sigmoid(gates).chunk(3, dim=1)  # i, f, o gates in one call
            c_new = torch.addcmul(f * c, i, torch.tanh(candidate))
            h_new = o * torch.tanh(c_new)
            if partial[t]:  # a padding frame holds its row's state
                keep = mask[:, t].view(-1, 1, 1, 1)  # type: ignore[index]
                h_new, c_new = torch.where(keep, h_new, h), torch.where(keep, c_new, c)
            h, c = h_new, c_new
            zero_state = False
            outputs.append(h)
        return torch.stack(outputs, dim=1), (h, c)

    def input_gates(self, x: torch.Tensor, mask: torch.Tensor | None
                    ) -> tuple[torch.Tensor, torch.Tensor, list[bool]]:
        """The input part of every step's gates, ``(B, T, 4 hidden, H, W)``, in one call
        over the real frames (a padding frame's is zero); the recurrent part's weight; and
        the steps where some row pads (one host sync for the whole video)."""
        b, steps, cin = x.shape[:3]
        conv = self.cell.gates
        w_x, w_h = conv.weight[:, :cin], conv.weight[:, cin:]
        if mask is None:
            gx = F.conv2d(x.reshape(-1, *x.shape[2:]), w_x, conv.bias, padding=conv.padding)
            gx = gx.view(b, steps, *gx.shape[1:])
        else:
            real = F.conv2d(x[mask], w_x, conv.bias, padding=conv.padding)
            gx = real.new_zeros(b, steps, *real.shape[1:]).index_put((mask,), real)
        partial = [False] * steps if mask is None else (~mask.all(0)).tolist()
        return gx, w_h, partial

    def _stepped(self, x: torch.Tensor, state: State | None, mask: torch.Tensor | None
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
