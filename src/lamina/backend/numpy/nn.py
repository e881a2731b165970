"""NumPy implementations of the nn K functions, and the argument checks all engines share.

Convolutions are im2col: a strided window view of the padded input
(``sliding_window_view``) contracted with the kernel by ``np.tensordot`` (one BLAS
call) or, for grouped and depthwise convolutions, ``np.einsum``. The helpers whose
names start with ``check_`` / ``same_pool_counts`` are engine-neutral (they see only
shapes and Python numbers) and are imported by the jax and torch engines, so every
engine accepts the same arguments, pads the same way and raises the same errors.
"""

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lamina.backend import config, dtypes
from lamina.backend.numpy.math import convert_to_tensor as _convert

# The K implementations; the checks below are imported by name, not re-exported.
__all__ = ["relu", "relu6", "elu", "selu", "gelu", "silu", "hard_silu", "leaky_relu",
           "sigmoid", "hard_sigmoid", "log_sigmoid", "softplus", "softsign", "softmax",
           "log_softmax", "one_hot", "multi_hot", "conv", "depthwise_conv", "separable_conv",
           "conv_transpose", "max_pool", "average_pool", "batch_normalization", "moments",
           "normalize", "categorical_crossentropy", "sparse_categorical_crossentropy",
           "binary_crossentropy"]

_PADDINGS = ("valid", "same")
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# -- argument checks shared by every engine ----------------------------------
def check_data_format(fname, data_format):
    """``data_format`` or the global default; a ValueError naming ``fname`` otherwise."""
    if data_format is None:
        return config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{fname}: expected data_format 'channels_last' or 'channels_first'; "
                         f"received {data_format!r}.")
    return data_format


def _check_rank(fname, shape):
    rank = len(shape)
    if rank not in (3, 4, 5):
        raise ValueError(f"{fname}: expected inputs of rank 3, 4 or 5 (batch, spatial "
                         f"dimensions and channels, for a 1D, 2D or 3D operation); received "
                         f"inputs of rank {rank} with shape {tuple(shape)}.")
    return rank - 2


def _check_padding(fname, padding, n, causal=False):
    allowed = _PADDINGS + (("causal",) if causal and n == 1 else ())
    key = padding.lower() if isinstance(padding, str) else padding
    if key not in allowed:
        extra = " ('causal' only for 1D inputs)" if causal else ""
        raise ValueError(f"{fname}: expected padding {' or '.join(map(repr, allowed))}{extra}; "
                         f"received {padding!r}.")
    return key


def _as_tuple(fname, name, value, n, minimum=1):
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        items = (int(value),) * n
    else:
        try:
            items = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            items = None
    if items is None or len(items) != n or any(v < minimum for v in items):
        kind = "positive int" if minimum == 1 else f"int >= {minimum}"
        raise ValueError(f"{fname}: expected {name} to be a {kind} or a tuple of {n} "
                         f"{kind}s; received {value!r}.")
    return items


def _pad_pairs(fname, spatial, window, strides, dilation, padding, what="kernel"):
    pads = []
    for size, k, s, d in zip(spatial, window, strides, dilation):
        extent = (k - 1) * d + 1
        if padding == "valid":
            pair = (0, 0)
        elif padding == "causal":
            pair = (extent - 1, 0)
        else:
            total = max((-(-size // s) - 1) * s + extent - size, 0)
            pair = (total // 2, total - total // 2)
        if size + pair[0] + pair[1] < extent:
            raise ValueError(f"{fname}: the {what} (spatial size {tuple(window)}, dilation "
                             f"{tuple(dilation)}) is larger than the padded input (spatial "
                             f"size {tuple(spatial)}, padding {padding!r}).")
        pads.append(pair)
    return pads


def _spatial(shape, channels_last):
    return tuple(shape[1:-1]) if channels_last else tuple(shape[2:])


def _channels(shape, channels_last):
    return shape[-1] if channels_last else shape[1]


def check_conv(fname, x_shape, k_shape, strides, padding, data_format, dilation_rate,
               causal=True):
    """Checked convolution arguments: ``(channels_last, strides, dilation, pads, groups)``
    with ``pads`` one ``(before, after)`` pair per spatial dimension."""
    n = _check_rank(fname, x_shape)
    channels_last = check_data_format(fname, data_format) == "channels_last"
    padding = _check_padding(fname, padding, n, causal)
    if len(k_shape) != n + 2:
        raise ValueError(f"{fname}: expected a kernel of rank {n + 2} (kernel size, input "
                         f"channels, output channels) for inputs of rank {n + 2}; received a "
                         f"kernel of shape {tuple(k_shape)}.")
    strides = _as_tuple(fname, "strides", strides, n)
    dilation = _as_tuple(fname, "dilation_rate", dilation_rate, n)
    channels = _channels(x_shape, channels_last)
    if k_shape[-2] < 1 or channels % k_shape[-2] or k_shape[-1] % (channels // k_shape[-2]):
        raise ValueError(f"{fname}: the inputs have {channels} channels, which the kernel's "
                         f"input channels ({k_shape[-2]}) must divide, the quotient (the "
                         f"groups) dividing its output channels ({k_shape[-1]}); received "
                         f"inputs of shape {tuple(x_shape)} and a kernel of shape "
                         f"{tuple(k_shape)}.")
    pads = _pad_pairs(fname, _spatial(x_shape, channels_last), k_shape[:n], strides, dilation,
                      padding)
    return channels_last, strides, dilation, pads, channels // k_shape[-2]


def check_depthwise(fname, x_shape, k_shape, data_format):
    """Check a depthwise kernel ``(*kernel_size, in_channels, multiplier)`` against the
    inputs; return the kernel shape of the equivalent grouped convolution."""
    n = _check_rank(fname, x_shape)
    channels = _channels(x_shape, check_data_format(fname, data_format) == "channels_last")
    if len(k_shape) != n + 2 or k_shape[-2] != channels:
        raise ValueError(f"{fname}: expected a kernel of rank {n + 2} with shape (kernel size, "
                         f"{channels} input channels, depth multiplier) for inputs of shape "
                         f"{tuple(x_shape)}; received a kernel of shape {tuple(k_shape)}.")
    return tuple(k_shape[:-2]) + (1, k_shape[-2] * k_shape[-1])


def check_conv_transpose(fname, x_shape, k_shape, strides, padding, output_padding,
                         data_format, dilation_rate):
    """Checked transposed-convolution arguments: ``(channels_last, strides, dilation,
    pads)``, ``pads`` being the padding of the stride-dilated input (as
    ``jax.lax.conv_transpose`` takes it) that gives Keras's output sizes."""
    n = _check_rank(fname, x_shape)
    channels_last = check_data_format(fname, data_format) == "channels_last"
    padding = _check_padding(fname, padding, n)
    if len(k_shape) != n + 2 or k_shape[-1] != _channels(x_shape, channels_last):
        raise ValueError(f"{fname}: expected a kernel of rank {n + 2} with shape (kernel size, "
                         f"output channels, {_channels(x_shape, channels_last)} input "
                         f"channels) for inputs of shape {tuple(x_shape)}; received a kernel "
                         f"of shape {tuple(k_shape)}.")
    strides = _as_tuple(fname, "strides", strides, n)
    dilation = _as_tuple(fname, "dilation_rate", dilation_rate, n)
    if output_padding is None:
        output_padding = (None,) * n
    else:
        output_padding = _as_tuple(fname, "output_padding", output_padding, n, minimum=0)
    pads = []
    for k, s, d, op in zip(k_shape[:n], strides, dilation, output_padding):
        extent = (k - 1) * d + 1
        if padding == "valid":
            op = max(extent, s) - extent if op is None else op
            pads.append((extent - 1, extent - 1 + op))
        else:
            total = s + extent - 2 if op is None else extent + extent % 2 - 2 + op
            left = min(total // 2 + total % 2, extent - 1)
            pads.append((left, total - left))
    return channels_last, strides, dilation, pads


def check_pool(fname, x_shape, pool_size, strides, padding, data_format):
    """Checked pooling arguments: ``(channels_last, pool_size, strides, pads)``."""
    n = _check_rank(fname, x_shape)
    channels_last = check_data_format(fname, data_format) == "channels_last"
    padding = _check_padding(fname, padding, n)
    pool_size = _as_tuple(fname, "pool_size", pool_size, n)
    strides = pool_size if strides is None else _as_tuple(fname, "strides", strides, n)
    pads = _pad_pairs(fname, _spatial(x_shape, channels_last), pool_size, strides, (1,) * n,
                      padding, what="pool window")
    return channels_last, pool_size, strides, pads


def same_pool_counts(spatial, pool_size, strides, pads):
    """How many valid (unpadded) elements each pooling window covers: a NumPy array of
    the output's spatial shape."""
    counts = np.ones((), dtype=np.float64)
    for size, k, s, (before, after) in zip(spatial, pool_size, strides, pads):
        starts = np.arange((size + before + after - k) // s + 1) * s - before
        along = np.minimum(starts + k, size) - np.maximum(starts, 0)
        counts = np.multiply.outer(counts, along)
    return counts


def check_same_shape(fname, target_shape, output_shape):
    if tuple(target_shape) != tuple(output_shape):
        raise ValueError(f"{fname}: expected target and output of the same shape; received "
                         f"target of shape {tuple(target_shape)} and output of shape "
                         f"{tuple(output_shape)}.")


def check_sparse_target(fname, target_shape, output_shape, axis):
    """Whether to squeeze a trailing size-1 axis of the sparse ``target``."""
    squeeze = len(target_shape) == len(output_shape) and len(target_shape) > 0 \
        and target_shape[-1] == 1
    expected = list(output_shape)
    if not expected:
        raise ValueError(f"{fname}: expected output of rank 1 or more; received a scalar.")
    del expected[axis]
    got = tuple(target_shape[:-1]) if squeeze else tuple(target_shape)
    if got != tuple(expected):
        raise ValueError(f"{fname}: expected target of shape {tuple(expected)} (output's shape "
                         f"{tuple(output_shape)} without axis {axis}); received target of "
                         f"shape {tuple(target_shape)}.")
    return squeeze


def check_normalize_order(order):
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize: expected order to be an int >= 1; received {order!r}.")


def batch_norm_shape(fname, ndim, axis, size):
    """The shape that makes a 1-D statistic of ``size`` broadcast along ``axis``."""
    if not -ndim <= axis < ndim:
        raise ValueError(f"{fname}: axis {axis} is out of range for inputs of rank {ndim}.")
    shape = [1] * ndim
    shape[axis] = size
    return shape


# -- NumPy implementations ---------------------------------------------------
def _tensor(x):
    return np.asarray(x) if isinstance(x, (np.ndarray, np.generic)) else _convert(x)


def _float(x):
    x = _tensor(x)
    return x if dtypes.is_floating_array_dtype(x.dtype) else x.astype(config.floatx())


def _axes(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def relu(x):
    x = _tensor(x)
    return np.maximum(x, 0).astype(x.dtype)


def relu6(x):
    x = _tensor(x)
    return np.clip(x, 0, 6).astype(x.dtype)


def elu(x, alpha=1.0):
    x = _float(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype)


def selu(x):
    x = _float(x)
    return (_SELU_SCALE * elu(x, _SELU_ALPHA)).astype(x.dtype)


def _erf(x):
    try:
        from scipy.special import erf
    except ImportError:
        return np.vectorize(math.erf, otypes=[x.dtype])(x)
    return erf(x)


def gelu(x, approximate=True):
    x = _float(x)
    if approximate:
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
        return (0.5 * x * (1 + np.tanh(inner))).astype(x.dtype)
    return (0.5 * x * (1 + _erf(x / math.sqrt(2)))).astype(x.dtype)


def sigmoid(x):
    x = _float(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def silu(x):
    x = _float(x)
    return (x * sigmoid(x)).astype(x.dtype)


def hard_sigmoid(x):
    x = _float(x)
    return (np.clip(x + 3, 0, 6) / 6).astype(x.dtype)


def hard_silu(x):
    x = _float(x)
    return (x * hard_sigmoid(x)).astype(x.dtype)


def leaky_relu(x, negative_slope=0.2):
    x = _float(x)
    return np.where(x >= 0, x, negative_slope * x).astype(x.dtype)


def softplus(x):
    x = _float(x)
    return np.logaddexp(x, 0).astype(x.dtype)


def log_sigmoid(x):
    x = _float(x)
    return (-np.logaddexp(-x, 0)).astype(x.dtype)


def softsign(x):
    x = _float(x)
    return (x / (1 + np.abs(x))).astype(x.dtype)


def softmax(x, axis=-1):
    x = _float(x)
    e = np.exp(x - np.max(x, axis=_axes(axis), keepdims=True))
    return (e / np.sum(e, axis=_axes(axis), keepdims=True)).astype(x.dtype)


def log_softmax(x, axis=-1):
    x = _float(x)
    shifted = x - np.max(x, axis=_axes(axis), keepdims=True)
    return (shifted - np.log(np.sum(np.exp(shifted), axis=_axes(axis), keepdims=True))
            ).astype(x.dtype)


def one_hot(x, num_classes, axis=-1, dtype=None):
    x = _tensor(x)
    out = (x[..., None] == np.arange(num_classes)).astype(dtype or config.floatx())
    return out if axis == -1 else np.moveaxis(out, -1, axis)


def multi_hot(inputs, num_classes, axis=-1, dtype=None):
    inputs = _tensor(inputs).astype(np.int32)
    encoded = one_hot(inputs, num_classes, axis=axis, dtype=dtype)
    return np.max(encoded, axis=1 if inputs.ndim > 1 else 0)


def _to_last(x, channels_last):
    return x if channels_last else np.moveaxis(x, 1, -1)


def _from_last(x, channels_last):
    return x if channels_last else np.moveaxis(x, -1, 1)


def _promote(x, kernel):
    x, kernel = _tensor(x), _tensor(kernel)
    dtype = np.result_type(x, kernel)
    if not dtypes.is_floating_array_dtype(dtype):
        dtype = np.dtype(config.floatx())
    return x.astype(dtype, copy=False), kernel.astype(dtype, copy=False)


def _conv_last(x, kernel, strides, dilation, pads, groups):
    """Convolution of the channels-last ``x`` with ``kernel`` (``*k, C/groups, O``)."""
    n = x.ndim - 2
    x = np.pad(x, [(0, 0)] + list(pads) + [(0, 0)])
    window = kernel.shape[:n]
    extent = tuple((k - 1) * d + 1 for k, d in zip(window, dilation))
    cols = sliding_window_view(x, extent, axis=tuple(range(1, n + 1)))
    cols = cols[(slice(None),) + tuple(slice(None, None, s) for s in strides) + (slice(None),)
                + tuple(slice(None, None, d) for d in dilation)]  # (N, *out, C, *k)
    if groups == 1:
        return np.tensordot(cols, kernel, axes=(list(range(n + 1, 2 * n + 2)),
                                                [n] + list(range(n))))
    out_spatial = cols.shape[1:n + 1]
    per_group = kernel.shape[-1] // groups
    cols = cols.reshape(cols.shape[:n + 1] + (groups, -1) + window)
    kernel = kernel.reshape(window + (-1, groups, per_group))
    o, k = "def"[:n], "ijk"[:n]
    out = np.einsum(f"n{o}gc{k},{k}cgp->n{o}gp", cols, kernel, optimize=True)
    return out.reshape((x.shape[0],) + out_spatial + (kernel.shape[-2] * per_group,))


def _with_bias(out, bias, dtype):
    return out if bias is None else out + _tensor(bias).astype(dtype, copy=False)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1,
         bias=None):
    inputs, kernel = _promote(inputs, kernel)
    channels_last, strides, dilation, pads, groups = check_conv(
        "conv", inputs.shape, kernel.shape, strides, padding, data_format, dilation_rate)
    out = _conv_last(_to_last(inputs, channels_last), kernel, strides, dilation, pads, groups)
    return _from_last(_with_bias(out, bias, out.dtype), channels_last)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1, bias=None):
    inputs, kernel = _promote(inputs, kernel)
    kernel = kernel.reshape(check_depthwise("depthwise_conv", inputs.shape, kernel.shape,
                                            data_format))
    channels_last, strides, dilation, pads, groups = check_conv(
        "depthwise_conv", inputs.shape, kernel.shape, strides, padding, data_format,
        dilation_rate, causal=False)
    out = _conv_last(_to_last(inputs, channels_last), kernel, strides, dilation, pads, groups)
    return _from_last(_with_bias(out, bias, out.dtype), channels_last)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1, bias=None):
    hidden = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                            dilation_rate)
    return conv(hidden, pointwise_kernel, 1, "valid", data_format, 1, bias)


def conv_transpose(inputs, kernel, strides, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1, bias=None):
    inputs, kernel = _promote(inputs, kernel)
    channels_last, strides, dilation, pads = check_conv_transpose(
        "conv_transpose", inputs.shape, kernel.shape, strides, padding, output_padding,
        data_format, dilation_rate)
    x = _to_last(inputs, channels_last)
    n = x.ndim - 2
    dilated = np.zeros((x.shape[0],) + tuple((d - 1) * s + 1 for d, s in
                                               zip(x.shape[1:-1], strides)) + x.shape[-1:],
                       dtype=x.dtype)
    dilated[(slice(None),) + tuple(slice(None, None, s) for s in strides)] = x
    flipped = np.flip(kernel, axis=tuple(range(n))).swapaxes(-1, -2)
    out = _conv_last(dilated, flipped, (1,) * n, dilation, pads, 1)
    return _from_last(_with_bias(out, bias, out.dtype), channels_last)


def _windows(x, pool_size, strides, pads, fill):
    n = x.ndim - 2
    x = np.pad(x, [(0, 0)] + list(pads) + [(0, 0)], constant_values=fill)
    cols = sliding_window_view(x, pool_size, axis=tuple(range(1, n + 1)))
    return cols[(slice(None),) + tuple(slice(None, None, s) for s in strides)]


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    inputs = _tensor(inputs)
    channels_last, pool_size, strides, pads = check_pool(
        "max_pool", inputs.shape, pool_size, strides, padding, data_format)
    floating = dtypes.is_floating_array_dtype(inputs.dtype)
    fill = -np.inf if floating else np.iinfo(inputs.dtype).min
    cols = _windows(_to_last(inputs, channels_last), pool_size, strides, pads, fill)
    out = np.max(cols, axis=tuple(range(-len(pool_size), 0)))
    return _from_last(out, channels_last)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    inputs = _float(inputs)
    channels_last, pool_size, strides, pads = check_pool(
        "average_pool", inputs.shape, pool_size, strides, padding, data_format)
    x = _to_last(inputs, channels_last)
    cols = _windows(x, pool_size, strides, pads, 0)
    total = np.sum(cols, axis=tuple(range(-len(pool_size), 0)))
    counts = same_pool_counts(x.shape[1:-1], pool_size, strides, pads)
    out = (total / counts[..., None]).astype(inputs.dtype)
    return _from_last(out, channels_last)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _float(x)
    shape = batch_norm_shape("batch_normalization", x.ndim, axis, x.shape[axis])
    inv = 1 / np.sqrt(np.reshape(variance, shape) + epsilon)
    if scale is not None:
        inv = inv * np.reshape(scale, shape)
    res = -np.reshape(mean, shape) * inv
    if offset is not None:
        res = res + np.reshape(offset, shape)
    return (x * inv + res).astype(x.dtype)


def moments(x, axes, keepdims=False, synchronized=False):
    x = _float(x)
    compute = np.float32 if x.dtype == np.float16 else x.dtype
    xc = x.astype(compute)
    axes = _axes(axes)
    mean = np.mean(xc, axis=axes, keepdims=True)
    variance = np.mean(np.square(xc - mean), axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = np.squeeze(mean, axis=axes), np.squeeze(variance, axis=axes)
    return mean.astype(x.dtype), variance.astype(x.dtype)


def normalize(x, axis=-1, order=2, epsilon=None):
    check_normalize_order(order)
    x = _float(x)
    if x.ndim == 0:
        x = x[None]
    epsilon = config.epsilon() if epsilon is None else epsilon
    axis = _axes(axis)
    if order == 2:
        square_sum = np.sum(np.square(x), axis=axis, keepdims=True)
        with np.errstate(divide="ignore"):
            inv = np.minimum(1 / np.sqrt(square_sum), 1 / epsilon)
        return (x * inv).astype(x.dtype)
    norm = np.sum(np.abs(x) ** order, axis=axis, keepdims=True) ** (1 / order)
    return (x / np.maximum(norm, epsilon)).astype(x.dtype)


def _log_probabilities(output, from_logits, axis):
    if from_logits:
        return log_softmax(output, axis=axis)
    eps = config.epsilon()
    with np.errstate(invalid="ignore", divide="ignore"):  # all-zero rows (shape probes)
        output = output / np.sum(output, axis=axis, keepdims=True)
    return np.log(np.clip(output, eps, 1 - eps))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _float(target), _float(output)
    check_same_shape("categorical_crossentropy", target.shape, output.shape)
    log_prob = _log_probabilities(output, from_logits, axis)
    return (-np.sum(target * log_prob, axis=axis)).astype(output.dtype)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _tensor(target), _float(output)
    if check_sparse_target("sparse_categorical_crossentropy", target.shape, output.shape,
                           axis):
        target = target[..., 0]
    log_prob = _log_probabilities(output, from_logits, axis)
    hot = one_hot(target.astype(np.int32), output.shape[axis], axis=axis, dtype=output.dtype)
    return (-np.sum(hot * log_prob, axis=axis)).astype(output.dtype)


def binary_crossentropy(target, output, from_logits=False):
    target, output = _float(target), _float(output)
    check_same_shape("binary_crossentropy", target.shape, output.shape)
    if from_logits:
        out = target * np.logaddexp(0, -output) + (1 - target) * np.logaddexp(0, output)
        return out.astype(output.dtype)
    eps = config.epsilon()
    output = np.clip(output, eps, 1 - eps)
    out = -(target * np.log(output) + (1 - target) * np.log(1 - output))
    return out.astype(output.dtype)
