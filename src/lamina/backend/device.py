"""Where tensors live: the current device, ``lamina.device(name)`` scopes, and the
default device of each engine.

New Variables, tensors made by K functions (``K.zeros``, random draws, converted
NumPy arrays), optimizer slots and metric state go to the *current device*:

1. inside ``with lamina.device(name):``, that device (Keras 3's ``keras.device``);
2. else the one named by ``LAMINA_DEVICE`` or the ``device`` key of
   ``$LAMINA_HOME/lamina.json``;
3. else the engine's choice. torch: the first CUDA device when one is available,
   then Apple's MPS, else the CPU (as Keras 3 does). JAX: JAX's default device
   (its first device). NumPy: the CPU.

Names are ``"cpu"``, ``"gpu"`` (or ``"cuda"``), ``"mps"``, ``"tpu"``, each with an
optional index (``"gpu:1"``); an engine's own device object is accepted too. torch
also takes ``"meta"`` (shapes without data). A device the engine does not see is an
error that lists the ones it does.

The check that a batch and the model's weights share a device is made once per
step, not per operation (see :func:`check_same_device`).

>>> import lamina
>>> from lamina import backend as K
>>> with lamina.device("cpu"):
...     x = K.ones((2,))
>>> K.device_of(x).startswith("cpu")
True
"""

import contextlib

_KINDS = ("cpu", "gpu", "cuda", "mps", "tpu", "meta")


def parse_device_name(name, where="lamina.device"):
    """``(kind, index or None)`` of a device name such as ``"gpu:1"``; ``"cuda"`` is
    ``"gpu"``. Raises a ValueError naming the accepted forms.

    >>> parse_device_name("cuda:1"), parse_device_name("CPU")
    (('gpu', 1), ('cpu', None))
    """
    if not isinstance(name, str):
        raise TypeError(f"{where}: expected a device name such as 'cpu', 'gpu' or 'gpu:1', "
                        f"or a device object of the engine; received {name!r} "
                        f"({type(name).__name__}).")
    kind, _, index = name.strip().lower().partition(":")
    if kind not in _KINDS or (index and not index.isdigit()):
        raise ValueError(f"{where}: expected a device name of the form '<kind>' or "
                         f"'<kind>:<index>' with kind one of {', '.join(_KINDS)} "
                         f"(e.g. 'gpu:1'); received {name!r}.")
    return ("gpu" if kind == "cuda" else kind), (int(index) if index else None)


def _engine():
    from lamina.backend import engine
    return engine


@contextlib.contextmanager
def device(device_name):
    """A block whose new tensors and Variables go to ``device_name`` (Keras 3's
    ``keras.device``): layers built, models created or loaded, K functions called
    inside it. Weights stay on the device they were created on.

    >>> import lamina
    >>> from lamina import backend as K
    >>> with lamina.device("cpu:0"):
    ...     v = K.Variable(K.zeros((2,)))
    ...     print(K.get_device().startswith("cpu"))
    True
    """
    with _engine().device_scope(device_name):
        yield


def host_state_scope():
    """A block for state read as Python numbers at every step (seed state, an
    optimizer's iteration count and learning rate): the CPU on torch, where reading it
    does not wait for an accelerator; the current device on the other engines.

    >>> from lamina import backend as K
    >>> from lamina.backend.device import host_state_scope
    >>> with host_state_scope():
    ...     print(K.device_of(K.Variable(0)).startswith("cpu"))
    True
    """
    scope = getattr(_engine(), "host_state_scope", None)
    return contextlib.nullcontext() if scope is None else scope()


def scope_of(variable):
    """A block whose new tensors go where ``variable`` lives, on torch (an optimizer's
    slots beside their weight); elsewhere nothing changes (JAX places a computation
    where its committed inputs are).

    >>> from lamina import backend as K
    >>> from lamina.backend.device import scope_of
    >>> w = K.Variable(K.zeros((2,)))
    >>> with scope_of(w):
    ...     print(K.device_of(K.zeros((2,))) == K.device_of(w))
    True
    """
    scope = getattr(_engine(), "scope_of", None)
    return contextlib.nullcontext() if scope is None else scope(variable)


def get_device():
    """The name of the current device, e.g. ``'cpu'``, ``'cuda:0'`` or ``'cpu:0'``.

    >>> from lamina import backend as K
    >>> K.get_device().startswith(("cpu", "cuda", "gpu", "mps", "tpu"))
    True
    """
    return _engine().device_name(_engine().current_device())


def device_of(x):
    """The name of the device a tensor or Variable lives on (``'cpu'`` for NumPy data).

    >>> import numpy as np
    >>> from lamina import backend as K
    >>> K.device_of(np.ones(2))
    'cpu'
    """
    from lamina.backend.variables import Variable
    if isinstance(x, Variable):
        x = x.value
    return _engine().tensor_device_name(x)


def list_devices(device_type=None):
    """The names of the devices the engine sees, optionally of one kind (``"cpu"``,
    ``"gpu"``, ...).

    >>> from lamina import backend as K
    >>> K.list_devices("cpu")[0].startswith("cpu")
    True
    """
    kind = None
    if device_type is not None:
        kind = parse_device_name(device_type, where="list_devices")[0]
    return [name for name in _engine().visible_devices()
            if kind is None or parse_device_name(name)[0] == kind]
