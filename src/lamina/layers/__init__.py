"""Layers: the ``Layer`` base class and the built-in layers.

>>> from lamina import layers
>>> layers.Dense(4).units
4
"""

from lamina.layers.core import *  # noqa: F401,F403
from lamina.layers.layer import InputSpec, Layer  # noqa: F401
from lamina.layers.input_layer import Input, InputLayer  # noqa: F401,E402
from lamina.layers.normalization import BatchNormalization, GroupNormalization, LayerNormalization, UnitNormalization  # noqa: F401
from lamina.layers.convolutional import *  # noqa: F401,F403,E402
from lamina.layers.pooling import *  # noqa: F401,F403,E402
from lamina.layers.recurrent import *  # noqa: F401,F403,E402
from lamina.layers.wrappers import *  # noqa: F401,F403,E402
from lamina.layers.attention import *  # noqa: F401,F403,E402
from lamina.layers.preprocessing import *  # noqa: F401,F403,E402
from lamina.layers.serialization import deserialize, serialize  # noqa: F401,E402
