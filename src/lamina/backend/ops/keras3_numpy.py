"""``lamina.ops.numpy``: the NumPy-style functions under Keras 3's ``keras.ops.numpy``
names and signatures (``concatenate`` on axis 0, ``argmax`` over all elements, ...).

>>> from lamina.ops import numpy as lnp
>>> from lamina import backend as K
>>> K.convert_to_numpy(lnp.flipud(K.convert_to_tensor([[1, 2], [3, 4]]))).tolist()
[[3, 4], [1, 2]]
"""

from lamina.backend.ops.core import *  # noqa: F401,F403
from lamina.backend.ops.math import *  # noqa: F401,F403
from lamina.backend.ops.arrays import *  # noqa: F401,F403
from lamina.backend.ops.elementwise import *  # noqa: F401,F403
from lamina.backend.ops.arrays_extra import *  # noqa: F401,F403
from lamina.backend.ops.numpy_extra import *  # noqa: F401,F403
from lamina.backend.ops.linalg import slogdet, logdet  # noqa: F401
