"""``lamina.mixed_precision``: Keras's names for the dtype policies and loss scaling.

``set_global_policy`` / ``global_policy`` are ``lamina.config.set_dtype_policy`` /
``dtype_policy``; ``Policy`` is Keras 2's name of ``DTypePolicy``. Under
``"mixed_float16"`` or ``"mixed_bfloat16"`` layers keep float32 variables and compute
in the low precision; losses and softmax outputs stay float32, and ``compile`` wraps
the optimizer of a ``"mixed_float16"`` model in a ``LossScaleOptimizer``.

>>> import lamina
>>> lamina.mixed_precision.set_global_policy("mixed_bfloat16")
>>> lamina.mixed_precision.global_policy()
<DTypePolicy "mixed_bfloat16">
>>> lamina.mixed_precision.set_global_policy("float32")
"""

from lamina.config import dtype_policy, set_dtype_policy  # noqa: F401
from lamina.dtype_policies import DTypePolicy
from lamina.optimizers import LossScaleOptimizer  # noqa: F401

Policy = DTypePolicy


def global_policy():
    """The dtype policy of the layers created from now on (Keras's name for
    ``lamina.config.dtype_policy``).

    >>> global_policy().name
    'float32'
    """
    return dtype_policy()


def set_global_policy(policy):
    """Set the dtype policy of the layers created from now on: a ``DTypePolicy``, a
    name (``"mixed_float16"``, ``"mixed_bfloat16"``, ``"float32"``, ...) or None
    (Keras's name for ``lamina.config.set_dtype_policy``).

    >>> set_global_policy("mixed_float16"); global_policy().compute_dtype
    'float16'
    >>> set_global_policy(None)
    """
    set_dtype_policy(policy)
