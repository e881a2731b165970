"""torch device placement: the current device, its scopes and the per-step batch
transfer (see :mod:`lamina.backend.device` for the rules).

The current device is a module variable read by ``convert_to_tensor`` and the
tensor factories of this engine (``device=target_device()``), so placement costs a
list read per new tensor and nothing per operation on existing ones (torch's own
``torch.device`` context would add about a microsecond to every torch call).

>>> from lamina.backend.torch import placement
>>> placement.device_name(placement.current_device()) in placement.visible_devices()
True
"""

import contextlib

import numpy as np
import torch

from lamina.backend import config as _config
from lamina.backend.device import parse_device_name
from lamina.backend.torch import core as _core


def visible_devices():
    """The names of the devices torch can place tensors on.

    >>> "cpu" in visible_devices()
    True
    """
    names = ["cpu"]
    if torch.cuda.is_available():
        names += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if _mps_available():
        names.append("mps:0")
    return names


def _mps_available():
    mps = getattr(torch.backends, "mps", None)
    return mps is not None and mps.is_available()


def default_device():
    """torch's accelerator when there is one (the first CUDA device, then MPS), else
    the CPU; ``LAMINA_DEVICE`` or the configuration file's ``device`` key first.

    >>> default_device().type in ("cpu", "cuda", "mps")
    True
    """
    requested = _config.requested_device()
    if requested is not None:
        name, source = requested
        return resolve(name, where=f"lamina (from {source})")
    if torch.cuda.is_available():
        return torch.device("cuda", 0)
    if _mps_available():
        return torch.device("mps", 0)
    return torch.device("cpu")


def resolve(name, where="lamina.device"):
    """The ``torch.device`` for a lamina device name or a ``torch.device``; an error
    naming the visible devices when torch does not see it.

    >>> resolve("cpu"), resolve("meta")
    (device(type='cpu'), device(type='meta'))
    """
    if isinstance(name, torch.device):
        device = name
    else:
        kind, index = parse_device_name(name, where)
        if kind == "tpu":
            raise ValueError(f"{where}: the torch engine has no TPU device; received "
                             f"{name!r}. Visible devices: {', '.join(visible_devices())}.")
        if kind in ("cpu", "meta"):
            if index not in (None, 0):
                raise ValueError(f"{where}: torch has one {kind} device; received {name!r}. "
                                 f"Visible devices: {', '.join(visible_devices())}.")
            return torch.device(kind)
        device = torch.device("cuda" if kind == "gpu" else "mps", 0 if index is None else index)
    if device.type in ("cpu", "meta"):
        return torch.device(device.type)
    if device.index is None:
        device = torch.device(device.type, 0)
    if device_name(device) not in visible_devices():
        raise ValueError(f"{where}: torch does not see the device {device_name(device)!r} "
                         f"(requested as {name!r}). Visible devices: "
                         f"{', '.join(visible_devices())}.")
    return device


def device_name(device):
    """``'cpu'``, ``'meta'`` or ``'<type>:<index>'``.

    >>> device_name(torch.device("cpu"))
    'cpu'
    """
    if device.type in ("cpu", "meta"):
        return device.type
    return f"{device.type}:{0 if device.index is None else device.index}"


def tensor_device_name(x):
    """The device name of a tensor; ``'cpu'`` for anything else (NumPy data).

    >>> tensor_device_name(torch.zeros(1, device="meta"))
    'meta'
    """
    return device_name(x.device) if isinstance(x, torch.Tensor) else "cpu"


def current_device():
    """Where new tensors go now.

    >>> current_device().type in ("cpu", "cuda", "mps", "meta")
    True
    """
    return _core._device[0]


def set_current_device(device):
    """Make ``device`` (a ``torch.device``) the current device, unchecked: the step
    wrapper's fast switch; users write ``with lamina.device(name):``."""
    _core._device[0] = device
    _core._on_host[0] = device.type == "cpu"


@contextlib.contextmanager
def device_scope(name):
    """A block whose new tensors go to ``name`` (see :func:`lamina.device`).

    >>> with device_scope("meta"):
    ...     print(_core.convert_to_tensor([1.0]).device)
    meta
    """
    device = resolve(name)
    previous = current_device()
    set_current_device(device)
    try:
        yield
    finally:
        set_current_device(previous)


@contextlib.contextmanager
def host_state_scope():
    """A block whose new tensors go to the CPU: the home of small state read as Python
    numbers at every step (SeedGenerator state, which seeds each draw's Generator; an
    optimizer's iteration count and learning rate). On an accelerator each such read
    would wait for the device, and the CPU could no longer queue steps ahead of it;
    0-d CPU tensors still mix with accelerator tensors in torch operations.

    >>> with host_state_scope():
    ...     print(_core.convert_to_tensor([1]).device)
    cpu
    """
    outer = _core._host_state[0]
    _core._host_state[0] = True
    try:
        with device_scope("cpu"):
            yield
    finally:
        _core._host_state[0] = outer


def is_host_state(variable):
    """True for a Variable made in :func:`host_state_scope`."""
    return getattr(variable._storage_value(), "_lamina_host_state", False)


def gather_state(variables, home):
    """Move the step state in ``variables`` that lives elsewhere than ``home`` (metric
    state made at ``compile`` outside the scope the model was built in) to ``home``,
    once, when the step is made; host state stays on the CPU."""
    for variable in variables:
        storage = variable._storage_value()
        if storage.device == home or is_host_state(variable):
            continue
        moved = storage.detach().to(home)
        if torch._has_compatible_shallow_copy_type(storage, moved):
            storage.data = moved  # the same Parameter, now on ``home``
        else:  # the meta device: a new Parameter
            variable._value = torch.nn.Parameter(moved, requires_grad=storage.requires_grad)


def scope_of(variable):
    """A block whose new tensors go where ``variable`` lives (an optimizer's slots
    beside their weight, whatever scope the optimizer is built in).

    >>> class OnMeta:  # stands for a Variable whose storage is on the meta device
    ...     def _storage_value(self):
    ...         return torch.zeros(2, device="meta")
    >>> with scope_of(OnMeta()):
    ...     print(_core.target_device())
    meta
    """
    device = variable._storage_value().device
    if device == current_device():
        return contextlib.nullcontext()
    return device_scope(device)


def _pinned(array):
    """A page-locked copy of a host tensor, so its copy to a CUDA device is
    asynchronous (the CPU goes on queueing the step while the batch travels)."""
    return array.pin_memory()


def step_home(variables):
    """The device a step over ``variables`` runs on: the trainable Variables', else the
    first not on the CPU (host state, see :func:`host_state_scope`, stays there), else
    the CPU when there are Variables, else the current device.

    >>> step_home([]) == current_device()
    True
    """
    devices = (v._storage_value().device for v in variables if v.trainable)
    home = next(devices, None) or next((v._storage_value().device for v in variables
                                        if v._storage_value().device.type != "cpu"), None)
    if home is not None:
        return home
    return torch.device("cpu") if variables else current_device()


def batch_mover(device, where="the step"):
    """A function that puts a leaf of a step's batch on ``device`` (the step's
    :func:`step_home`): NumPy arrays and CPU tensors are copied there (through pinned
    memory to a CUDA device), tensors already there pass as they are, and a tensor on
    another accelerator is an error naming both devices (``where`` names the model).

    >>> move = batch_mover(torch.device("cpu"))
    >>> move(np.ones(2)).shape
    (2,)
    """
    on_host = device.type == "cpu"
    pin = device.type == "cuda"

    def move(leaf):
        if isinstance(leaf, torch.Tensor):
            if leaf.device == device:
                return leaf
            if leaf.device.type != "cpu" or on_host:
                raise ValueError(
                    f"{where}: the batch holds a tensor on {device_name(leaf.device)} while the "
                    f"model's weights are on {device_name(device)}: move the data with "
                    f".to({device_name(device)!r}), or create the model under "
                    f"lamina.device({device_name(leaf.device)!r}).")
            return (_pinned(leaf) if pin else leaf).to(device, non_blocking=pin)
        if on_host or not isinstance(leaf, (np.ndarray, np.generic)) or \
                leaf.dtype.kind not in "biuf":
            return leaf
        tensor = _core._from_numpy(leaf)
        return (_pinned(tensor) if pin else tensor).to(device, non_blocking=pin)

    return move
