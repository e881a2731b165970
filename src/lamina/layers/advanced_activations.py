"""Keras 2's module ``keras.layers.advanced_activations``: the activation layers.

>>> from lamina.layers.advanced_activations import LeakyReLU, PReLU
>>> LeakyReLU(0.2).negative_slope
0.2
"""

from lamina.layers.core.advanced_activations import (  # noqa: F401
    ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU)
