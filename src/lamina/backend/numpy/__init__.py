"""The NumPy engine: every K function on NumPy arrays, for inference.

It has no automatic differentiation, so ``K.grad`` and training raise an error
that names the engines that can train. Shape inference runs the function on
small zero arrays.

>>> from lamina.backend import numpy as engine
>>> engine.name
'numpy'
"""

from lamina.backend.numpy.core import *  # noqa: F401,F403
from lamina.backend.numpy.math import *  # noqa: F401,F403
from lamina.backend.numpy.nn import *  # noqa: F401,F403
from lamina.backend.numpy.random import *  # noqa: F401,F403
from lamina.backend.numpy.rnn import *  # noqa: F401,F403
from lamina.backend.numpy.activations_extra import *  # noqa: F401,F403
from lamina.backend.numpy.ctc import *  # noqa: F401,F403
from lamina.backend.numpy.image import *  # noqa: F401,F403

from lamina.backend.numpy.training import compile_step  # noqa: E402,F401
from lamina.backend.numpy.placement import (  # noqa: E402,F401
    current_device, device_name, device_scope, tensor_device_name, visible_devices)
from lamina.backend.numpy import placement as _placement  # noqa: E402

_placement.check_requested_device()

name = "numpy"
