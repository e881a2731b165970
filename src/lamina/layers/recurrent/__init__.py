"""Recurrent layers: the RNN base over any cell, the built-in cells, and SimpleRNN, LSTM
and GRU (which run the engine's fused kernels, ``K.lstm`` / ``K.gru``, when their
configuration allows).

>>> from lamina import backend as K, layers
>>> layers.LSTM(8)(K.Input((10, 3))).shape
(None, 8)
"""

from lamina.layers.recurrent.dropout_cell import DropoutRNNCell
from lamina.layers.recurrent.gru import GRU, GRUCell
from lamina.layers.recurrent.lstm import LSTM, LSTMCell
from lamina.layers.recurrent.rnn import RNN
from lamina.layers.recurrent.simple_rnn import SimpleRNN, SimpleRNNCell
from lamina.layers.recurrent.stacked_cells import StackedRNNCells

__all__ = ["RNN", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells", "DropoutRNNCell",
           "SimpleRNN", "LSTM", "GRU"]
