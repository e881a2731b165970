"""lamina: a Keras-style deep-learning library whose one backend K runs on JAX, PyTorch and NumPy.

>>> import lamina
>>> from lamina import backend as K, layers, Model, Input
>>> x = Input((4,))
>>> model = Model(x, layers.Dense(2)(x))
>>> model.count_params()
10
"""

from lamina import backend  # noqa: F401
from lamina import activations, constraints, initializers, ops, random, regularizers  # noqa: F401
from lamina import layers, models, utils  # noqa: F401
from lamina import callbacks, datasets, losses, metrics, optimizers  # noqa: F401
from lamina.backend import Variable  # noqa: F401
from lamina.backend.device import device  # noqa: F401
from lamina.layers import Input  # noqa: F401
from lamina.models import Model, Sequential  # noqa: F401
from lamina import config, dtype_policies, engine  # noqa: F401,E402
from lamina import mixed_precision  # noqa: F401,E402
from lamina.dtype_policies import DTypePolicy, FloatDTypePolicy  # noqa: F401,E402
from lamina._version import __version__, version  # noqa: F401,E402
from lamina import preprocessing  # noqa: F401,E402
from lamina import distribution  # noqa: F401,E402
