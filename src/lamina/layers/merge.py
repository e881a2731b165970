"""Keras 2's module ``keras.layers.merge``: the merging layers and their functional
forms (``add([a, b])`` is ``Add()([a, b])``).

>>> from lamina import Input
>>> from lamina.layers.merge import concatenate
>>> concatenate([Input((2,)), Input((3,))]).shape
(None, 5)
"""

from lamina.layers.core.merging import (  # noqa: F401
    Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add, average,
    concatenate, dot, maximum, minimum, multiply, subtract)
