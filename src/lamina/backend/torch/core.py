"""The torch engine's storage, conversion, shape inference and gradients."""

import contextlib

import numpy as np
import torch

from lamina.backend import config as _config
from lamina.backend import dtypes as _dtypes
from lamina.backend import tree as _tree

# small sizes first: functions without a meta kernel (torch.lstm) run for real on zeros
probe_fills = ((4, 9), (83, 157))
tensor_types = (torch.Tensor,)

TORCH_DTYPES = {
    "bool": torch.bool, "int8": torch.int8, "int16": torch.int16, "int32": torch.int32,
    "int64": torch.int64, "uint8": torch.uint8, "uint16": torch.uint16,
    "uint32": torch.uint32, "uint64": torch.uint64, "bfloat16": torch.bfloat16,
    "float16": torch.float16, "float32": torch.float32, "float64": torch.float64,
}


def to_torch_dtype(dtype):
    """The torch dtype for any lamina dtype name or dtype object."""
    if isinstance(dtype, torch.dtype):
        return dtype
    return TORCH_DTYPES[_dtypes.standardize_dtype(dtype)]


def is_array(x):
    return isinstance(x, torch.Tensor)


def is_tensor(x):
    return isinstance(x, torch.Tensor)


_probing = [False]  # True while abstract_eval runs on the meta device
_outer_device = [None]  # the default device outside it
_META = torch.device("meta")
# Where new tensors go (lamina.device scopes, LAMINA_DEVICE, else the first
# accelerator; see lamina.backend.torch.placement), and whether that is the CPU,
# where converted NumPy data needs no copy.
_device = [torch.device("cpu")]
_on_host = [True]
_host_state = [False]  # True inside placement.host_state_scope: new Variables are host state


def target_device():
    """The device of a new tensor: the meta device while shape inference probes,
    else lamina's current device."""
    return _META if _probing[0] else _device[0]


def convert_to_tensor(x, dtype=None, sparse=None):
    if isinstance(x, torch.Tensor):
        return x if dtype is None else x.to(to_torch_dtype(dtype))
    tensor = _convert(x, dtype)
    if _probing[0]:
        return tensor.to(_META)
    return tensor if _on_host[0] else tensor.to(_device[0])


def _from_numpy(array):
    """A torch tensor sharing (when it can) the memory of a NumPy array of numbers."""
    if array.dtype.name == "bfloat16":
        return torch.from_numpy(np.ascontiguousarray(array).view(np.int16)).view(
            torch.bfloat16).reshape(array.shape)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"expected numbers, received a {array.dtype} array")
    if not array.flags.c_contiguous or array.ndim == 0:
        array = np.ascontiguousarray(array).reshape(array.shape)
    return torch.from_numpy(array)


def _convert(x, dtype):
    if isinstance(x, (np.ndarray, np.generic)):
        tensor = _from_numpy(np.asarray(x))
        return tensor if dtype is None else tensor.to(to_torch_dtype(dtype))
    if dtype is not None:
        return torch.tensor(x, dtype=to_torch_dtype(dtype)) if isinstance(
            x, (bool, int, float)) else _from_numpy(np.asarray(x)).to(to_torch_dtype(dtype))
    if isinstance(x, bool):
        return torch.tensor(x)
    if isinstance(x, int):
        return torch.tensor(x, dtype=torch.int32)
    if isinstance(x, float):
        return torch.tensor(x, dtype=to_torch_dtype(_config.floatx()))
    value = np.asarray(x)
    if value.dtype == np.float64:
        value = value.astype(_config.floatx())
    elif value.dtype == np.int64:
        value = value.astype(np.int32)
    elif value.dtype.kind not in "biuf":
        raise TypeError(f"expected numbers, received a {value.dtype.kind!r}-kind array "
                        f"({value.dtype}) from {type(x).__name__}")
    return _from_numpy(value)


def convert_to_numpy(x):
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.device.type != "cpu":
            x = x.cpu()
        if x.dtype == torch.bfloat16:
            import ml_dtypes  # noqa: F401  (registers bfloat16 with NumPy)
            return x.view(torch.int16).numpy().view("bfloat16")
        return x.numpy()
    return np.asarray(x)


# -- shape inference ---------------------------------------------------------
def probe_array(shape, dtype):
    return torch.empty(tuple(shape), dtype=to_torch_dtype(dtype), device="meta")


def probe_variable(value):
    return torch.empty(tuple(value.shape), dtype=value.dtype, device="meta")


def _materialize(v):
    if isinstance(v, torch.Tensor) and v.device.type == "meta":
        return torch.zeros(tuple(v.shape), dtype=v.dtype, device=_device[0])
    return v


def abstract_eval(fn, args, kwargs):
    outer = _probing[0]
    if not outer:
        _outer_device[0] = torch.get_default_device()
    _probing[0] = True
    try:
        with torch.device("meta"), torch.no_grad():
            return fn(*args, **kwargs)
    except Exception:  # no meta kernel, or a CPU constant met a meta tensor: run on zeros
        pass
    finally:
        _probing[0] = outer
    args, kwargs = _tree.map_structure(_materialize, (args, kwargs))
    from lamina.backend.variables import VariableScope
    with VariableScope(read=lambda v: v._storage_value().detach()), torch.no_grad():
        return fn(*args, **kwargs)


@contextlib.contextmanager
def concrete_scope():
    """A block whose new tensors are real (on the default device), even while
    ``abstract_eval`` runs on the meta device (weights built during shape inference),
    and whose random draws are the reference generator's, even inside a step."""
    from lamina.backend.torch.random import step_draws
    probing = _probing[0]
    _probing[0] = False
    try:
        with torch.device(_outer_device[0] if probing else torch.get_default_device()), \
                torch.enable_grad(), step_draws(native=False):
            yield
    finally:
        _probing[0] = probing


# -- variables ---------------------------------------------------------------
def make_variable(value, dtype, trainable):
    tensor = convert_to_tensor(value, dtype).detach().to(target_device(), copy=True)
    floating = tensor.dtype.is_floating_point
    parameter = torch.nn.Parameter(tensor, requires_grad=bool(trainable) and floating)
    if _host_state[0]:
        parameter._lamina_host_state = True  # stays on the CPU (see placement.py)
    return parameter


def assign_variable(storage, value):
    if storage.device.type == "meta" or value.device.type == "meta":
        return storage  # the meta device holds shapes without data: nothing to write
    with torch.no_grad():
        storage.copy_(value)
    return storage


def set_trainable(storage, trainable):
    storage.requires_grad_(bool(trainable) and storage.dtype.is_floating_point)


# -- gradients ---------------------------------------------------------------
def value_and_grad(fn, argnums=0, has_aux=False):
    from lamina.backend.variables import Variable
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)

    def wrapped(*args):
        args = list(args)
        leaves_per_arg, restore = [], []
        for i in nums:
            leaves, rebuild = _tree.flatten(args[i])
            sources = []
            for j, leaf in enumerate(leaves):
                if isinstance(leaf, Variable):
                    param = leaf.value
                    if not param.requires_grad:
                        param.requires_grad_(True)
                        restore.append(param)
                    sources.append(param)
                else:
                    t = convert_to_tensor(leaf).detach().requires_grad_(True)
                    leaves[j] = t
                    sources.append(t)
            args[i] = rebuild(leaves)
            leaves_per_arg.append((sources, rebuild))
        try:
            with torch.enable_grad():
                out = fn(*args)
                value = out[0] if has_aux else out
                flat_sources = [s for sources, _ in leaves_per_arg for s in sources]
                grads = torch.autograd.grad(value, flat_sources, allow_unused=True)
        finally:
            for param in restore:
                param.requires_grad_(False)
        grads = [torch.zeros_like(s) if g is None else g for g, s in zip(grads, flat_sources)]
        structured, k = [], 0
        for sources, rebuild in leaves_per_arg:
            structured.append(rebuild(grads[k:k + len(sources)]))
            k += len(sources)
        out = (value.detach(), _tree.map_structure(_detach, out[1])) if has_aux \
            else value.detach()
        return out, (structured[0] if isinstance(argnums, int) else tuple(structured))
    return wrapped


def _detach(value):
    return value.detach() if isinstance(value, torch.Tensor) else value


def grad(fn, argnums=0, has_aux=False):
    vg = value_and_grad(fn, argnums, has_aux)

    def wrapped(*args):
        value, grads = vg(*args)
        return (grads, value[1]) if has_aux else grads
    return wrapped


def host_to_engine(x):
    """A torch tensor for a NumPy array (sharing its memory when it can); torch
    tensors pass unchanged."""
    if isinstance(x, torch.Tensor):
        return x
    return _from_numpy(np.asarray(x))


def prepare_variable_class(variable_class):
    """Let torch tensors combine with lamina Variables at library speed.

    Without this, ``tensor + variable`` makes torch convert the Variable through
    NumPy (a copy per call). With ``__torch_function__``, an operator defers to the
    Variable's reflected operator (a K function, lamina's dtype rules), and a torch
    function given a Variable receives its value."""

    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "").startswith("__"):
            return NotImplemented
        args = _tree.map_structure(
            lambda a: a.value if isinstance(a, variable_class) else a, args)
        kwargs = _tree.map_structure(
            lambda a: a.value if isinstance(a, variable_class) else a, kwargs or {})
        return func(*args, **kwargs)

    variable_class.__torch_function__ = classmethod(__torch_function__)


def custom_gradient(f):
    """``f(*args)`` returns ``(value, grad_fn)``: a ``torch.autograd.Function`` whose
    backward pass is ``grad_fn(upstream)``."""
    class CustomGradient(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *args):
            value, ctx.grad_fn = f(*args)
            return value

        @staticmethod
        def backward(ctx, upstream):
            grads = ctx.grad_fn(upstream)
            return tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)

    return lambda *args: CustomGradient.apply(*args)


def jvp(fun, primals, tangents, has_aux=False):
    import warnings
    with warnings.catch_warnings():  # torch.func's own use of torch.jit.script warns
        warnings.filterwarnings("ignore", "`torch.jit.script` is deprecated", DeprecationWarning)
        return torch.func.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)
