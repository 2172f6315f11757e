"""Neural networks: ConvLSTM blocks and the RL-V2V-GAN networks."""

from rlvid.nn.convlstm import ConvLSTM, ConvLSTMCell
from rlvid.nn.v2v import (
    Discriminator,
    QNetwork,
    SeqToSeq,
    build_networks,
    count_parameters,
    format_table1,
    table1,
    xavier_init,
)

__all__ = ["ConvLSTM", "ConvLSTMCell", "Discriminator", "QNetwork", "SeqToSeq",
           "build_networks", "count_parameters", "format_table1", "table1", "xavier_init"]
