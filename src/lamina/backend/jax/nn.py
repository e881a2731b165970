"""JAX implementations of the nn K functions: ``jax.nn``, ``jax.lax.conv_general_dilated``
and ``jax.lax.reduce_window``, with the argument checks shared with the other engines
(:mod:`lamina.backend.numpy.nn`).

Each function is a thin Python layer (Python scalars to arrays, lists to tuples, the
settings ``floatx()`` / ``epsilon()`` read at call time) over a ``jax.jit``-compiled
core whose configuration arguments are static. Called eagerly, a function is one
compiled XLA program instead of one dispatch per primitive (several times faster to
compile and to run); inside a traced train step the cores simply inline. Argument
checks run while tracing, so once per compiled configuration.
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend import config
from lamina.backend.numpy.nn import (batch_norm_shape, check_conv, check_conv_transpose,
                                     check_depthwise, check_normalize_order, check_pool,
                                     check_same_shape, check_sparse_target, same_pool_counts)

__all__ = ["relu", "relu6", "elu", "selu", "gelu", "silu", "hard_silu", "leaky_relu",
           "sigmoid", "hard_sigmoid", "log_sigmoid", "softplus", "softsign", "softmax",
           "log_softmax", "one_hot", "multi_hot", "conv", "depthwise_conv", "separable_conv",
           "conv_transpose", "max_pool", "average_pool", "batch_normalization", "moments",
           "normalize", "categorical_crossentropy", "sparse_categorical_crossentropy",
           "binary_crossentropy"]


def _tensor(x):
    if hasattr(x, "dtype"):
        return x
    from lamina.backend.jax.math import convert_to_tensor
    return convert_to_tensor(x)


def _float(x):
    x = _tensor(x)
    return x if jnp.issubdtype(x.dtype, jnp.floating) else jnp.asarray(x, config.floatx())


def _static(value):
    """A hashable form of a static argument (lists become tuples)."""
    return tuple(_static(v) for v in value) if isinstance(value, (list, tuple)) else value


def _jit(*static):
    return functools.partial(jax.jit, static_argnames=static)


# -- activations -------------------------------------------------------------
_relu = jax.jit(jax.nn.relu)
_elu = jax.jit(jax.nn.elu)
_selu = jax.jit(jax.nn.selu)
_gelu = _jit("approximate")(jax.nn.gelu)
_silu = jax.jit(jax.nn.silu)
_hard_silu = jax.jit(jax.nn.hard_silu)
_leaky_relu = jax.jit(jax.nn.leaky_relu)
_sigmoid = jax.jit(jax.nn.sigmoid)
_hard_sigmoid = jax.jit(jax.nn.hard_sigmoid)
_log_sigmoid = jax.jit(jax.nn.log_sigmoid)
_softplus = jax.jit(jax.nn.softplus)
_softsign = jax.jit(jax.nn.soft_sign)
_softmax = _jit("axis")(jax.nn.softmax)
_log_softmax = _jit("axis")(jax.nn.log_softmax)


@jax.jit
def _relu6(x):
    return jnp.clip(x, 0, 6).astype(x.dtype)


def relu(x):
    return _relu(_tensor(x))


def relu6(x):
    return _relu6(_tensor(x))


def elu(x, alpha=1.0):
    return _elu(_float(x), alpha)


def selu(x):
    return _selu(_float(x))


def gelu(x, approximate=True):
    return _gelu(_float(x), approximate=bool(approximate))


def silu(x):
    return _silu(_float(x))


def hard_silu(x):
    return _hard_silu(_float(x))


def leaky_relu(x, negative_slope=0.2):
    return _leaky_relu(_float(x), negative_slope)


def sigmoid(x):
    return _sigmoid(_float(x))


def hard_sigmoid(x):
    return _hard_sigmoid(_float(x))


def log_sigmoid(x):
    return _log_sigmoid(_float(x))


def softplus(x):
    return _softplus(_float(x))


def softsign(x):
    return _softsign(_float(x))


def softmax(x, axis=-1):
    return _softmax(_float(x), axis=_static(axis))


def log_softmax(x, axis=-1):
    return _log_softmax(_float(x), axis=_static(axis))


# -- encodings ---------------------------------------------------------------
@_jit("num_classes", "axis", "dtype")
def _one_hot(x, num_classes, axis, dtype):
    return jax.nn.one_hot(x, num_classes, axis=axis, dtype=dtype)


@_jit("num_classes", "axis", "dtype")
def _multi_hot(x, num_classes, axis, dtype):
    encoded = jax.nn.one_hot(x.astype(jnp.int32), num_classes, axis=axis, dtype=dtype)
    return jnp.max(encoded, axis=1 if x.ndim > 1 else 0)


def one_hot(x, num_classes, axis=-1, dtype=None):
    return _one_hot(_tensor(x), num_classes, axis, jnp.dtype(dtype or config.floatx()))


def multi_hot(inputs, num_classes, axis=-1, dtype=None):
    return _multi_hot(_tensor(inputs), num_classes, axis, jnp.dtype(dtype or config.floatx()))


# -- convolution and pooling -------------------------------------------------
_SPATIAL = ("W", "HW", "DHW")
_CONV_STATIC = ("strides", "padding", "data_format", "dilation_rate")


def _dimension_numbers(n, channels_last, kernel_io="IO"):
    s = _SPATIAL[n - 1]
    layout = f"N{s}C" if channels_last else f"NC{s}"
    return layout, s + kernel_io, layout


def _promote(x, kernel):
    """``x`` and ``kernel`` in one float dtype (before the compiled core: reads floatx)."""
    x, kernel = _tensor(x), _tensor(kernel)
    if x.dtype == kernel.dtype and jnp.issubdtype(x.dtype, jnp.floating):
        return x, kernel
    dtype = jnp.result_type(x, kernel)
    if not jnp.issubdtype(dtype, jnp.floating):
        dtype = jnp.dtype(config.floatx())
    return jnp.asarray(x, dtype), jnp.asarray(kernel, dtype)


def _with_bias(out, bias, channels_last):
    if bias is None:
        return out
    bias = bias.astype(out.dtype)
    return out + (bias if channels_last else bias.reshape((-1,) + (1,) * (out.ndim - 2)))


def _conv(fname, inputs, kernel, bias, strides, padding, data_format, dilation_rate,
          causal=True):
    channels_last, strides, dilation, pads, groups = check_conv(
        fname, inputs.shape, kernel.shape, strides, padding, data_format, dilation_rate,
        causal)
    out = jax.lax.conv_general_dilated(
        inputs, kernel, strides, pads, rhs_dilation=dilation,
        dimension_numbers=_dimension_numbers(inputs.ndim - 2, channels_last),
        feature_group_count=groups)
    return _with_bias(out, bias, channels_last)


@_jit(*_CONV_STATIC)
def _conv_core(inputs, kernel, bias, strides, padding, data_format, dilation_rate):
    return _conv("conv", inputs, kernel, bias, strides, padding, data_format, dilation_rate)


@_jit(*_CONV_STATIC)
def _depthwise_core(inputs, kernel, bias, strides, padding, data_format, dilation_rate):
    kernel = kernel.reshape(check_depthwise("depthwise_conv", inputs.shape, kernel.shape,
                                            data_format))
    return _conv("depthwise_conv", inputs, kernel, bias, strides, padding, data_format,
                 dilation_rate, causal=False)


@_jit(*_CONV_STATIC)
def _separable_core(inputs, depthwise_kernel, pointwise_kernel, bias, strides, padding,
                    data_format, dilation_rate):
    pointwise_kernel = pointwise_kernel.astype(inputs.dtype)
    hidden = _depthwise_core(inputs, depthwise_kernel, None, strides, padding, data_format,
                             dilation_rate)
    return _conv_core(hidden, pointwise_kernel, bias, 1, "valid", data_format, 1)


@_jit(*_CONV_STATIC, "output_padding")
def _conv_transpose_core(inputs, kernel, bias, strides, padding, output_padding, data_format,
                         dilation_rate):
    channels_last, strides, dilation, pads = check_conv_transpose(
        "conv_transpose", inputs.shape, kernel.shape, strides, padding, output_padding,
        data_format, dilation_rate)
    n = inputs.ndim - 2
    flipped = jnp.flip(kernel, axis=tuple(range(n)))
    out = jax.lax.conv_general_dilated(
        inputs, flipped, (1,) * n, pads, lhs_dilation=strides, rhs_dilation=dilation,
        dimension_numbers=_dimension_numbers(n, channels_last, kernel_io="OI"))
    return _with_bias(out, bias, channels_last)


def _data_format(data_format):
    return config.image_data_format() if data_format is None else data_format


def _optional(bias):
    return None if bias is None else _tensor(bias)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1,
         bias=None):
    return _conv_core(*_promote(inputs, kernel), _optional(bias), _static(strides), padding,
                      _data_format(data_format), _static(dilation_rate))


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1, bias=None):
    return _depthwise_core(*_promote(inputs, kernel), _optional(bias), _static(strides),
                           padding, _data_format(data_format), _static(dilation_rate))


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1, bias=None):
    inputs, depthwise_kernel = _promote(inputs, depthwise_kernel)
    return _separable_core(inputs, depthwise_kernel, _tensor(pointwise_kernel),
                           _optional(bias), _static(strides), padding,
                           _data_format(data_format), _static(dilation_rate))


def conv_transpose(inputs, kernel, strides, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1, bias=None):
    return _conv_transpose_core(*_promote(inputs, kernel), _optional(bias), _static(strides),
                                padding, _static(output_padding), _data_format(data_format),
                                _static(dilation_rate))


def _full(values, channels_last):
    return (1,) + tuple(values) + (1,) if channels_last else (1, 1) + tuple(values)


def _pool_pads(pads, channels_last):
    return [(0, 0)] + list(pads) + [(0, 0)] if channels_last else [(0, 0), (0, 0)] + list(pads)


_POOL_STATIC = ("pool_size", "strides", "padding", "data_format")


# The initial values are NumPy constants: given a traced value, ``reduce_window`` falls
# back to its generic form, which has no derivative.
@_jit(*_POOL_STATIC)
def _max_pool(inputs, pool_size, strides, padding, data_format):
    channels_last, pool_size, strides, pads = check_pool(
        "max_pool", inputs.shape, pool_size, strides, padding, data_format)
    init = -np.inf if jnp.issubdtype(inputs.dtype, jnp.floating) \
        else jnp.iinfo(inputs.dtype).min
    return jax.lax.reduce_window(inputs, np.array(init, inputs.dtype), jax.lax.max,
                                 _full(pool_size, channels_last),
                                 _full(strides, channels_last),
                                 _pool_pads(pads, channels_last))


@_jit(*_POOL_STATIC)
def _average_pool(inputs, pool_size, strides, padding, data_format):
    channels_last, pool_size, strides, pads = check_pool(
        "average_pool", inputs.shape, pool_size, strides, padding, data_format)
    total = jax.lax.reduce_window(inputs, np.array(0, inputs.dtype), jax.lax.add,
                                  _full(pool_size, channels_last),
                                  _full(strides, channels_last),
                                  _pool_pads(pads, channels_last))
    spatial = inputs.shape[1:-1] if channels_last else inputs.shape[2:]
    if all(p == (0, 0) for p in pads):
        return total / jnp.array(math.prod(pool_size), inputs.dtype)
    counts = same_pool_counts(spatial, pool_size, strides, pads)
    counts = counts[..., None] if channels_last else counts[None]
    return total / jnp.asarray(counts.astype(np.dtype(inputs.dtype)))


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _max_pool(_tensor(inputs), _static(pool_size), _static(strides), padding,
                     _data_format(data_format))


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _average_pool(_float(inputs), _static(pool_size), _static(strides), padding,
                         _data_format(data_format))


# -- normalization -----------------------------------------------------------
@_jit("axis", "epsilon")
def _batch_normalization(x, mean, variance, axis, offset, scale, epsilon):
    shape = batch_norm_shape("batch_normalization", x.ndim, axis, x.shape[axis])
    inv = jax.lax.rsqrt(jnp.reshape(variance, shape).astype(x.dtype) + epsilon)
    if scale is not None:
        inv = inv * jnp.reshape(scale, shape)
    res = -jnp.reshape(mean, shape) * inv
    if offset is not None:
        res = res + jnp.reshape(offset, shape)
    return (x * inv + res).astype(x.dtype)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    return _batch_normalization(_float(x), _tensor(mean), _tensor(variance), axis,
                                None if offset is None else _tensor(offset),
                                None if scale is None else _tensor(scale), epsilon)


@_jit("axes", "keepdims")
def _moments(x, axes, keepdims):
    xc = x.astype(jnp.float32) if x.dtype == jnp.float16 else x
    mean = jnp.mean(xc, axis=axes, keepdims=True)
    variance = jnp.mean(jnp.square(xc - mean), axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = jnp.squeeze(mean, axis=axes), jnp.squeeze(variance, axis=axes)
    return mean.astype(x.dtype), variance.astype(x.dtype)


def moments(x, axes, keepdims=False, synchronized=False):
    return _moments(_float(x), _static(axes), bool(keepdims))


@_jit("axis", "order", "epsilon")
def _normalize(x, axis, order, epsilon):
    if x.ndim == 0:
        x = x[None]
    if order == 2:
        square_sum = jnp.sum(jnp.square(x), axis=axis, keepdims=True)
        return x * jnp.minimum(jax.lax.rsqrt(square_sum), 1 / epsilon).astype(x.dtype)
    norm = jnp.sum(jnp.abs(x) ** order, axis=axis, keepdims=True) ** (1 / order)
    return (x / jnp.maximum(norm, epsilon)).astype(x.dtype)


def normalize(x, axis=-1, order=2, epsilon=None):
    check_normalize_order(order)
    return _normalize(_float(x), _static(axis), order,
                      config.epsilon() if epsilon is None else epsilon)


# -- losses ------------------------------------------------------------------
def _log_probabilities(output, from_logits, axis, eps):
    if from_logits:
        return jax.nn.log_softmax(output, axis=axis)
    output = output / jnp.sum(output, axis=axis, keepdims=True)
    return jnp.log(jnp.clip(output, eps, 1 - eps))


@_jit("from_logits", "axis", "eps")
def _categorical_crossentropy(target, output, from_logits, axis, eps):
    check_same_shape("categorical_crossentropy", target.shape, output.shape)
    log_prob = _log_probabilities(output, from_logits, axis, eps)
    return (-jnp.sum(target * log_prob, axis=axis)).astype(output.dtype)


@_jit("from_logits", "axis", "eps")
def _sparse_categorical_crossentropy(target, output, from_logits, axis, eps):
    if check_sparse_target("sparse_categorical_crossentropy", target.shape, output.shape,
                           axis):
        target = target[..., 0]
    log_prob = _log_probabilities(output, from_logits, axis, eps)
    hot = jax.nn.one_hot(target.astype(jnp.int32), output.shape[axis], axis=axis,
                         dtype=output.dtype)
    return (-jnp.sum(hot * log_prob, axis=axis)).astype(output.dtype)


@_jit("from_logits", "eps")
def _binary_crossentropy(target, output, from_logits, eps):
    check_same_shape("binary_crossentropy", target.shape, output.shape)
    if from_logits:
        out = -target * jax.nn.log_sigmoid(output) - (1 - target) * jax.nn.log_sigmoid(-output)
        return out.astype(output.dtype)
    output = jnp.clip(output, eps, 1 - eps)
    out = -(target * jnp.log(output) + (1 - target) * jnp.log(1 - output))
    return out.astype(output.dtype)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return _categorical_crossentropy(_float(target), _float(output), bool(from_logits), axis,
                                     config.epsilon())


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return _sparse_categorical_crossentropy(_tensor(target), _float(output), bool(from_logits),
                                            axis, config.epsilon())


def binary_crossentropy(target, output, from_logits=False):
    return _binary_crossentropy(_float(target), _float(output), bool(from_logits),
                                config.epsilon())
