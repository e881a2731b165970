"""JAX device placement (see :mod:`lamina.backend.device` for the rules).

lamina follows JAX's default device; ``lamina.device(name)`` enters
``jax.default_device`` for its block and also commits the Variables created in it
to that device, so the compiled steps of a model built there run there (JAX runs a
jitted function where its committed arguments live) whatever scope ``fit`` is
called in. ``LAMINA_DEVICE`` and the configuration file's ``device`` key set
``jax_default_device`` when the engine loads.

>>> from lamina.backend.jax import placement
>>> placement.device_name(placement.current_device()) in placement.visible_devices()
True
"""

import contextlib

import jax
import numpy as np

from lamina.backend import config as _config
from lamina.backend.device import parse_device_name

_scoped = [None]  # the device of the innermost lamina.device scope, else None


def visible_devices():
    """The names of JAX's devices, ``'<platform>:<id>'`` (e.g. ``'cpu:0'``).

    >>> "cpu:0" in visible_devices() or visible_devices()[0].startswith(("gpu", "tpu"))
    True
    """
    names = []
    for backend in ("cpu", "gpu", "tpu"):
        try:
            names += [device_name(d) for d in jax.devices(backend)]
        except RuntimeError:  # no such backend on this machine
            pass
    return names


def device_name(device):
    """``'<platform>:<id>'`` for a JAX device (``'gpu:0'`` for a CUDA device).

    >>> device_name(jax.devices("cpu")[0])
    'cpu:0'
    """
    platform = "gpu" if device.platform in ("cuda", "rocm", "gpu") else device.platform
    return f"{platform}:{device.id}"


def tensor_device_name(x):
    """The device of a JAX array (the first, for a sharded one); ``'cpu'`` for NumPy.

    >>> tensor_device_name(np.ones(2))
    'cpu'
    """
    if isinstance(x, jax.Array):
        return device_name(min(x.devices(), key=lambda d: d.id))
    return "cpu"


def resolve(name, where="lamina.device"):
    """The JAX device for a lamina device name or a JAX device.

    >>> resolve("cpu:0") == jax.devices("cpu")[0]
    True
    """
    if isinstance(name, jax.Device):
        return name
    kind, index = parse_device_name(name, where)
    if kind in ("meta", "mps"):
        raise ValueError(f"{where}: the JAX engine has no {kind!r} device; received {name!r}. "
                         f"Visible devices: {', '.join(visible_devices())}.")
    try:
        devices = jax.devices(kind)
    except RuntimeError:
        devices = []
    index = 0 if index is None else index
    if index >= len(devices):
        raise ValueError(f"{where}: JAX does not see the device '{kind}:{index}' (requested "
                         f"as {name!r}). Visible devices: {', '.join(visible_devices())}.")
    return devices[index]


def current_device():
    """Where new arrays go now: the innermost scope's device, else JAX's default.

    >>> current_device().platform in ("cpu", "gpu", "cuda", "rocm", "tpu")
    True
    """
    if _scoped[0] is not None:
        return _scoped[0]
    return jax.config.jax_default_device or jax.devices()[0]


def scoped_device():
    """The device of the innermost ``lamina.device`` scope, or None outside one."""
    return _scoped[0]


@contextlib.contextmanager
def device_scope(name):
    """A block whose new arrays go to ``name``, with JAX's ``default_device`` (see
    :func:`lamina.device`).

    >>> with device_scope("cpu:0"):
    ...     print(device_name(current_device()))
    cpu:0
    """
    device = resolve(name)
    previous = _scoped[0]
    _scoped[0] = device
    try:
        with jax.default_device(device):
            yield
    finally:
        _scoped[0] = previous


def apply_requested_device():
    """Set ``jax_default_device`` from ``LAMINA_DEVICE`` or the configuration file."""
    requested = _config.requested_device()
    if requested is not None:
        name, source = requested
        jax.config.update("jax_default_device", resolve(name, where=f"lamina (from {source})"))


def check_batch_devices(leaves, variables, where):
    """Raise a ValueError naming both devices when a JAX array of the batch is
    committed to another device than the step's Variables."""
    home = None
    for leaf in leaves:
        if isinstance(leaf, jax.Array) and leaf.committed:
            if home is None:
                home = _variables_device(variables)
                if home is None:
                    return
            devices = leaf.devices()
            if home not in devices and len(devices) == 1:
                raise ValueError(
                    f"{where}: the batch holds an array on {device_name(next(iter(devices)))} "
                    f"while the model's weights are on {device_name(home)}: move the data "
                    f"with jax.device_put, or create the model under "
                    f"lamina.device({device_name(next(iter(devices)))!r}).")


def _variables_device(variables):
    for v in variables:
        value = v.value
        if isinstance(value, jax.Array) and value.committed and len(value.devices()) == 1:
            return next(iter(value.devices()))
    return None
