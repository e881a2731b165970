"""torch implementations of the math K functions (element-wise, reductions, linear algebra).

Results follow NumPy's values and lamina's dtype table (:mod:`lamina.backend.dtypes`),
the same as the numpy engine (:mod:`lamina.backend.numpy_api`). torch already agrees
with the table when both tensors have one dtype, and when a Python scalar leaves the
tensor's dtype unchanged (torch's scalars are weak too), so a binary function checks
just that and calls torch. The other cases (mixed dtypes; a 0-d tensor, which torch
treats as weak and the table does not; bool with a Python int) go to :func:`_promote`,
which casts to the table's dtype.

Inputs may be torch tensors, NumPy arrays, Python scalars or nested lists: anything
that is not a tensor goes through ``convert_to_tensor`` (which also moves it to the
``meta`` device during shape inference), and such CPU tensors are moved to the device
of the other operands (:func:`_align`).

Deviations from NumPy: integer matrix products off the CPU run in float64 (torch has
no integer GPU kernels), exact up to 2**53; unsigned types wider than uint8 have
little kernel support in torch, so functions on them may raise.

>>> import torch
>>> add(torch.ones(2, dtype=torch.int32), torch.ones(2)).dtype
torch.float32
"""

import builtins
import math as _math

import numpy as np
import torch

from lamina.backend import config as _config
from lamina.backend import dtypes as _dtypes
from lamina.backend.torch.core import TORCH_DTYPES, convert_to_tensor, to_torch_dtype

__all__ = [
    "abs", "absolute", "add", "all", "any", "amax", "amin", "arccos", "arcsin", "arctan",
    "arctan2", "arccosh", "arcsinh", "arctanh", "argmax", "argmin", "average",
    "ceil", "clip", "conj", "cos", "cosh", "count_nonzero", "cross", "cumprod",
    "cumsum", "divide", "divide_no_nan", "dot", "einsum", "equal", "exp",
    "expm1", "floor", "floor_divide", "greater", "greater_equal", "imag", "isclose",
    "isfinite", "isinf", "isnan", "less", "less_equal", "log", "log10", "log1p", "log2",
    "logaddexp", "logical_and", "logical_not", "logical_or", "logical_xor", "logsumexp",
    "matmul", "max", "maximum", "mean", "median", "min", "minimum", "mod", "multiply",
    "nan_to_num", "negative", "norm", "not_equal", "outer", "power", "prod", "quantile",
    "real", "reciprocal", "round", "rsqrt", "sign", "sin", "sinh", "size", "sqrt",
    "square", "std", "subtract", "sum", "tan", "tanh", "tensordot", "trace",
    "true_divide", "var", "vdot", "where",
]

_Tensor = torch.Tensor
_WEAK = frozenset({int, float, bool})
_NAMES = {v: k for k, v in TORCH_DTYPES.items()}
_UNSIGNED = frozenset({torch.uint8, torch.uint16, torch.uint32, torch.uint64})


# -- helpers shared with arrays.py ---------------------------------------------
def _t(x, dtype=None):
    """``x`` as a tensor (NumPy arrays, scalars and lists converted with lamina's rules)."""
    if isinstance(x, _Tensor):
        return x if dtype is None else x.to(to_torch_dtype(dtype))
    out = convert_to_tensor(x, dtype)
    if out.ndim and isinstance(x, (np.ndarray, np.generic)) and x.ndim == 0:
        out = out.reshape(())  # NumPy 0-d values come back 1-d from convert_to_tensor
    return out


def _floatx():
    return TORCH_DTYPES[_config.floatx()]


def _floatify(x):
    x = _t(x)
    return x if x.is_floating_point() else x.to(_floatx())


def _name(x):
    """What dtypes.result_type needs for ``x``: a Python scalar as is, else a dtype name."""
    if x.__class__ in _WEAK:
        return x
    return _NAMES[_t(x).dtype]


def _result_dtype(*values):
    """The torch dtype that lamina's table gives for ``values`` (Python scalars weak)."""
    return TORCH_DTYPES[_dtypes.result_type(*[_name(v) for v in values])]


def _axes(axis):
    """``axis`` as torch wants it: None, an int or a tuple."""
    return tuple(axis) if isinstance(axis, list) else axis


def _align(*xs):
    """``xs`` with CPU tensors (converted from lists, NumPy arrays or scalars) moved to
    the device of the other tensors."""
    device = None
    for x in xs:
        if isinstance(x, _Tensor) and x.device.type != "cpu":
            device = x.device
            break
    if device is None:
        return list(xs)
    return [x.to(device) if isinstance(x, _Tensor) and x.device.type == "cpu" else x
            for x in xs]


def _promote(fn, x1, x2, result=None):
    """``fn(x1, x2)`` with the dtype of lamina's table; ``result`` is torch's own answer
    (reused when it already has that dtype)."""
    if x1.__class__ not in _WEAK:
        x1 = _t(x1)
    if x2.__class__ not in _WEAK:
        x2 = _t(x2)
    target = _result_dtype(x1, x2)
    if result is not None and result.dtype is target:
        return result
    x1, x2 = _align(x1, x2)
    if x1.__class__ in _WEAK and x2.__class__ in _WEAK:
        x1 = torch.tensor(x1, dtype=target)
    if isinstance(x1, _Tensor) and x1.dtype is not target:
        x1 = x1.to(target)
    if isinstance(x2, _Tensor) and x2.dtype is not target:
        x2 = x2.to(target)
    result = fn(x1, x2)
    return result if result.dtype is target else result.to(target)


def _binary(fn, errors=(TypeError, AttributeError)):
    """The K function for torch's element-wise ``fn``: torch's result when its dtype is
    certainly the table's (same dtypes, or a Python scalar that kept the tensor's dtype),
    else :func:`_promote`."""
    def op(x1, x2):
        result = None
        try:
            if x2.__class__ in _WEAK:
                result = fn(x1, x2)
                if result.dtype is x1.dtype:
                    return result
            elif x1.dtype is x2.dtype:
                return fn(x1, x2)
        except errors:
            pass
        return _promote(fn, x1, x2, result)
    return op


# add, subtract and multiply are written out (not made by _binary) to save a call.
_add, _mul = torch.add, torch.mul


def add(x1, x2):
    result = None
    try:
        if x2.__class__ in _WEAK:
            result = _add(x1, x2)
            if result.dtype is x1.dtype:
                return result
        elif x1.dtype is x2.dtype:
            return _add(x1, x2)
    except (TypeError, AttributeError):
        pass
    return _promote(_add, x1, x2, result)


def multiply(x1, x2):
    result = None
    try:
        if x2.__class__ in _WEAK:
            result = _mul(x1, x2)
            if result.dtype is x1.dtype:
                return result
        elif x1.dtype is x2.dtype:
            return _mul(x1, x2)
    except (TypeError, AttributeError):
        pass
    return _promote(_mul, x1, x2, result)


# Two tensors of one dtype: torch and the dtype table agree, so K's wrapper may call
# the library function at once (see dispatch.make_function).
add.same_dtype_fast_path = torch.add
multiply.same_dtype_fast_path = torch.mul


def _sub(x1, x2):
    if x1.__class__ is bool:
        x1 = int(x1)
    if x2.__class__ is bool:
        x2 = int(x2)
    if isinstance(x1, _Tensor) and x1.dtype is torch.bool:  # NumPy: bool - bool raises too
        raise TypeError("subtract: boolean subtract is not supported; use logical_xor.")
    return torch.sub(x1, x2)


def subtract(x1, x2):
    result = None
    try:
        if x2.__class__ in _WEAK:
            result = torch.sub(x1, x2)
            if result.dtype is x1.dtype:
                return result
        elif x1.dtype is x2.dtype:
            return torch.sub(x1, x2)
    except (TypeError, AttributeError, RuntimeError):  # RuntimeError: a Python bool
        pass
    return _promote(_sub, x1, x2, result)


subtract.same_dtype_fast_path = torch.sub


def _maximum(x1, x2):
    if x2.__class__ in _WEAK:
        return torch.clamp_min(x1, x2)
    if x1.__class__ in _WEAK:
        return torch.clamp_min(x2, x1)
    return torch.maximum(x1, x2)


def _minimum(x1, x2):
    if x2.__class__ in _WEAK:
        return torch.clamp_max(x1, x2)
    if x1.__class__ in _WEAK:
        return torch.clamp_max(x2, x1)
    return torch.minimum(x1, x2)


def _mod(x1, x2):
    if not (isinstance(x1, _Tensor) and x1.is_floating_point()):
        return torch.remainder(x1, x2)
    # NumPy's float remainder: fmod, then shifted by x2 when the signs differ.
    r = torch.fmod(x1, x2)
    divisor = x2 if isinstance(x2, _Tensor) else torch.full((), x2, dtype=r.dtype,
                                                             device=r.device)
    shift = (r != 0) & ((r < 0) != (divisor < 0))
    return torch.where(shift, r + divisor, r)


def _floor_divide(x1, x2):
    if isinstance(x1, _Tensor) and x1.dtype is torch.bool:
        x1 = x1.to(torch.int8)
    return torch.floor_divide(x1, x2)


maximum = _binary(_maximum)
minimum = _binary(_minimum)
mod = _binary(_mod)
floor_divide = _binary(_floor_divide)
power = _binary(torch.pow)


def _true_divide(x1, x2):
    try:
        result = torch.true_divide(x1, x2)
        if result.dtype is x1.dtype and (x2.__class__ in _WEAK or x2.dtype is result.dtype):
            return result  # x1 is floating (else the result's dtype would differ)
    except (TypeError, AttributeError):
        result = None
    if x1.__class__ not in _WEAK:
        x1 = _t(x1)
    if x2.__class__ not in _WEAK:
        x2 = _t(x2)
    target = _result_dtype(x1, x2)
    if not target.is_floating_point:
        target = _floatx()
    if result is not None and result.dtype is target:
        return result
    x1, x2 = _align(x1, x2)
    if x1.__class__ in _WEAK:
        x1 = torch.tensor(x1, dtype=target)
    x1 = x1.to(target)
    if isinstance(x2, _Tensor):
        x2 = x2.to(target)
    return torch.true_divide(x1, x2)


divide = true_divide = _true_divide


def divide_no_nan(x1, x2):
    x2 = _t(x2) if x2.__class__ not in _WEAK else torch.tensor(x2)
    zero = x2 == 0
    out = _true_divide(x1, torch.where(zero, torch.ones((), dtype=x2.dtype, device=x2.device),
                                       x2))
    return torch.where(zero, torch.zeros((), dtype=out.dtype, device=out.device), out)


def _float_pair(x1, x2):
    """Both arguments as floats of one dtype (NumPy's rule after converting each one)."""
    x1, x2 = _align(_floatify(x1), _floatify(x2))
    target = TORCH_DTYPES[_dtypes.result_type(_NAMES[x1.dtype], _NAMES[x2.dtype])]
    return x1.to(target), x2.to(target)


def arctan2(x1, x2):
    return torch.atan2(*_float_pair(x1, x2))


def logaddexp(x1, x2):
    return torch.logaddexp(*_float_pair(x1, x2))


def _compare(fn):
    def op(x1, x2):
        try:
            return fn(x1, x2)
        except TypeError:
            pass
        if x1.__class__ in _WEAK and x2.__class__ in _WEAK:
            return fn(torch.tensor(x1), x2)
        return fn(*_align(_t(x1) if x1.__class__ not in _WEAK else x1,
                          _t(x2) if x2.__class__ not in _WEAK else x2))
    return op


def _swap_scalar(fn, mirrored):
    """``fn``, called as ``mirrored(x2, x1)`` when ``x1`` is a Python scalar."""
    def op(x1, x2):
        if x1.__class__ in _WEAK and isinstance(x2, _Tensor):
            return mirrored(x2, x1)
        return fn(x1, x2)
    return op


equal = _compare(_swap_scalar(torch.eq, torch.eq))
not_equal = _compare(_swap_scalar(torch.ne, torch.ne))
greater = _compare(_swap_scalar(torch.gt, torch.lt))
greater_equal = _compare(_swap_scalar(torch.ge, torch.le))
less = _compare(_swap_scalar(torch.lt, torch.gt))
less_equal = _compare(_swap_scalar(torch.le, torch.ge))


def _logical(fn):
    def op(x1, x2):
        return fn(*_align(_t(x1), _t(x2)))
    return op


logical_and = _logical(torch.logical_and)
logical_or = _logical(torch.logical_or)
logical_xor = _logical(torch.logical_xor)


def logical_not(x):
    return torch.logical_not(_t(x))


# -- element-wise, unary ----------------------------------------------------------
def _unary_float(fn):
    def op(x):
        if x.__class__ is not _Tensor or not x.is_floating_point():
            x = _floatify(x)
        return fn(x)
    op.__name__ = fn.__name__
    return op


exp = _unary_float(torch.exp)
expm1 = _unary_float(torch.expm1)
log = _unary_float(torch.log)
log10 = _unary_float(torch.log10)
log1p = _unary_float(torch.log1p)
log2 = _unary_float(torch.log2)
sqrt = _unary_float(torch.sqrt)
sin = _unary_float(torch.sin)
cos = _unary_float(torch.cos)
tan = _unary_float(torch.tan)
sinh = _unary_float(torch.sinh)
cosh = _unary_float(torch.cosh)
tanh = _unary_float(torch.tanh)
arcsin = _unary_float(torch.asin)
arccos = _unary_float(torch.acos)
arctan = _unary_float(torch.atan)
arcsinh = _unary_float(torch.asinh)
arccosh = _unary_float(torch.acosh)
arctanh = _unary_float(torch.atanh)
ceil = _unary_float(torch.ceil)
floor = _unary_float(torch.floor)
rsqrt = _unary_float(torch.rsqrt)
reciprocal = _unary_float(torch.reciprocal)


def abs(x):
    x = _t(x)
    return x.clone() if x.dtype is torch.bool or x.dtype in _UNSIGNED else torch.abs(x)


absolute = abs


def negative(x):
    return torch.neg(_t(x))


def sign(x):
    return torch.sign(_t(x))


def square(x):
    x = _t(x)
    return x.to(torch.int8) if x.dtype is torch.bool else torch.square(x)  # as NumPy


def conj(x):
    return torch.conj(_t(x)).resolve_conj()


def real(x):
    return torch.real(_t(x))


def imag(x):
    x = _t(x)
    return torch.imag(x) if x.is_complex() else torch.zeros_like(x)


def isfinite(x):
    return torch.isfinite(_t(x))


def isinf(x):
    return torch.isinf(_t(x))


def isnan(x):
    return torch.isnan(_t(x))


def round(x, decimals=0):
    x = _t(x)
    if x.is_floating_point():
        return torch.round(x, decimals=decimals)
    if decimals >= 0 or x.dtype is torch.bool:
        return x.clone()
    scale = 10.0 ** (-decimals)
    return (torch.round(x.to(torch.float64) / scale) * scale).to(x.dtype)


def clip(x, x_min, x_max):
    x = _t(x)
    if x.dtype is torch.bool:
        x = x.to(torch.int32)
    out = x
    if x_min is not None:
        low = x_min if x_min.__class__ in _WEAK else _align(x, _t(x_min))[1]
        out = torch.clamp_min(out, low)
    if x_max is not None:
        high = x_max if x_max.__class__ in _WEAK else _align(x, _t(x_max))[1]
        out = torch.clamp_max(out, high)
    if x_min is None and x_max is None:
        raise ValueError("clip: x_min and x_max cannot both be None.")
    return out if out.dtype is x.dtype else out.to(x.dtype)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    x = _t(x)
    if not x.is_floating_point():
        return x.clone()
    return torch.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    x1, x2 = _align(_t(x1), _t(x2))
    target = _result_dtype(x1, x2)
    if not target.is_floating_point:
        target = torch.float64
    return torch.isclose(x1.to(target), x2.to(target), rtol=rtol, atol=atol,
                         equal_nan=equal_nan)


def where(condition, x1=None, x2=None):
    condition = _t(condition)
    if x1 is None and x2 is None:
        return tuple(i.to(torch.int32) for i in torch.nonzero(condition, as_tuple=True))
    if x1 is None or x2 is None:
        raise ValueError("where: give both x1 and x2, or neither (to get the indices of "
                         "the true elements).")
    if condition.dtype is not torch.bool:
        condition = condition != 0
    if x1.__class__ not in _WEAK:
        x1 = _t(x1)
    if x2.__class__ not in _WEAK:
        x2 = _t(x2)
    condition, x1, x2 = _align(condition, x1, x2)
    target = _result_dtype(x1, x2)
    if isinstance(x1, _Tensor) and x1.dtype is not target:
        x1 = x1.to(target)
    if isinstance(x2, _Tensor) and x2.dtype is not target:
        x2 = x2.to(target)
    if x1.__class__ in _WEAK and x2.__class__ in _WEAK:
        x1 = torch.full((), x1, dtype=target, device=condition.device)
    out = torch.where(condition, x1, x2)
    return out if out.dtype is target else out.to(target)


# -- reductions -------------------------------------------------------------------
_ACCUMULATORS = {torch.bool: torch.int32, torch.int8: torch.int32, torch.int16: torch.int32,
                 torch.uint8: torch.uint32, torch.uint16: torch.uint32}


def _accumulator(x, dtype=None):
    """The dtype of sums and products (as the numpy engine): bool and narrow ints count in
    32 bits, other dtypes keep theirs; and the dtype torch computes them in (int64 for
    unsigned targets, which torch cannot sum in)."""
    target = to_torch_dtype(dtype) if dtype is not None else _ACCUMULATORS.get(x.dtype,
                                                                                x.dtype)
    return target, (torch.int64 if target in _UNSIGNED else target)


def _keep_all(out, x, keepdims):
    """A reduction over all axes: shape () or, with keepdims, all ones."""
    return out.reshape((1,) * x.ndim) if keepdims else out


def sum(x, axis=None, keepdims=False):
    x = _t(x)
    if x.is_floating_point():
        if axis is None:
            return _keep_all(torch.sum(x), x, keepdims)
        if axis == ():
            return x.clone()
        return torch.sum(x, dim=_axes(axis), keepdim=keepdims)
    target, work = _accumulator(x)
    if x.dtype in _UNSIGNED:
        x = x.to(work)
    if axis is None:
        out = _keep_all(torch.sum(x, dtype=work), x, keepdims)
    elif axis == ():
        out = x.to(work)
    else:
        out = torch.sum(x, dim=_axes(axis), keepdim=keepdims, dtype=work)
    return out if out.dtype is target else out.to(target)


def _normalize_axes(axis, ndim):
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = tuple(a + ndim if a < 0 else a for a in axes)
    for a, given in zip(out, axes):
        if not 0 <= a < builtins.max(ndim, 1):
            raise ValueError(f"axis {given} is out of bounds for a tensor of rank {ndim}.")
    if len(set(out)) != len(out):
        raise ValueError(f"repeated axis in {axis!r}.")
    return out


def prod(x, axis=None, keepdims=False, dtype=None):
    x = _t(x)
    target, work = _accumulator(x, dtype)
    out = x.to(work)
    if axis is None:
        out = _keep_all(torch.prod(out), x, keepdims)
    else:
        for a in sorted(_normalize_axes(axis, x.ndim), reverse=True):
            out = torch.prod(out, dim=a, keepdim=keepdims)
    return out if out.dtype is target else out.to(target)


def mean(x, axis=None, keepdims=False):
    return torch.mean(_floatify(x), dim=_axes(axis), keepdim=keepdims)


def std(x, axis=None, keepdims=False):
    return torch.std(_floatify(x), dim=_axes(axis), correction=0, keepdim=keepdims)


def var(x, axis=None, keepdims=False):
    return torch.var(_floatify(x), dim=_axes(axis), correction=0, keepdim=keepdims)


def _extremum(fn, combine):
    def op(x, axis=None, keepdims=False, initial=None):
        x = _t(x)
        dims = () if axis is None else _axes(axis)
        if initial is None:
            return fn(x, dim=dims, keepdim=keepdims)
        if x.numel() == 0:
            shape = torch.sum(torch.zeros(x.shape, device="meta"), dim=dims,
                              keepdim=keepdims).shape
            return torch.full(shape, initial, dtype=x.dtype, device=x.device)
        out = fn(x, dim=dims, keepdim=keepdims)
        return combine(out, torch.full((), initial, dtype=x.dtype, device=x.device))
    return op


max = amax = _extremum(torch.amax, torch.maximum)
min = amin = _extremum(torch.amin, torch.minimum)


def all(x, axis=None, keepdims=False):
    x = _t(x)
    out = torch.all(x, dim=_axes(axis), keepdim=keepdims) if axis is not None else \
        _keep_all(torch.all(x), x, keepdims)
    return out if out.dtype is torch.bool else out.to(torch.bool)


def any(x, axis=None, keepdims=False):
    x = _t(x)
    out = torch.any(x, dim=_axes(axis), keepdim=keepdims) if axis is not None else \
        _keep_all(torch.any(x), x, keepdims)
    return out if out.dtype is torch.bool else out.to(torch.bool)


def _arg_extremum(fn):
    def op(x, axis=None, keepdims=False):
        x = _t(x)
        if x.dtype is torch.bool:
            x = x.to(torch.uint8)
        if axis is None:
            return _keep_all(fn(x), x, keepdims).to(torch.int32)
        return fn(x, dim=axis, keepdim=keepdims).to(torch.int32)
    return op


argmax = _arg_extremum(torch.argmax)
argmin = _arg_extremum(torch.argmin)


def count_nonzero(x, axis=None):
    return torch.count_nonzero(_t(x), dim=_axes(axis)).to(torch.int32)


def _cumulative(fn):
    def op(x, axis=None, dtype=None):
        x = _t(x)
        if axis is None:
            x, axis = x.reshape(-1), 0
        target, work = _accumulator(x, dtype)
        out = fn(x.to(work) if x.dtype in _UNSIGNED else x, dim=axis, dtype=work)
        return out if out.dtype is target else out.to(target)
    return op


cumsum = _cumulative(torch.cumsum)
cumprod = _cumulative(torch.cumprod)


def logsumexp(x, axis=None, keepdims=False):
    x = _floatify(x)
    if axis is None:
        return _keep_all(torch.logsumexp(x.reshape(-1), dim=0), x, keepdims)
    return torch.logsumexp(x, dim=_axes(axis), keepdim=keepdims)


def average(x, axis=None, weights=None):
    x = _floatify(x)
    if weights is None:
        return torch.mean(x, dim=_axes(axis))
    x, weights = _align(x, _t(weights).to(x.dtype))
    if weights.shape != x.shape:
        if axis is None:
            raise ValueError("average: weights of a different shape than x need an axis; "
                             f"received shapes {tuple(x.shape)} and {tuple(weights.shape)}.")
        if weights.ndim != 1 or not isinstance(axis, int):
            raise ValueError("average: weights must have the shape of x, or be 1-D along "
                             f"one axis; received {tuple(weights.shape)}.")
        a = axis % x.ndim
        if weights.shape[0] != x.shape[a]:
            raise ValueError(f"average: the length of weights ({weights.shape[0]}) differs "
                             f"from the length of axis {axis} of x ({x.shape[a]}).")
        weights = weights.reshape((-1,) + (1,) * (x.ndim - a - 1))
    dims = _axes(axis)
    total = torch.sum(weights.expand(x.shape), dim=dims) if dims is not None else \
        torch.sum(weights.expand(x.shape))
    num = torch.sum(x * weights, dim=dims) if dims is not None else torch.sum(x * weights)
    return num / total


def _moved_to_end(x, axis):
    """``x`` with the axes ``axis`` (None: all) flattened into one last axis, and the
    shape of the result with keepdims."""
    if axis is None:
        return x.reshape(-1), (1,) * x.ndim
    axes = _normalize_axes(axis, x.ndim)
    rest = [d for d in range(x.ndim) if d not in axes]
    moved = x.permute(rest + list(axes))
    flat = moved.reshape(tuple(x.shape[d] for d in rest) + (-1,))
    kept = tuple(1 if d in axes else x.shape[d] for d in range(x.ndim))
    return flat, kept


_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(x, q, axis=None, method="linear", keepdims=False):
    if method not in _QUANTILE_METHODS:
        raise ValueError(f"quantile: method must be one of {', '.join(_QUANTILE_METHODS)}; "
                         f"received {method!r}.")
    x = _floatify(x)
    flat, kept = _moved_to_end(x, axis)
    n = flat.shape[-1]
    if n == 0:
        raise ValueError("quantile: cannot take the quantile of an empty axis.")
    q = _t(q).to(device=x.device, dtype=torch.float64)
    ordered = torch.sort(flat, dim=-1).values
    position = q * (n - 1)
    below = torch.floor(position)
    above = torch.ceil(position)
    if method == "lower":
        below = above = below
    elif method == "higher":
        below = above = above
    elif method == "nearest":
        below = above = torch.round(position)
    lo = below.clamp(0, n - 1).to(torch.int64)
    hi = above.clamp(0, n - 1).to(torch.int64)
    a = ordered[..., lo.reshape(-1)].to(torch.float64)
    b = ordered[..., hi.reshape(-1)].to(torch.float64)
    if method == "linear":
        gamma = (position - below).reshape(-1)
    else:
        gamma = torch.full(lo.reshape(-1).shape, 0.5 if method == "midpoint" else 0.0,
                           dtype=torch.float64, device=q.device)
    diff = b - a
    out = torch.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)
    out = torch.where(torch.isnan(ordered).any(-1, keepdim=True),
                      torch.full((), float("nan"), dtype=out.dtype, device=out.device), out)
    out = out.to(x.dtype)
    lead = flat.ndim - 1
    out = out.reshape(tuple(flat.shape[:-1]) + tuple(q.shape))
    out = out.permute(list(range(lead, out.ndim)) + list(range(lead)))
    if keepdims:
        out = out.reshape(tuple(q.shape) + kept)
    return out


def median(x, axis=None, keepdims=False):
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def norm(x, ord=None, axis=None, keepdims=False):
    return torch.linalg.norm(_floatify(x), ord=ord, dim=_axes(axis), keepdim=keepdims)


def size(x):
    return _t(x).numel() if not hasattr(x, "shape") else _math.prod(x.shape)


# -- linear algebra -----------------------------------------------------------------
def _same_dtype(*xs):
    """The tensors of ``xs`` cast to lamina's result dtype of them all."""
    xs = _align(*[_t(x) for x in xs])
    target = _result_dtype(*xs)
    return [x if x.dtype is target else x.to(target) for x in xs]


def matmul(x1, x2):
    try:
        if x1.dtype is x2.dtype and x1.dtype.is_floating_point:
            return torch.matmul(x1, x2)
    except AttributeError:
        pass
    return _any_dtype(torch.matmul, *_same_dtype(x1, x2))


matmul.same_dtype_fast_path = torch.matmul


def _any_dtype(fn, x1, x2):
    """``fn`` (a matrix product) on any dtype: bool through ints; ints through float64
    off the CPU, where torch has no integer kernels (exact up to 2**53)."""
    if x1.dtype.is_floating_point:
        return fn(x1, x2)
    if x1.dtype is torch.bool:
        return _any_dtype(fn, x1.to(torch.int32), x2.to(torch.int32)) != 0
    if x1.device.type in ("cpu", "meta"):
        return fn(x1, x2)
    return torch.round(fn(x1.to(torch.float64), x2.to(torch.float64))).to(x1.dtype)


def dot(x1, x2):
    x1, x2 = _same_dtype(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        return multiply(x1, x2)
    if x2.ndim <= 2:
        return _any_dtype(torch.matmul, x1, x2)
    return _any_dtype(lambda a, b: torch.tensordot(a, b, dims=([a.ndim - 1], [b.ndim - 2])),
                      x1, x2)


def vdot(x1, x2):
    x1, x2 = _same_dtype(x1, x2)
    return _any_dtype(torch.dot, x1.reshape(-1), x2.reshape(-1))


def outer(x1, x2):
    x1, x2 = _t(x1), _t(x2)
    return multiply(x1.reshape(-1, 1), x2.reshape(1, -1))


def tensordot(x1, x2, axes=2):
    x1, x2 = _same_dtype(x1, x2)
    if not isinstance(axes, int):
        if len(axes) != 2:
            raise ValueError(f"tensordot: axes must be an int or a pair of axis lists; "
                             f"received {axes!r}.")
        a, b = axes
        a = [a] if isinstance(a, int) else list(a)
        b = [b] if isinstance(b, int) else list(b)
        axes = ([i % x1.ndim for i in a], [i % x2.ndim for i in b])
    return _any_dtype(lambda u, v: torch.tensordot(u, v, dims=axes), x1, x2)


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    x1, x2 = _same_dtype(x1, x2)
    a, b = torch.movedim(x1, axisa, -1), torch.movedim(x2, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("cross: incompatible dimensions for cross product (dimension must "
                         f"be 2 or 3); received shapes {tuple(x1.shape)} and "
                         f"{tuple(x2.shape)}.")
    a0, a1 = a[..., 0], a[..., 1]
    b0, b1 = b[..., 0], b[..., 1]
    z = a0 * b1 - a1 * b0
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return z
    a2 = a[..., 2] if a.shape[-1] == 3 else None
    b2 = b[..., 2] if b.shape[-1] == 3 else None
    if a2 is None:
        x, y = a1 * b2, -(a0 * b2)
    elif b2 is None:
        x, y = -(a2 * b1), a2 * b0
    else:
        x, y = a1 * b2 - a2 * b1, a2 * b0 - a0 * b2
    x, y, z = torch.broadcast_tensors(x, y, z)
    return torch.movedim(torch.stack([x, y, z], dim=-1), -1, axisc)


def einsum(subscripts, *operands):
    operands = _same_dtype(*operands)
    dtype = operands[0].dtype if operands else None
    if dtype is None or dtype.is_floating_point or (
            dtype is not torch.bool and operands[0].device.type in ("cpu", "meta")):
        return torch.einsum(subscripts, *operands)
    if dtype is torch.bool:
        return einsum(subscripts, *[o.to(torch.int32) for o in operands]) != 0
    return torch.round(torch.einsum(subscripts, *[o.to(torch.float64) for o in operands])
                       ).to(dtype)


def trace(x, offset=0, axis1=0, axis2=1):
    return sum(torch.diagonal(_t(x), offset, axis1, axis2), axis=-1)
