"""The unified backend K: one catalogue of tensor functions on JAX, PyTorch and NumPy.

``from lamina import backend as K`` gives every tensor function (``K.dot``,
``K.softmax``, ``K.random_binomial``, ...), ``K.Variable``, ``K.Input`` and the
settings (``K.floatx()``, ``K.epsilon()``, ``K.image_data_format()``). The same
call runs on whichever engine was chosen when lamina was imported (see
:mod:`lamina.backend.config`); ``K.backend()`` names it.

Called on concrete arrays a K function goes straight to the engine; called on a
symbolic tensor it records a graph node (see :mod:`lamina.backend.symbolic`).

>>> from lamina import backend as K
>>> K.backend() in ("jax", "torch", "numpy")
True
>>> K.convert_to_numpy(K.dot(K.ones((2, 3)), K.ones((3, 4)))).shape
(2, 4)
"""

import importlib

from lamina.backend import config, host_memory
from lamina.backend.config import (epsilon, floatx, image_data_format, set_epsilon,
                                   set_floatx, set_image_data_format)

_ENGINE_NAME = config.resolve_engine()
host_memory.configure(config.requested_host_memory())  # before the engine starts threads
engine = importlib.import_module(f"lamina.backend.{_ENGINE_NAME}")


def backend():
    """The name of the engine in use: ``'jax'``, ``'torch'`` or ``'numpy'``.

    >>> from lamina import backend as K
    >>> K.backend() == K.engine.name
    True
    """
    return _ENGINE_NAME


from lamina.backend import dispatch, dtypes, explain, operators, symbolic, tree  # noqa: E402
from lamina.backend.dtypes import result_type, standardize_dtype  # noqa: E402
from lamina.backend.dtypes import is_float_dtype, is_int_dtype  # noqa: E402,F401
from lamina.backend.naming import get_uid  # noqa: E402,F401
from lamina.backend.symbolic import Input, SymbolicTensor  # noqa: E402
from lamina.backend.variables import Variable, VariableScope  # noqa: E402
from lamina.backend.device import device_of, get_device, list_devices  # noqa: E402,F401
from lamina.backend.device import device as device_scope  # noqa: E402,F401

Variable._engine = engine
if hasattr(engine, "prepare_variable_class"):
    engine.prepare_variable_class(Variable)
dispatch._TENSOR_LIKE.update({SymbolicTensor, Variable})
dispatch._SPECIAL.update({SymbolicTensor, Variable})

from lamina.backend.ops import *  # noqa: E402,F401,F403
from lamina.backend import ops as _ops  # noqa: E402

Variable._ops = _ops
operators.install(Variable, _ops)
operators.install(SymbolicTensor, _ops)


def is_keras_tensor(x):
    """True for a symbolic tensor (Keras 2's name).

    >>> from lamina import backend as K
    >>> K.is_keras_tensor(K.Input((2,))), K.is_keras_tensor(K.ones(2))
    (True, False)
    """
    return isinstance(x, SymbolicTensor)


def clear_session():
    """Reset lamina's global state: name counters and the global random seed stream.

    >>> from lamina import backend as K
    >>> K.clear_session()
    """
    from lamina.backend import naming
    from lamina.backend.ops import random as _random
    _random.reset_global_generator()
    naming.reset()
    for hook in _clear_session_hooks:
        hook()


_clear_session_hooks = []
