"""Keras 2's module ``keras.layers.convolutional_recurrent``: the ConvLSTM layers.

>>> from lamina import Input
>>> from lamina.layers.convolutional_recurrent import ConvLSTM2D
>>> ConvLSTM2D(4, 3, padding="same")(Input((5, 8, 8, 1))).shape
(None, 8, 8, 4)
"""

from lamina.layers.wrappers.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D  # noqa: F401
