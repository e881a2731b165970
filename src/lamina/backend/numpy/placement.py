"""NumPy device placement: the CPU only (see :mod:`lamina.backend.device`).

>>> with device_scope("cpu"):
...     print(device_name(current_device()))
cpu
"""

import contextlib

from lamina.backend import config as _config
from lamina.backend.device import parse_device_name

_CPU = "cpu"


def visible_devices():
    """``['cpu']``: NumPy computes on the host.

    >>> visible_devices()
    ['cpu']
    """
    return [_CPU]


def device_name(device):
    """The name of a NumPy device: ``'cpu'``.

    >>> device_name(current_device())
    'cpu'
    """
    return device


def tensor_device_name(x):
    """``'cpu'``: every NumPy array lives on the host.

    >>> tensor_device_name(None)
    'cpu'
    """
    return _CPU


def current_device():
    """``'cpu'``.

    >>> current_device()
    'cpu'
    """
    return _CPU


def _resolve(name, where):
    if name == _CPU:
        return _CPU
    kind, index = parse_device_name(name, where)
    if kind != "cpu" or index not in (None, 0):
        raise ValueError(f"{where}: the NumPy engine computes on the CPU only; received "
                         f"{name!r}. Visible devices: cpu. Choose the jax or torch engine "
                         f"(LAMINA_BACKEND) to use an accelerator.")
    return _CPU


@contextlib.contextmanager
def device_scope(name):
    """A block on ``name``, which must be the CPU (a ValueError otherwise).

    >>> with device_scope("cpu:0"):
    ...     pass
    """
    _resolve(name, "lamina.device")
    yield


def check_requested_device():
    """Raise when ``LAMINA_DEVICE`` or the configuration file names another device
    than the CPU."""
    requested = _config.requested_device()
    if requested is not None:
        _resolve(requested[0], f"lamina (from {requested[1]})")
