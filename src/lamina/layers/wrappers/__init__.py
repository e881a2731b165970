"""Wrapper layers (TimeDistributed, Bidirectional, the Wrapper base class) and the
convolutional LSTM layers (ConvLSTM1D, ConvLSTM2D, ConvLSTM3D)."""

from lamina.layers.wrappers.bidirectional import Bidirectional
from lamina.layers.wrappers.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from lamina.layers.wrappers.time_distributed import TimeDistributed
from lamina.layers.wrappers.wrapper import Wrapper

__all__ = ["Bidirectional", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "TimeDistributed",
           "Wrapper"]
