"""JAX implementations of the nn K functions: ``jax.nn``, ``jax.lax.conv_general_dilated``
and ``jax.lax.reduce_window``, with the argument checks shared with the other engines
(:mod:`lamina.backend.numpy.nn`)."""

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
    if isinstance(x, (float, int)) and not isinstance(x, bool):
        from lamina.backend.jax.math import convert_to_tensor
        return convert_to_tensor(x)
    return jnp.asarray(x)


def _float(x):
    x = _tensor(x)
    return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(config.floatx())


def _axes(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def relu(x):
    return jax.nn.relu(_tensor(x))


def relu6(x):
    x = _tensor(x)
    return jnp.clip(x, 0, 6).astype(x.dtype)


def elu(x, alpha=1.0):
    return jax.nn.elu(_float(x), alpha)


def selu(x):
    return jax.nn.selu(_float(x))


def gelu(x, approximate=True):
    return jax.nn.gelu(_float(x), approximate=approximate)


def silu(x):
    return jax.nn.silu(_float(x))


def hard_silu(x):
    return jax.nn.hard_silu(_float(x))


def leaky_relu(x, negative_slope=0.2):
    return jax.nn.leaky_relu(_float(x), negative_slope)


def sigmoid(x):
    return jax.nn.sigmoid(_float(x))


def hard_sigmoid(x):
    return jax.nn.hard_sigmoid(_float(x))


def log_sigmoid(x):
    return jax.nn.log_sigmoid(_float(x))


def softplus(x):
    return jax.nn.softplus(_float(x))


def softsign(x):
    return jax.nn.soft_sign(_float(x))


def softmax(x, axis=-1):
    return jax.nn.softmax(_float(x), axis=_axes(axis))


def log_softmax(x, axis=-1):
    return jax.nn.log_softmax(_float(x), axis=_axes(axis))


def one_hot(x, num_classes, axis=-1, dtype=None):
    return jax.nn.one_hot(_tensor(x), num_classes, axis=axis,
                          dtype=jnp.dtype(dtype or config.floatx()))


def multi_hot(inputs, num_classes, axis=-1, dtype=None):
    inputs = _tensor(inputs).astype(jnp.int32)
    encoded = one_hot(inputs, num_classes, axis=axis, dtype=dtype)
    return jnp.max(encoded, axis=1 if inputs.ndim > 1 else 0)


_SPATIAL = ("W", "HW", "DHW")


def _dimension_numbers(n, channels_last, kernel_io="IO"):
    s = _SPATIAL[n - 1]
    layout = f"N{s}C" if channels_last else f"NC{s}"
    return layout, s + kernel_io, layout


def _promote(x, kernel):
    x, kernel = _tensor(x), _tensor(kernel)
    dtype = jnp.result_type(x, kernel)
    if not jnp.issubdtype(dtype, jnp.floating):
        dtype = jnp.dtype(config.floatx())
    return x.astype(dtype), kernel.astype(dtype)


def _conv(fname, inputs, kernel, strides, padding, data_format, dilation_rate, causal=True):
    channels_last, strides, dilation, pads, groups = check_conv(
        fname, inputs.shape, kernel.shape, strides, padding, data_format, dilation_rate,
        causal)
    return jax.lax.conv_general_dilated(
        inputs, kernel, strides, pads, rhs_dilation=dilation,
        dimension_numbers=_dimension_numbers(inputs.ndim - 2, channels_last),
        feature_group_count=groups)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    inputs, kernel = _promote(inputs, kernel)
    return _conv("conv", inputs, kernel, strides, padding, data_format, dilation_rate)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    inputs, kernel = _promote(inputs, kernel)
    kernel = kernel.reshape(check_depthwise("depthwise_conv", inputs.shape, kernel.shape,
                                            data_format))
    return _conv("depthwise_conv", inputs, kernel, strides, padding, data_format,
                 dilation_rate, causal=False)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    hidden = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                            dilation_rate)
    return conv(hidden, pointwise_kernel, 1, "valid", data_format, 1)


def conv_transpose(inputs, kernel, strides, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    inputs, kernel = _promote(inputs, kernel)
    channels_last, strides, dilation, pads = check_conv_transpose(
        "conv_transpose", inputs.shape, kernel.shape, strides, padding, output_padding,
        data_format, dilation_rate)
    n = inputs.ndim - 2
    flipped = jnp.flip(kernel, axis=tuple(range(n)))
    return jax.lax.conv_general_dilated(
        inputs, flipped, (1,) * n, pads, lhs_dilation=strides, rhs_dilation=dilation,
        dimension_numbers=_dimension_numbers(n, channels_last, kernel_io="OI"))


def _full(values, channels_last):
    return (1,) + tuple(values) + (1,) if channels_last else (1, 1) + tuple(values)


def _pool_pads(pads, channels_last):
    return [(0, 0)] + list(pads) + [(0, 0)] if channels_last else [(0, 0), (0, 0)] + list(pads)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    inputs = _tensor(inputs)
    channels_last, pool_size, strides, pads = check_pool(
        "max_pool", inputs.shape, pool_size, strides, padding, data_format)
    init = -jnp.inf if jnp.issubdtype(inputs.dtype, jnp.floating) \
        else jnp.iinfo(inputs.dtype).min
    return jax.lax.reduce_window(inputs, jnp.array(init, inputs.dtype), jax.lax.max,
                                 _full(pool_size, channels_last),
                                 _full(strides, channels_last),
                                 _pool_pads(pads, channels_last))


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    inputs = _float(inputs)
    channels_last, pool_size, strides, pads = check_pool(
        "average_pool", inputs.shape, pool_size, strides, padding, data_format)
    total = jax.lax.reduce_window(inputs, jnp.array(0, inputs.dtype), jax.lax.add,
                                  _full(pool_size, channels_last),
                                  _full(strides, channels_last),
                                  _pool_pads(pads, channels_last))
    spatial = inputs.shape[1:-1] if channels_last else inputs.shape[2:]
    if all(p == (0, 0) for p in pads):
        return total / jnp.array(math.prod(pool_size), inputs.dtype)
    counts = same_pool_counts(spatial, pool_size, strides, pads)
    counts = counts[..., None] if channels_last else counts[None]
    return total / jnp.asarray(counts.astype(np.dtype(inputs.dtype)))


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _float(x)
    shape = batch_norm_shape("batch_normalization", x.ndim, axis, x.shape[axis])
    inv = jax.lax.rsqrt(jnp.reshape(variance, shape).astype(x.dtype) + epsilon)
    if scale is not None:
        inv = inv * jnp.reshape(scale, shape)
    res = -jnp.reshape(mean, shape) * inv
    if offset is not None:
        res = res + jnp.reshape(offset, shape)
    return (x * inv + res).astype(x.dtype)


def moments(x, axes, keepdims=False, synchronized=False):
    x = _float(x)
    xc = x.astype(jnp.float32) if x.dtype == jnp.float16 else x
    axes = _axes(axes)
    mean = jnp.mean(xc, axis=axes, keepdims=True)
    variance = jnp.mean(jnp.square(xc - mean), axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = jnp.squeeze(mean, axis=axes), jnp.squeeze(variance, axis=axes)
    return mean.astype(x.dtype), variance.astype(x.dtype)


def normalize(x, axis=-1, order=2, epsilon=None):
    check_normalize_order(order)
    x = _float(x)
    if x.ndim == 0:
        x = x[None]
    epsilon = config.epsilon() if epsilon is None else epsilon
    axis = _axes(axis)
    if order == 2:
        square_sum = jnp.sum(jnp.square(x), axis=axis, keepdims=True)
        return x * jnp.minimum(jax.lax.rsqrt(square_sum), 1 / epsilon).astype(x.dtype)
    norm = jnp.sum(jnp.abs(x) ** order, axis=axis, keepdims=True) ** (1 / order)
    return (x / jnp.maximum(norm, epsilon)).astype(x.dtype)


def _log_probabilities(output, from_logits, axis):
    if from_logits:
        return jax.nn.log_softmax(output, axis=axis)
    eps = config.epsilon()
    output = output / jnp.sum(output, axis=axis, keepdims=True)
    return jnp.log(jnp.clip(output, eps, 1 - eps))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _float(target), _float(output)
    check_same_shape("categorical_crossentropy", target.shape, output.shape)
    log_prob = _log_probabilities(output, from_logits, axis)
    return (-jnp.sum(target * log_prob, axis=axis)).astype(output.dtype)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _tensor(target), _float(output)
    if check_sparse_target("sparse_categorical_crossentropy", target.shape, output.shape,
                           axis):
        target = target[..., 0]
    log_prob = _log_probabilities(output, from_logits, axis)
    hot = jax.nn.one_hot(target.astype(jnp.int32), output.shape[axis], axis=axis,
                         dtype=output.dtype)
    return (-jnp.sum(hot * log_prob, axis=axis)).astype(output.dtype)


def binary_crossentropy(target, output, from_logits=False):
    target, output = _float(target), _float(output)
    check_same_shape("binary_crossentropy", target.shape, output.shape)
    if from_logits:
        out = -target * jax.nn.log_sigmoid(output) - (1 - target) * jax.nn.log_sigmoid(-output)
        return out.astype(output.dtype)
    eps = config.epsilon()
    output = jnp.clip(output, eps, 1 - eps)
    out = -(target * jnp.log(output) + (1 - target) * jnp.log(1 - output))
    return out.astype(output.dtype)
