"""Keras 2's module ``keras.layers.noise``: GaussianNoise, GaussianDropout, AlphaDropout.

>>> from lamina.layers.noise import GaussianNoise
>>> GaussianNoise(0.1).stddev
0.1
"""

from lamina.layers.core.regularization import (  # noqa: F401
    AlphaDropout, GaussianDropout, GaussianNoise)
