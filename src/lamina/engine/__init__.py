"""Keras 2's ``keras.engine``: Input, InputLayer, InputSpec, Layer, Model, Sequential and
get_source_inputs, for programs that import them from there. The modules
``lamina.engine.topology``, ``.training`` and ``.base_layer`` mirror Keras 2's.

>>> from lamina.engine import Input, Model
>>> from lamina.engine.topology import Layer
>>> from lamina import layers
>>> x = Input((3,)); Model(x, layers.Dense(2)(x)).output.shape
(None, 2)
"""

from lamina.engine.base_layer import InputSpec, Layer  # noqa: F401
from lamina.engine.topology import Input, InputLayer, get_source_inputs  # noqa: F401
from lamina.engine.training import Model, Sequential  # noqa: F401
