"""The K catalogue: every tensor function, defined once (see :mod:`lamina.backend.dispatch`).

Topics: ``core`` (conversion, shapes, dtypes, control flow), ``math`` (NumPy-style
functions), ``nn`` (activations, convolutions, pooling, losses), ``random``,
``keras2`` (Keras 2 backend names) and ``gradients``.

>>> from lamina.backend import ops
>>> callable(ops.add) and callable(ops.conv) and callable(ops.random_binomial)
True
"""

from lamina.backend.ops.core import *  # noqa: F401,F403
from lamina.backend.ops.math import *  # noqa: F401,F403
from lamina.backend.ops.arrays import *  # noqa: F401,F403
from lamina.backend.ops.nn import *  # noqa: F401,F403
from lamina.backend.ops.activations_extra import *  # noqa: F401,F403
from lamina.backend.ops.ctc import *  # noqa: F401,F403
from lamina.backend.ops.random import *  # noqa: F401,F403
from lamina.backend.ops.rnn import *  # noqa: F401,F403
from lamina.backend.ops.gradients import *  # noqa: F401,F403
from lamina.backend.ops.elementwise import *  # noqa: F401,F403
from lamina.backend.ops.arrays_extra import *  # noqa: F401,F403
from lamina.backend.ops.numpy_extra import *  # noqa: F401,F403
from lamina.backend.ops.fourier import *  # noqa: F401,F403
from lamina.backend.ops.linalg import *  # noqa: F401,F403
from lamina.backend.ops.nn_extra import *  # noqa: F401,F403
from lamina.backend.ops.functional import *  # noqa: F401,F403
from lamina.backend.ops.keras2 import *  # noqa: F401,F403
