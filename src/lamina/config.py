"""``lamina.config``: Keras 3's ``keras.config``, the process-wide settings.

The default float dtype (``floatx``), the fuzz factor (``epsilon``), the image data
format, the engine (``backend``), the dtype policy of new layers, unsafe
deserialization, interactive logging, traceback filtering and the caps on ``fit``'s
epochs and steps. The values live in :mod:`lamina.backend.config` (and
:mod:`lamina.utils.io_utils` for logging, :mod:`lamina.utils.traceback_utils` for
tracebacks); this module shows them under Keras's names.

>>> import lamina
>>> lamina.config.floatx(), lamina.config.image_data_format()
('float32', 'channels_last')
>>> lamina.config.backend() == lamina.backend.backend()
True
"""

from lamina import backend as _K
from lamina import dtype_policies as _dtype_policies
from lamina.backend import config as _config
from lamina.backend.config import (  # noqa: F401
    epsilon, floatx, image_data_format, max_epochs, max_steps_per_epoch, set_epsilon,
    set_floatx, set_image_data_format, set_max_epochs, set_max_steps_per_epoch)
from lamina.saving.serialization import enable_unsafe_deserialization  # noqa: F401
from lamina.utils.io_utils import (  # noqa: F401
    disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled)
from lamina.utils.traceback_utils import (  # noqa: F401
    disable_traceback_filtering, enable_traceback_filtering, is_traceback_filtering_enabled)


def backend():
    """The name of the engine lamina runs on: ``'jax'``, ``'torch'`` or ``'numpy'``.

    >>> import lamina
    >>> lamina.config.backend() in ("jax", "torch", "numpy")
    True
    """
    return _K.backend()


def set_backend(backend):
    """Keras's ``set_backend``. lamina picks its engine once, when it is imported, so
    this only accepts the engine already running; to use another, set the
    ``LAMINA_BACKEND`` environment variable before ``import lamina`` (or put
    ``"backend"`` in ``~/.lamina/lamina.json``).

    >>> import lamina
    >>> lamina.config.set_backend(lamina.config.backend())
    """
    if backend == _K.backend():
        return
    if backend not in _config.ENGINES:
        raise ValueError(f"set_backend: unknown engine {backend!r}; the engines are "
                         f"{', '.join(_config.ENGINES)}.")
    raise RuntimeError(f"set_backend({backend!r}): lamina is running on {_K.backend()!r} and "
                       f"picks its engine once per process, when it is imported. Set the "
                       f"environment variable LAMINA_BACKEND={backend} before importing "
                       f"lamina (e.g. `LAMINA_BACKEND={backend} python script.py`).")


def dtype_policy():
    """The dtype policy of the layers created from now on (``floatx()`` unless set).

    >>> import lamina
    >>> lamina.config.dtype_policy()
    <DTypePolicy "float32">
    """
    return _dtype_policies.get(None)


def set_dtype_policy(policy):
    """Set the dtype policy of the layers created from now on: a
    :class:`~lamina.dtype_policies.DTypePolicy` or a name: ``"float16"``,
    ``"bfloat16"``, ``"float32"`` or ``"float64"`` (variables and computations in
    that dtype), ``"mixed_float16"`` or ``"mixed_bfloat16"`` (variables in float32,
    computations in the low precision); None goes back to following ``floatx()``.

    >>> import lamina
    >>> lamina.config.set_dtype_policy("mixed_bfloat16")
    >>> dense = lamina.layers.Dense(2)
    >>> dense.dtype, dense.compute_dtype
    ('float32', 'bfloat16')
    >>> lamina.config.set_dtype_policy(None)
    """
    if isinstance(policy, _dtype_policies.DTypePolicy):
        policy = policy.name
    if policy is not None and not isinstance(policy, str):
        raise TypeError(f"set_dtype_policy: expected a DTypePolicy or a policy name such as "
                        f"'float32'; received {policy!r}.")
    _config.set_dtype_policy_name(policy)
