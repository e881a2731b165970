"""Keras 2's ``keras.engine.topology``: Input, InputLayer, Layer, InputSpec, Network
(lamina's Functional) and get_source_inputs.

>>> from lamina.engine.topology import Input, get_source_inputs
>>> x = Input((3,), name="x")
>>> [t.name for t in get_source_inputs(x * 2.0)]
['x']
"""

from lamina.layers.input_layer import Input, InputLayer  # noqa: F401
from lamina.layers.layer import InputSpec, Layer  # noqa: F401
from lamina.models.functional import Functional as Network  # noqa: F401
from lamina.utils.source_inputs import get_source_inputs  # noqa: F401
