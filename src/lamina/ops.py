"""``lamina.ops``: the K catalogue under its Keras 3 name (``keras.ops``).

The same functions as :mod:`lamina.backend`, with Keras 3's signatures and defaults where
Keras 2's differ: ``ops.concatenate`` joins on ``axis=0`` (``K.concatenate`` on -1),
``ops.argmax`` / ``ops.argmin`` reduce over all elements by default (``K.argmax`` over the
last axis), ``ops.clip(x, x_min, x_max)``, ``ops.reshape(x, newshape)``, ``ops.relu(x)``,
``ops.zeros(shape, dtype)``. Keras 2 names that Keras 3 dropped (``variable``,
``batch_dot``, ``random_binomial``, ...) are here too. Random functions live in
:mod:`lamina.random`.

>>> from lamina import ops
>>> from lamina import backend as K
>>> K.int_shape(ops.concatenate([K.zeros((2, 3)), K.zeros((2, 3))]))
(4, 3)
>>> K.int_shape(K.concatenate([K.zeros((2, 3)), K.zeros((2, 3))]))
(2, 6)
>>> int(ops.argmax(K.convert_to_tensor([[1.0, 5.0], [9.0, 2.0]])))
2
"""

import sys as _sys

from lamina.backend.ops import *  # noqa: F401,F403
from lamina.backend.ops.core import *  # noqa: F401,F403
from lamina.backend.ops.math import *  # noqa: F401,F403
from lamina.backend.ops.arrays import *  # noqa: F401,F403
from lamina.backend.ops.nn import *  # noqa: F401,F403
from lamina.backend.ops import core, math  # noqa: F401
from lamina.backend.ops import keras3_nn as nn, keras3_numpy as numpy, linalg  # noqa: F401
from lamina.backend.ops import image  # noqa: F401,E402  (lamina.ops.image, Keras 3's keras.ops.image)

del keras2, random, gradients, arrays  # noqa: F821  (submodules brought in by the * import)
del elementwise, arrays_extra, numpy_extra, fourier, nn_extra, functional  # noqa: F821
del activations_extra, ctc  # noqa: F821

# ``import lamina.ops.linalg``, ``import lamina.ops.image`` and ``from lamina.ops.nn import
# relu`` work as in Keras.
_sys.modules.update({f"{__name__}.{m.__name__.rsplit('.', 1)[-1].replace('keras3_', '')}": m
                     for m in (nn, numpy, linalg, image)})
del _sys
