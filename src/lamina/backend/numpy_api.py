"""The K math, array and core functions for engines with a NumPy-compatible API.

NumPy and ``jax.numpy`` share almost every function, so the numpy and jax engines
build theirs here from their array module ``xp`` and override the few that differ
(JAX's functional updates, its control flow). What this module adds to ``xp`` is
lamina's dtype rules (:mod:`lamina.backend.dtypes`): Python floats and float
lists become ``floatx()``, int/float mixing follows the one promotion table, and
float-valued functions of ints give ``floatx()``.

>>> import numpy as np
>>> ops = implement(np)
>>> ops["add"](np.ones(2, "int32"), np.ones(2, "float32")).dtype
dtype('float32')
"""

import math as _math

import numpy as np

from lamina.backend import config, dtypes

_UNARY_FLOAT = ("exp", "expm1", "log", "log10", "log1p", "log2", "sqrt", "sin", "cos",
                "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh",
                "arccosh", "arctanh")
_UNARY_SAME = ("abs", "absolute", "negative", "sign", "square", "conj", "real", "imag")
_UNARY_ROUND = ("ceil", "floor")
_BINARY = ("add", "subtract", "multiply", "maximum", "minimum", "mod", "floor_divide",
           "power", "arctan2", "logaddexp")
_COMPARE = ("equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
            "logical_and", "logical_or", "logical_xor")
_FLOAT_BINARY = ("arctan2", "logaddexp")


def implement(xp):
    """A dict of K implementations (name -> function) over the array module ``xp``."""
    ops = {}
    is_numpy = xp is np
    array_types = (np.ndarray, np.generic) if is_numpy else None

    def dt(dtype):
        if dtype is None:
            return None
        return dtypes.numpy_dtype(dtype) if is_numpy else xp.dtype(dtypes.standardize_dtype(dtype))

    def convert_to_tensor(x, dtype=None, sparse=None):
        if dtype is not None:
            return xp.asarray(x, dtype=dt(dtype))
        if hasattr(x, "dtype") and hasattr(x, "shape"):
            return xp.asarray(x)
        if isinstance(x, bool):
            return xp.asarray(x)
        if isinstance(x, int):
            return xp.asarray(x, dtype=xp.int32)
        if isinstance(x, float):
            return xp.asarray(x, dtype=dt(config.floatx()))
        value = np.asarray(x)
        if value.dtype == np.float64:
            value = value.astype(config.floatx())
        elif value.dtype == np.int64:
            value = value.astype(np.int32)
        elif value.dtype.kind in "OUS":
            raise TypeError(f"expected numbers, received a {value.dtype.kind!r}-kind array "
                            f"({value.dtype}) from {type(x).__name__}")
        return xp.asarray(value)

    ops["convert_to_tensor"] = convert_to_tensor
    ops["array"] = convert_to_tensor
    ops["convert_to_numpy"] = lambda x: np.asarray(x)
    if array_types is not None:
        ops["is_tensor"] = lambda x: isinstance(x, array_types)
    ops["shape"] = lambda x: tuple(x.shape)
    ops["ndim"] = lambda x: len(x.shape)
    ops["dtype"] = lambda x: dtypes.standardize_dtype(x.dtype)
    ops["size"] = lambda x: _math.prod(x.shape)
    ops["cast"] = lambda x, dtype: xp.asarray(x).astype(dt(dtype))

    def tensor(x):
        return x if hasattr(x, "dtype") and hasattr(x, "shape") else convert_to_tensor(x)

    def floatify(x):
        x = tensor(x)
        if not dtypes.is_floating_array_dtype(x.dtype):
            return x.astype(dt(config.floatx()))
        return x

    # -- element-wise ------------------------------------------------------
    def binary(fn):
        def op(x1, x2):
            result = fn(x1, x2)
            try:
                if result.dtype is x1.dtype:  # then NumPy/JAX agree with the table
                    return result
            except AttributeError:
                pass
            return _promoted(fn, x1, x2, result)
        if is_numpy:
            op.same_dtype_fast_path = fn
        return op

    def _promoted(fn, x1, x2, result):
        target = dtypes.result_type(x1, x2)
        if dtypes.standardize_dtype(result.dtype) == target:
            return result
        cast = [x if isinstance(x, (bool, int, float)) else tensor(x).astype(dt(target))
                for x in (x1, x2)]
        result = fn(*cast)
        return result if dtypes.standardize_dtype(result.dtype) == target \
            else result.astype(dt(target))

    def comparison(fn):
        def op(x1, x2):
            return fn(x1, x2)
        return fn if is_numpy else op

    for name in _BINARY:
        ops[name] = binary(getattr(xp, name))
    for name in _FLOAT_BINARY:
        fn = getattr(xp, name)
        ops[name] = lambda x1, x2, fn=fn: fn(floatify(x1), floatify(x2))
    for name in _COMPARE:
        ops[name] = comparison(getattr(xp, name))

    def true_divide(x1, x2):
        target = dtypes.float_result(dtypes.result_type(x1, x2))
        result = xp.true_divide(x1, x2)
        return result if result.dtype == target else result.astype(dt(target))

    ops["divide"] = ops["true_divide"] = true_divide
    ops["divide_no_nan"] = lambda x1, x2: xp.where(
        xp.asarray(x2) == 0, xp.zeros((), dt(dtypes.float_result(dtypes.result_type(x1, x2)))),
        true_divide(x1, xp.where(xp.asarray(x2) == 0, 1, x2)))

    for name in _UNARY_FLOAT:
        fn = getattr(xp, name)

        def unary_float(x, fn=fn):
            x = tensor(x)
            return fn(x) if dtypes.is_floating_array_dtype(x.dtype) else fn(floatify(x))
        ops[name] = unary_float
    for name in _UNARY_SAME:
        ops[name] = getattr(xp, name)
    for name in _UNARY_ROUND:
        fn = getattr(xp, name)
        ops[name] = lambda x, fn=fn: fn(floatify(x))
    ops["logical_not"] = xp.logical_not
    ops["reciprocal"] = lambda x: 1.0 / floatify(x)
    ops["rsqrt"] = lambda x: 1.0 / xp.sqrt(floatify(x))
    ops["isfinite"] = xp.isfinite
    ops["isinf"] = xp.isinf
    ops["isnan"] = xp.isnan
    ops["round"] = lambda x, decimals=0: xp.round(tensor(x), decimals)
    ops["clip"] = lambda x, x_min, x_max: _clip(xp, tensor(x), x_min, x_max)
    ops["nan_to_num"] = lambda x, nan=0.0, posinf=None, neginf=None: xp.nan_to_num(
        tensor(x), nan=nan, posinf=posinf, neginf=neginf)
    ops["isclose"] = lambda x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False: xp.isclose(
        x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)
    ops["where"] = lambda condition, x1=None, x2=None: (
        ops["nonzero"](condition) if x1 is None and x2 is None
        else _cast_to(xp, xp.where(condition, x1, x2), dtypes.result_type(x1, x2)))

    # -- reductions --------------------------------------------------------
    def axis_arg(axis):
        return tuple(axis) if isinstance(axis, list) else axis

    def accumulating(fn):
        def op(x, axis=None, keepdims=False, dtype=None):
            x = tensor(x)
            return fn(x, axis=axis_arg(axis), keepdims=keepdims,
                      dtype=dt(dtype or _accumulator_dtype(x.dtype)))
        return op

    sum_ = accumulating(xp.sum)
    ops["sum"] = lambda x, axis=None, keepdims=False: sum_(x, axis, keepdims)
    ops["prod"] = accumulating(xp.prod)
    for name in ("mean", "std", "var", "median"):
        fn = getattr(xp, name)
        ops[name] = lambda x, axis=None, keepdims=False, fn=fn: fn(
            floatify(x), axis=axis_arg(axis), keepdims=keepdims)

    def extremum(fn):
        def op(x, axis=None, keepdims=False, initial=None):
            x = tensor(x)
            if initial is None:
                return fn(x, axis=axis_arg(axis), keepdims=keepdims)
            return fn(x, axis=axis_arg(axis), keepdims=keepdims, initial=initial)
        return op

    ops["max"] = ops["amax"] = extremum(xp.max)
    ops["min"] = ops["amin"] = extremum(xp.min)
    ops["all"] = lambda x, axis=None, keepdims=False: xp.all(
        tensor(x), axis=axis_arg(axis), keepdims=keepdims)
    ops["any"] = lambda x, axis=None, keepdims=False: xp.any(
        tensor(x), axis=axis_arg(axis), keepdims=keepdims)
    ops["argmax"] = lambda x, axis=None, keepdims=False: xp.argmax(
        tensor(x), axis=axis, keepdims=keepdims).astype(xp.int32)
    ops["argmin"] = lambda x, axis=None, keepdims=False: xp.argmin(
        tensor(x), axis=axis, keepdims=keepdims).astype(xp.int32)
    ops["argsort"] = lambda x, axis=-1: xp.argsort(tensor(x), axis=axis).astype(xp.int32)
    ops["sort"] = lambda x, axis=-1: xp.sort(tensor(x), axis=axis)
    ops["count_nonzero"] = lambda x, axis=None: xp.asarray(
        xp.count_nonzero(tensor(x), axis=axis_arg(axis))).astype(xp.int32)
    ops["cumsum"] = lambda x, axis=None, dtype=None: xp.cumsum(
        tensor(x), axis=axis, dtype=dt(dtype or _accumulator_dtype(tensor(x).dtype)))
    ops["cumprod"] = lambda x, axis=None, dtype=None: xp.cumprod(
        tensor(x), axis=axis, dtype=dt(dtype or _accumulator_dtype(tensor(x).dtype)))

    def logsumexp(x, axis=None, keepdims=False):
        x = floatify(x)
        axis = axis_arg(axis)
        peak = xp.max(x, axis=axis, keepdims=True)
        peak = xp.where(xp.isfinite(peak), peak, xp.zeros_like(peak))
        out = xp.log(xp.sum(xp.exp(x - peak), axis=axis, keepdims=True)) + peak
        return out if keepdims else xp.squeeze(out, axis=axis)

    ops["logsumexp"] = logsumexp

    def average(x, axis=None, weights=None):
        x = floatify(x)
        if weights is None:
            return xp.mean(x, axis=axis)
        return xp.average(x, axis=axis, weights=floatify(weights).astype(x.dtype))

    ops["average"] = average

    def quantile(x, q, axis=None, method="linear", keepdims=False):
        x = floatify(x)
        out = xp.quantile(x, q, axis=axis_arg(axis), method=method, keepdims=keepdims)
        return out.astype(x.dtype)

    ops["quantile"] = quantile

    def norm(x, ord=None, axis=None, keepdims=False):
        return xp.linalg.norm(floatify(x), ord=ord, axis=axis_arg(axis), keepdims=keepdims)

    ops["norm"] = norm

    # -- linear algebra ----------------------------------------------------
    ops["matmul"] = binary(xp.matmul)
    ops["dot"] = binary(xp.dot)
    ops["vdot"] = binary(xp.vdot)
    ops["outer"] = binary(xp.outer)
    ops["tensordot"] = lambda x1, x2, axes=2: _cast_to(
        xp, xp.tensordot(x1, x2, axes=axes), dtypes.result_type(x1, x2))
    ops["cross"] = lambda x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None: _cast_to(
        xp, xp.cross(x1, x2, axisa=axisa, axisb=axisb, axisc=axisc, axis=axis),
        dtypes.result_type(x1, x2))

    def einsum(subscripts, *operands):
        operands = [tensor(o) for o in operands]
        result = dtypes.result_type(*operands)
        if xp is np and result == "bfloat16":  # NumPy's einsum has no bfloat16 loop
            operands = [o.astype(np.float32) for o in operands]
        return _cast_to(xp, xp.einsum(subscripts, *operands), result)

    ops["einsum"] = einsum
    ops["trace"] = lambda x, offset=0, axis1=0, axis2=1: xp.trace(
        tensor(x), offset=offset, axis1=axis1, axis2=axis2,
        dtype=dt(_accumulator_dtype(tensor(x).dtype)))

    # -- creation ----------------------------------------------------------
    def shape_arg(shape):
        return (shape,) if isinstance(shape, int) else tuple(int(d) for d in shape)

    def float_default(dtype):
        return dt(dtype if dtype is not None else config.floatx())

    ops["zeros"] = lambda shape, dtype=None: xp.zeros(shape_arg(shape), float_default(dtype))
    ops["ones"] = lambda shape, dtype=None: xp.ones(shape_arg(shape), float_default(dtype))
    ops["empty"] = ops["zeros"]
    ops["full"] = lambda shape, fill_value, dtype=None: xp.full(
        shape_arg(shape), fill_value,
        dt(dtype) if dtype is not None else dt(dtypes.result_type(fill_value)))
    ops["zeros_like"] = lambda x, dtype=None: xp.zeros_like(tensor(x), dtype=dt(dtype))
    ops["ones_like"] = lambda x, dtype=None: xp.ones_like(tensor(x), dtype=dt(dtype))
    ops["full_like"] = lambda x, fill_value, dtype=None: xp.full_like(
        tensor(x), fill_value, dtype=dt(dtype))
    ops["eye"] = lambda N, M=None, k=0, dtype=None: xp.eye(N, M, k=k, dtype=float_default(dtype))
    ops["identity"] = lambda n, dtype=None: xp.eye(n, dtype=float_default(dtype))
    ops["tri"] = lambda N, M=None, k=0, dtype=None: xp.tri(N, M, k=k, dtype=float_default(dtype))

    def arange(start, stop=None, step=1, dtype=None):
        if dtype is None:
            dtype = dtypes.result_type(start, *(v for v in (stop, step) if v is not None))
        return xp.arange(start, stop, step, dtype=dt(dtype))

    ops["arange"] = arange
    ops["linspace"] = lambda start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0: \
        xp.linspace(start, stop, num, endpoint=endpoint, retstep=retstep,
                    dtype=float_default(dtype), axis=axis)
    ops["logspace"] = lambda start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0: \
        xp.logspace(start, stop, num, endpoint=endpoint, base=base,
                    dtype=float_default(dtype), axis=axis)
    ops["meshgrid"] = lambda *x, indexing="xy": list(xp.meshgrid(*[tensor(v) for v in x],
                                                                 indexing=indexing))
    ops["copy"] = lambda x: xp.array(tensor(x), copy=True)

    # -- shape manipulation ------------------------------------------------
    ops["reshape"] = lambda x, newshape: xp.reshape(
        tensor(x), shape_arg(newshape) if not isinstance(newshape, int) else (newshape,))
    ops["transpose"] = lambda x, axes=None: xp.transpose(tensor(x), axes)
    ops["moveaxis"] = lambda x, source, destination: xp.moveaxis(tensor(x), source, destination)
    ops["swapaxes"] = lambda x, axis1, axis2: xp.swapaxes(tensor(x), axis1, axis2)
    ops["expand_dims"] = lambda x, axis: xp.expand_dims(tensor(x), axis_arg(axis))
    ops["squeeze"] = lambda x, axis=None: xp.squeeze(tensor(x), axis=axis_arg(axis))
    ops["ravel"] = lambda x: xp.ravel(tensor(x))
    ops["broadcast_to"] = lambda x, shape: xp.broadcast_to(tensor(x), shape_arg(shape))
    ops["flip"] = lambda x, axis=None: xp.flip(tensor(x), axis=axis_arg(axis))
    ops["roll"] = lambda x, shift, axis=None: xp.roll(tensor(x), shift, axis=axis_arg(axis))
    ops["tile"] = lambda x, repeats: xp.tile(tensor(x), repeats)
    ops["repeat"] = lambda x, repeats, axis=None: xp.repeat(tensor(x), repeats, axis=axis)
    ops["pad"] = lambda x, pad_width, mode="constant", constant_values=None: _pad(
        xp, tensor(x), pad_width, mode, constant_values)
    ops["tril"] = lambda x, k=0: xp.tril(tensor(x), k)
    ops["triu"] = lambda x, k=0: xp.triu(tensor(x), k)
    ops["diag"] = lambda x, k=0: xp.diag(tensor(x), k)
    ops["diagonal"] = lambda x, offset=0, axis1=0, axis2=1: xp.diagonal(
        tensor(x), offset, axis1, axis2)
    ops["diff"] = lambda a, n=1, axis=-1: xp.diff(tensor(a), n=n, axis=axis)

    def joined(fn):
        def op(xs, axis=0):
            xs = [tensor(x) for x in xs]
            return _cast_to(xp, fn(xs, axis=axis), dtypes.result_type(*xs))
        return op

    ops["concatenate"] = joined(xp.concatenate)
    ops["stack"] = joined(xp.stack)
    ops["hstack"] = lambda xs: _cast_to(xp, xp.hstack([tensor(x) for x in xs]),
                                        dtypes.result_type(*[tensor(x) for x in xs]))
    ops["vstack"] = lambda xs: _cast_to(xp, xp.vstack([tensor(x) for x in xs]),
                                        dtypes.result_type(*[tensor(x) for x in xs]))
    ops["append"] = lambda x1, x2, axis=None: _cast_to(
        xp, xp.append(tensor(x1), tensor(x2), axis=axis), dtypes.result_type(x1, x2))
    ops["split"] = lambda x, indices_or_sections, axis=0: list(
        xp.split(tensor(x), indices_or_sections, axis=axis))
    ops["unstack"] = lambda x, num=None, axis=0: [
        xp.squeeze(p, axis) for p in xp.split(tensor(x), tensor(x).shape[axis], axis=axis)]

    # -- indexing ----------------------------------------------------------
    def index_key(key):
        if isinstance(key, list):
            return tensor(key)
        if isinstance(key, tuple):
            return tuple(tensor(k) if isinstance(k, list) else k for k in key)
        return key

    ops["get_item"] = lambda x, key: tensor(x)[index_key(key)]
    ops["take"] = lambda x, indices, axis=None: xp.take(tensor(x), tensor(indices), axis=axis)
    ops["take_along_axis"] = lambda x, indices, axis=None: xp.take_along_axis(
        tensor(x), tensor(indices), axis=axis)
    ops["nonzero"] = lambda x: tuple(i.astype(xp.int32) for i in xp.nonzero(tensor(x)))
    ops["digitize"] = lambda x, bins: xp.digitize(tensor(x), tensor(bins)).astype(xp.int32)
    ops["bincount"] = lambda x, weights=None, minlength=0: xp.bincount(
        tensor(x), weights=weights, minlength=minlength).astype(
            xp.int32 if weights is None else dt(dtypes.result_type(weights)))
    ops["select"] = lambda condlist, choicelist, default=0: xp.select(
        [tensor(c) for c in condlist], [tensor(c) for c in choicelist], default)

    def top_k(x, k, sorted=True):
        x = tensor(x)
        key = x.astype(np.int64) if x.dtype.kind in "ub" else x
        order = xp.argsort(-key, axis=-1, kind="stable")[..., :k] if is_numpy else None
        if order is None:
            import jax
            return tuple(jax.lax.top_k(x, k)[i].astype(x.dtype if i == 0 else xp.int32)
                         for i in (0, 1))
        return xp.take_along_axis(x, order, axis=-1), order.astype(xp.int32)

    ops["top_k"] = top_k
    return ops


def _accumulator_dtype(dtype):
    """The dtype of sums and products (Keras 3's rule): bool and narrow ints count in
    32 bits; other dtypes keep theirs (NumPy would widen int32 to int64)."""
    name = dtypes.standardize_dtype(dtype)
    if name in ("bool", "int8", "int16"):
        return "int32"
    if name in ("uint8", "uint16"):
        return "uint32"
    return name


def _cast_to(xp, x, dtype):
    return x if x.dtype == dtype else x.astype(xp.dtype(dtype))


def _clip(xp, x, x_min, x_max):
    if x.dtype.kind == "b":
        x = x.astype(xp.int32)
    return xp.clip(x, x_min, x_max).astype(x.dtype)


def _pad(xp, x, pad_width, mode, constant_values):
    pad_width = [tuple(p) if isinstance(p, (list, tuple)) else (p, p) for p in pad_width] \
        if not isinstance(pad_width, int) else pad_width
    if mode == "constant":
        return xp.pad(x, pad_width, mode="constant",
                      constant_values=0 if constant_values is None else constant_values)
    if constant_values is not None:
        raise ValueError(f"pad: constant_values is only used with mode='constant'; "
                         f"received mode={mode!r}.")
    return xp.pad(x, pad_width, mode=mode)

