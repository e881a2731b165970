"""NumPy and ``jax.numpy`` implementations of the K functions of
:mod:`~lamina.backend.ops.elementwise`, :mod:`~lamina.backend.ops.arrays_extra`,
:mod:`~lamina.backend.ops.nn_extra` and :mod:`~lamina.backend.ops.fourier`, built from the
array module ``xp`` like :mod:`lamina.backend.numpy_api`, with lamina's dtype rules
(:mod:`lamina.backend.dtypes`). The special functions come from ``scipy.special`` on
NumPy and ``jax.scipy.special`` on JAX.

>>> import numpy as np
>>> ops = implement(np)
>>> ops["cbrt"](np.array([8], "int32")).dtype
dtype('float32')
"""

import numpy as np

from lamina.backend import config, dtypes
from lamina.backend.numpy_api import _accumulator_dtype

_FLOAT_UNARY = ("cbrt", "exp2", "sinc", "deg2rad", "rad2deg")
_BOOL_UNARY = ("signbit", "isposinf", "isneginf", "isreal")
_SAME_BINARY = ("gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift",
                "right_shift")
_FLOAT_BINARY = ("hypot", "logaddexp2", "nextafter", "heaviside")
_NAN_REDUCTIONS = ("nanmean", "nanvar", "nanstd")


def implement(xp):
    """A dict of K implementations (name -> function) over the array module ``xp``."""
    ops = {}
    is_numpy = xp is np

    def special():
        if is_numpy:
            return _scipy_special()
        import jax.scipy.special
        return jax.scipy.special

    def dt(dtype):
        return dtypes.numpy_dtype(dtype) if is_numpy else xp.dtype(dtypes.standardize_dtype(dtype))

    def tensor(x):
        if hasattr(x, "dtype") and hasattr(x, "shape"):
            return x
        value = np.asarray(x)
        if value.dtype == np.float64:
            value = value.astype(config.floatx())
        elif value.dtype == np.int64:
            value = value.astype(np.int32)
        return xp.asarray(value)

    def floatify(x):
        x = tensor(x)
        return x if dtypes.is_floating_array_dtype(x.dtype) else x.astype(dt(config.floatx()))

    def cast(x, dtype):
        return x if dtypes.standardize_dtype(x.dtype) == dtype else x.astype(dt(dtype))

    def weak(x):
        return x if isinstance(x, (bool, int, float)) else tensor(x)

    # -- element-wise ------------------------------------------------------
    def keep_dtype(fn):
        """``fn`` of a float array, in its dtype (SciPy computes float16 and bfloat16 in
        float64)."""
        def op(x):
            x = floatify(x)
            out = fn(x)
            return out if out.dtype == x.dtype else out.astype(x.dtype)
        return op

    ops["erf"] = keep_dtype(lambda x: special().erf(x))
    ops["erfinv"] = keep_dtype(lambda x: special().erfinv(x))
    for name in _FLOAT_UNARY:
        ops[name] = lambda x, fn=getattr(xp, name): fn(floatify(x))
    for name in _BOOL_UNARY:
        ops[name] = lambda x, fn=getattr(xp, name): fn(tensor(x))
    ops["trunc"] = lambda x: tensor(x) if tensor(x).dtype.kind in "biu" else xp.trunc(tensor(x))

    def same_binary(fn):
        def op(x1, x2):
            x1, x2 = weak(x1), weak(x2)
            target = dtypes.result_type(x1, x2)
            return cast(fn(*[v if isinstance(v, (bool, int, float)) else cast(v, target)
                             for v in (x1, x2)]), target)
        return op

    def float_binary(fn):
        def op(x1, x2):
            x1, x2 = weak(x1), weak(x2)
            target = dtypes.float_result(dtypes.result_type(x1, x2))
            return cast(fn(*[v if isinstance(v, (bool, int, float)) else cast(v, target)
                             for v in (x1, x2)]), target)
        return op

    for name in _SAME_BINARY:
        ops[name] = same_binary(getattr(xp, name))
    for name in _FLOAT_BINARY:
        ops[name] = float_binary(getattr(xp, name))
    ops["bitwise_left_shift"], ops["bitwise_right_shift"] = ops["left_shift"], ops["right_shift"]

    def fmod(x1, x2):
        x1, x2 = weak(x1), weak(x2)
        target = dtypes.result_type(x1, x2)
        target = "int32" if target == "bool" else target
        return same_binary(xp.fmod)(cast(tensor(x1), target), x2)

    ops["fmod"] = fmod
    ops["bitwise_not"] = ops["bitwise_invert"] = lambda x: xp.invert(tensor(x))
    ops["ldexp"] = lambda x1, x2: cast(xp.ldexp(floatify(x1), tensor(x2)),
                                       dtypes.float_result(tensor(x1).dtype))

    # -- reductions --------------------------------------------------------
    def axis_arg(axis):
        return tuple(axis) if isinstance(axis, list) else axis

    for name in ("nansum", "nanprod"):
        ops[name] = lambda x, axis=None, keepdims=False, fn=getattr(xp, name): fn(
            tensor(x), axis=axis_arg(axis), keepdims=keepdims,
            dtype=dt(_accumulator_dtype(tensor(x).dtype)))
    for name in _NAN_REDUCTIONS:
        ops[name] = lambda x, axis=None, keepdims=False, fn=getattr(xp, name): fn(
            floatify(x), axis=axis_arg(axis), keepdims=keepdims)
    for name in ("nanmax", "nanmin"):
        ops[name] = lambda x, axis=None, keepdims=False, fn=getattr(xp, name): fn(
            tensor(x), axis=axis_arg(axis), keepdims=keepdims)

    def nanquantile(x, q, axis=None, method="linear", keepdims=False):
        x = floatify(x)
        return xp.nanquantile(x, q, axis=axis_arg(axis), method=method,
                              keepdims=keepdims).astype(x.dtype)

    ops["nanquantile"] = nanquantile
    ops["i0"] = lambda x: xp.i0(floatify(x))
    ops["angle"] = lambda x: cast(xp.angle(floatify(x)),
                                  dtypes.float_result(dtypes.standardize_dtype(floatify(x).dtype)))
    ops["argpartition"] = lambda x, kth, axis=-1: xp.argpartition(
        tensor(x), kth, axis=axis).astype(xp.int32)

    def view(x, dtype=None):
        x = tensor(x)
        if dtype is None:
            return x
        target = dt(dtype)
        if is_numpy:
            return np.ascontiguousarray(x).view(target)
        import jax
        source, width = x.dtype.itemsize, np.dtype(target).itemsize
        if source == width:
            return jax.lax.bitcast_convert_type(x, target)
        if source > width:
            out = jax.lax.bitcast_convert_type(x, target)
            return out.reshape(x.shape[:-1] + (-1,))
        if x.shape[-1] % (width // source):
            raise ValueError(f"view: the last axis ({x.shape[-1]}) must be divisible by "
                             f"{width // source} to be read as {dtype}.")
        grouped = x.reshape(x.shape[:-1] + (-1, width // source))
        return jax.lax.bitcast_convert_type(grouped, target)

    ops["view"] = view

    # -- arrays ------------------------------------------------------------
    ops["rot90"] = lambda array, k=1, axes=(0, 1): xp.rot90(tensor(array), k, tuple(axes))
    ops["kron"] = lambda x1, x2: cast(xp.kron(tensor(x1), tensor(x2)),
                                      dtypes.result_type(tensor(x1), tensor(x2)))
    ops["array_split"] = lambda x, indices_or_sections, axis=0: list(
        xp.array_split(tensor(x), indices_or_sections, axis=axis))

    def dstack(xs):
        xs = [tensor(x) for x in xs]
        return cast(xp.dstack(xs), dtypes.result_type(*xs))

    ops["dstack"] = dstack
    ops["diagflat"] = lambda x, k=0: xp.diagflat(tensor(x), k)
    ops["vander"] = lambda x, N=None, increasing=False: xp.vander(
        tensor(x), N, increasing).astype(tensor(x).dtype)
    trapezoid = getattr(xp, "trapezoid", None) or xp.trapz

    def trapz(y, x=None, dx=1.0, axis=-1):
        y = floatify(y)
        return cast(trapezoid(y, None if x is None else tensor(x), dx=dx, axis=axis),
                    dtypes.standardize_dtype(y.dtype))

    ops["trapezoid"] = trapz

    def histogram(x, bins=10, range=None):
        x = floatify(x)
        counts, edges = xp.histogram(x, bins=bins, range=range)
        return counts.astype(xp.int32), edges.astype(x.dtype)

    ops["histogram"] = histogram
    ops["corrcoef"] = lambda x: xp.corrcoef(floatify(x)).astype(floatify(x).dtype)

    def correlate(x1, x2, mode="valid"):
        x1, x2 = floatify(x1), floatify(x2)
        target = dtypes.result_type(x1, x2)
        return cast(xp.correlate(cast(x1, target), cast(x2, target), mode=mode), target)

    ops["correlate"] = correlate
    ops["isin"] = lambda x1, x2, assume_unique=False, invert=False: xp.isin(
        tensor(x1), tensor(x2), assume_unique=assume_unique, invert=invert)
    ops["searchsorted"] = lambda sorted_sequence, values, side="left": xp.searchsorted(
        tensor(sorted_sequence), tensor(values), side=side).astype(xp.int32)

    def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
               axis=None, size=None, fill_value=None):
        x = tensor(x)
        extra = {} if is_numpy or size is None else {"size": size, "fill_value": fill_value}
        try:
            out = xp.unique(x, return_index=return_index, return_inverse=return_inverse,
                            return_counts=return_counts, axis=axis, **extra)
        except Exception as e:
            if type(e).__name__ != "ConcretizationTypeError":
                raise
            raise ValueError("unique: inside a compiled function the number of distinct values "
                             "must be fixed; pass size=... (and fill_value=...), or call it "
                             "eagerly.") from None
        parts = list(out) if isinstance(out, tuple) else [out]
        if is_numpy and size is not None:
            parts = [_sized(np, p, size, fill_value if i == 0 else None)
                     for i, p in enumerate(parts)]
        parts = [parts[0]] + [p.astype(xp.int32) for p in parts[1:]]
        return parts[0] if len(parts) == 1 else tuple(parts)

    ops["unique"] = unique
    ops["unravel_index"] = lambda indices, shape: tuple(
        i.astype(tensor(indices).dtype) for i in xp.unravel_index(
            tensor(indices), tuple(int(d) for d in shape)))
    for name, jax_name in (("segment_max", "segment_max"), ("segment_min", "segment_min"),
                           ("segment_prod", "segment_prod")):
        ops[name] = _numpy_segment(name) if is_numpy else _jax_segment(jax_name)

    # -- nn ----------------------------------------------------------------
    ops["depth_to_space"] = lambda x, block_size, data_format="channels_last": _depth_to_space(
        tensor(x), int(block_size), data_format, lambda v, axes: v.transpose(axes))
    ops["space_to_depth"] = lambda x, block_size, data_format="channels_last": _space_to_depth(
        tensor(x), int(block_size), data_format, lambda v, axes: v.transpose(axes))

    # -- Fourier transforms ------------------------------------------------
    def complex_in(x, name):
        real, imag = _pair(x, name)
        real, imag = floatify(real), floatify(imag)
        return real + 1j * imag, real.dtype

    def pair_out(c, dtype):
        return xp.real(c).astype(dtype), xp.imag(c).astype(dtype)

    for name in ("fft", "fft2", "ifft2"):
        ops[name] = lambda x, fn=getattr(xp.fft, name), name=name: pair_out(
            fn(complex_in(x, name)[0]), complex_in(x, name)[1])
    ops["rfft"] = lambda x, fft_length=None: pair_out(
        xp.fft.rfft(floatify(x), n=fft_length), floatify(x).dtype)

    def irfft(x, fft_length=None):
        c, dtype = complex_in(x, "irfft")
        return xp.fft.irfft(c, n=fft_length).astype(dtype)

    ops["irfft"] = irfft
    return ops


def _scipy_special():
    try:
        import scipy.special
    except ImportError as e:
        raise ImportError("the numpy engine's erf and erfinv need SciPy: pip install scipy") from e
    return scipy.special


def _pair(x, name):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{name}: x must be a pair (real, imag) of tensors of one shape; "
                         f"received {type(x).__name__}.")
    if tuple(x[0].shape) != tuple(x[1].shape):
        raise ValueError(f"{name}: the real and imaginary parts must have the same shape; "
                         f"received {tuple(x[0].shape)} and {tuple(x[1].shape)}.")
    return x


def _sized(np_, values, size, fill_value):
    if values.shape[0] >= size:
        return values[:size]
    fill = values.min() if fill_value is None and values.size else (fill_value or 0)
    return np_.concatenate([values, np_.full((size - values.shape[0],) + values.shape[1:],
                                             fill, values.dtype)])


_SEGMENT_UFUNCS = {"segment_max": np.maximum, "segment_min": np.minimum,
                   "segment_prod": np.multiply}


def _segment_identity(name, dtype):
    if name == "segment_prod":
        return 1
    if dtypes.is_floating_array_dtype(dtype):
        return -np.inf if name == "segment_max" else np.inf
    if dtype.kind == "b":
        return name == "segment_min"
    info = np.iinfo(dtype)
    return info.min if name == "segment_max" else info.max


def _numpy_segment(name):
    ufunc = _SEGMENT_UFUNCS[name]

    def segment(data, segment_ids, num_segments=None, sorted=False):
        data, segment_ids = np.asarray(data), np.asarray(segment_ids)
        if num_segments is None:
            num_segments = int(segment_ids.max()) + 1 if segment_ids.size else 0
        out = np.full((num_segments,) + data.shape[1:], _segment_identity(name, data.dtype),
                      dtype=data.dtype)
        valid = (segment_ids >= 0) & (segment_ids < num_segments)
        ufunc.at(out, segment_ids[valid], data[valid])
        return out
    return segment


def _jax_segment(name):
    def segment(data, segment_ids, num_segments=None, sorted=False):
        import jax
        import jax.numpy as jnp
        segment_ids = jnp.asarray(segment_ids)
        if num_segments is None:
            num_segments = int(segment_ids.max()) + 1 if segment_ids.size else 0
        return getattr(jax.ops, name)(jnp.asarray(data), segment_ids, num_segments,
                                      indices_are_sorted=sorted)
    return segment


def _block_check(name, x, block_size, data_format):
    if x.ndim != 4:
        raise ValueError(f"{name}: x must be 4-D (batch, height, width, channels); "
                         f"received shape {tuple(x.shape)}.")
    if block_size < 2:
        raise ValueError(f"{name}: block_size must be at least 2; received {block_size}.")
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{name}: data_format must be 'channels_last' or 'channels_first'; "
                         f"received {data_format!r}.")


def _depth_to_space(x, s, data_format, permute):
    """(b, h, w, c*s*s) -> (b, h*s, w*s, c); ``permute(x, axes)`` is the engine's transpose."""
    _block_check("depth_to_space", x, s, data_format)
    if data_format == "channels_first":
        b, c, h, w = x.shape
        if c % (s * s):
            raise ValueError(f"depth_to_space: the channels ({c}) must be divisible by "
                             f"block_size**2 ({s * s}).")
        x = permute(x.reshape(b, s, s, c // (s * s), h, w), (0, 3, 4, 1, 5, 2))
        return x.reshape(b, c // (s * s), h * s, w * s)
    b, h, w, c = x.shape
    if c % (s * s):
        raise ValueError(f"depth_to_space: the channels ({c}) must be divisible by "
                         f"block_size**2 ({s * s}).")
    x = permute(x.reshape(b, h, w, s, s, c // (s * s)), (0, 1, 3, 2, 4, 5))
    return x.reshape(b, h * s, w * s, c // (s * s))


def _space_to_depth(x, s, data_format, permute):
    """(b, h*s, w*s, c) -> (b, h, w, c*s*s), the inverse of :func:`_depth_to_space`."""
    _block_check("space_to_depth", x, s, data_format)
    spatial = x.shape[2:] if data_format == "channels_first" else x.shape[1:3]
    if spatial[0] % s or spatial[1] % s:
        raise ValueError(f"space_to_depth: height and width {tuple(spatial)} must be "
                         f"divisible by block_size ({s}).")
    if data_format == "channels_first":
        b, c, h, w = x.shape
        x = permute(x.reshape(b, c, h // s, s, w // s, s), (0, 3, 5, 1, 2, 4))
        return x.reshape(b, c * s * s, h // s, w // s)
    b, h, w, c = x.shape
    x = permute(x.reshape(b, h // s, s, w // s, s, c), (0, 1, 3, 2, 4, 5))
    return x.reshape(b, h // s, w // s, c * s * s)
