"""K's nn functions (lamina/backend/ops/nn.py) against plain-NumPy references.

Convolutions and pooling are checked against direct loops over output positions
(both data formats, every padding, strides, dilation); activations and losses
against their formulas; shapes of symbolic results; errors; gradients of conv and
cross-entropy against finite differences (jax and torch). The engine comes from
``LAMINA_BACKEND``.
"""

import doctest
import itertools
import math

import numpy as np
import pytest

from lamina import backend as K
from lamina.backend.ops import nn as nn_specs

RTOL, ATOL = 1e-5, 1e-5
rng = np.random.default_rng(1234)


def T(x):
    return K.convert_to_tensor(np.asarray(x))


def N(x):
    return K.convert_to_numpy(x)


def close(actual, expected, rtol=RTOL, atol=ATOL, dtype=None):
    actual = N(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert str(actual.dtype) == (dtype or str(expected.dtype)), (actual.dtype, dtype)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def randn(*shape, dtype="float32"):
    return rng.normal(size=shape).astype(dtype)


# -- references ----------------------------------------------------------------
def tf_pads(size, extent, stride, padding):
    """TensorFlow's padding rule, written independently of lamina's."""
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return extent - 1, 0
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + extent - size, 0)
    return total // 2, total - total // 2


def to_last(x, data_format):
    return x if data_format == "channels_last" else np.moveaxis(x, 1, -1)


def from_last(x, data_format):
    return x if data_format == "channels_last" else np.moveaxis(x, -1, 1)


def ref_conv(x, w, strides, padding, dilation, data_format="channels_last"):
    """Direct-loop convolution; ``w`` is (*k, C/groups, O)."""
    x = to_last(x, data_format).astype(np.float64)
    n = x.ndim - 2
    window = w.shape[:n]
    strides = (strides,) * n if isinstance(strides, int) else strides
    dilation = (dilation,) * n if isinstance(dilation, int) else dilation
    extents = [(k - 1) * d + 1 for k, d in zip(window, dilation)]
    pads = [tf_pads(s, e, st, padding) for s, e, st in zip(x.shape[1:-1], extents, strides)]
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    out_sizes = [(xp.shape[1 + i] - extents[i]) // strides[i] + 1 for i in range(n)]
    groups = x.shape[-1] // w.shape[-2]
    cin, cout = w.shape[-2], w.shape[-1] // groups
    out = np.zeros((x.shape[0],) + tuple(out_sizes) + (w.shape[-1],))
    for pos in itertools.product(*[range(o) for o in out_sizes]):
        index = tuple(slice(p * s, p * s + e, d)
                      for p, s, e, d in zip(pos, strides, extents, dilation))
        patch = xp[(slice(None),) + index]  # (N, *k, C)
        for g in range(groups):
            out[(slice(None),) + pos + (slice(g * cout, (g + 1) * cout),)] = np.tensordot(
                patch[..., g * cin:(g + 1) * cin], w[..., g * cout:(g + 1) * cout],
                axes=(list(range(1, n + 2)), list(range(n + 1))))
    return from_last(out, data_format)


def ref_conv_transpose(x, w, strides, padding, output_padding, dilation, data_format):
    """Scatter definition; ``w`` is (*k, O, C). Keras's output sizes and TF's cropping."""
    x = to_last(x, data_format).astype(np.float64)
    n = x.ndim - 2
    window = w.shape[:n]
    extents = [(k - 1) * dilation + 1 for k in window]
    sizes, crops = [], []
    for size, e in zip(x.shape[1:-1], extents):
        if padding == "valid":
            sizes.append((size - 1) * strides + (max(e, strides) if output_padding is None
                                                 else e + output_padding))
            crops.append(0)
        else:
            sizes.append(size * strides)
            crops.append(max(e - strides, 0) // 2)
    full = np.zeros((x.shape[0],) + tuple(max((s - 1) * strides + e, c + o) for s, e, c, o in
                                          zip(x.shape[1:-1], extents, crops, sizes))
                    + (w.shape[-2],))
    for pos in itertools.product(*[range(s) for s in x.shape[1:-1]]):
        for k in itertools.product(*[range(kk) for kk in window]):
            target = tuple(p * strides + kk * dilation for p, kk in zip(pos, k))
            full[(slice(None),) + target] += x[(slice(None),) + pos] @ w[k].T
    out = full[(slice(None),) + tuple(slice(c, c + s) for c, s in zip(crops, sizes))]
    return from_last(out, data_format)


def ref_pool(x, pool, strides, padding, data_format, kind):
    x = to_last(x, data_format).astype(np.float64)
    n = x.ndim - 2
    strides = pool if strides is None else strides
    pads = [tf_pads(s, p, st, padding) for s, p, st in zip(x.shape[1:-1], pool, strides)]
    out_sizes = [(s + a + b - p) // st + 1
                 for s, (a, b), p, st in zip(x.shape[1:-1], pads, pool, strides)]
    out = np.zeros((x.shape[0],) + tuple(out_sizes) + (x.shape[-1],))
    for pos in itertools.product(*[range(o) for o in out_sizes]):
        index = tuple(slice(max(p * s - a, 0), min(p * s - a + k, size))
                      for p, s, (a, _), k, size in zip(pos, strides, pads, pool, x.shape[1:-1]))
        patch = x[(slice(None),) + index].reshape(x.shape[0], -1, x.shape[-1])
        out[(slice(None),) + pos] = patch.max(1) if kind == "max" else patch.mean(1)
    return from_last(out.astype(np.float32), data_format)


# -- activations -----------------------------------------------------------------
def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_erf(x):
    return np.vectorize(math.erf)(x)


ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "gelu": lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))),
    "silu": lambda x: x * np_sigmoid(x),
    "hard_silu": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "sigmoid": np_sigmoid,
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "log_sigmoid": lambda x: np.log(np_sigmoid(x)),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_values_and_dtype(name):
    x = np.concatenate([np.linspace(-8, 8, 33), [-3.0, 0.0, 3.0, 6.0]]).astype("float32")
    expected = ACTIVATIONS[name](x.astype(np.float64)).astype("float32")
    close(getattr(K, name)(T(x)), expected, atol=2e-6)
    close(getattr(K, name)(T(x.astype("float64"))), expected.astype("float64"), atol=2e-6)


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "silu", "elu", "gelu", "softsign"])
def test_activation_of_ints_is_floatx(name):
    y = getattr(K, name)(T(np.array([-2, 0, 3], "int32")))
    expected = ACTIVATIONS[name](np.array([-2.0, 0.0, 3.0]))
    close(y, expected.astype("float32"), atol=2e-6)


def test_relu_keeps_int_dtype():
    close(K.relu(T(np.array([-2, 3], "int32"))), np.array([0, 3], "int32"))


def test_activation_parameters():
    x = np.array([-2.0, -0.5, 0.0, 1.5], "float32")
    close(K.elu(T(x), alpha=0.5), np.where(x > 0, x, 0.5 * np.expm1(x)).astype("float32"))
    close(K.leaky_relu(T(x), negative_slope=0.01), np.where(x >= 0, x, 0.01 * x))
    exact = 0.5 * x * (1 + np_erf(x / np.sqrt(2)))
    close(K.gelu(T(x), approximate=False), exact.astype("float32"))


def test_sigmoid_and_log_sigmoid_are_stable_at_the_extremes():
    x = np.array([-100.0, -30.0, 30.0, 100.0], "float32")
    close(K.sigmoid(T(x)), np_sigmoid(x.astype(np.float64)).astype("float32"), atol=1e-37)
    close(K.log_sigmoid(T(x)), -np.logaddexp(0, -x.astype(np.float64)).astype("float32"))
    close(K.softplus(T(x)), np.logaddexp(0, x.astype(np.float64)).astype("float32"))


@pytest.mark.parametrize("axis", [-1, 0, 1, (0, 2)])
def test_softmax_and_log_softmax(axis):
    x = randn(3, 4, 5) * 5
    x64 = x.astype(np.float64)
    shifted = x64 - x64.max(axis=axis, keepdims=True)
    expected = np.exp(shifted) / np.exp(shifted).sum(axis=axis, keepdims=True)
    close(K.softmax(T(x), axis=axis), expected.astype("float32"))
    close(K.log_softmax(T(x), axis=axis), np.log(expected).astype("float32"), rtol=1e-5,
          atol=2e-5)


def test_softmax_of_large_logits_does_not_overflow():
    y = N(K.softmax(T(np.array([1000.0, 1000.0, -1000.0], "float32"))))
    np.testing.assert_allclose(y, [0.5, 0.5, 0.0])


# -- encodings -------------------------------------------------------------------
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_one_hot(axis):
    x = np.array([[0, 2, 1], [3, 1, -1]], "int32")
    expected = np.moveaxis((x[..., None] == np.arange(4)).astype("float32"), -1, axis)
    close(K.one_hot(T(x), 4, axis=axis), expected)


def test_one_hot_dtype_and_out_of_range():
    y = K.one_hot(T(np.array([1, 5], "int32")), 3, dtype="int32")
    close(y, np.array([[0, 1, 0], [0, 0, 0]], "int32"))


def test_multi_hot():
    close(K.multi_hot(T(np.array([[0, 2], [1, 1]], "int32")), 4),
          np.array([[1, 0, 1, 0], [0, 1, 0, 0]], "float32"))
    close(K.multi_hot(T(np.array([3, 0], "int32")), 4, dtype="int32"),
          np.array([1, 0, 0, 1], "int32"))


# -- convolution -----------------------------------------------------------------
FORMATS = ["channels_last", "channels_first"]


def conv_case(n, data_format, size=7, channels=3):
    shape = (2,) + (size,) * n + (channels,)
    x = randn(*shape)
    return x, (x if data_format == "channels_last" else np.moveaxis(x, -1, 1))


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
@pytest.mark.parametrize("strides,dilation", [(1, 1), (2, 1), (3, 2)])
def test_conv1d(data_format, padding, strides, dilation):
    _, x = conv_case(1, data_format, size=11)
    w = randn(3, 3, 4)
    y = K.conv(T(x), T(w), strides=strides, padding=padding, data_format=data_format,
               dilation_rate=dilation)
    expected = ref_conv(x, w, strides, padding, dilation, data_format)
    close(y, expected.astype("float32"))


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("strides,dilation", [(1, 1), (2, 1), (1, 2), ((2, 1), (1, 2))])
def test_conv2d(data_format, padding, strides, dilation):
    _, x = conv_case(2, data_format)
    w = randn(3, 2, 3, 4)
    y = K.conv(T(x), T(w), strides=strides, padding=padding, data_format=data_format,
               dilation_rate=dilation)
    expected = ref_conv(x, w, strides, padding, dilation, data_format)
    close(y, expected.astype("float32"))


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("strides", [1, 2])
def test_conv3d(data_format, padding, strides):
    _, x = conv_case(3, data_format, size=5, channels=2)
    w = randn(2, 3, 2, 2, 3)
    y = K.conv(T(x), T(w), strides=strides, padding=padding, data_format=data_format)
    close(y, ref_conv(x, w, strides, padding, 1, data_format).astype("float32"))


def test_conv_default_data_format_and_float64():
    x = randn(1, 6, 6, 2, dtype="float64")
    w = randn(3, 3, 2, 2, dtype="float64")
    close(K.conv(T(x), T(w)), ref_conv(x, w, 1, "valid", 1), rtol=1e-10, atol=1e-10)
    K.set_image_data_format("channels_first")
    try:
        xc = np.moveaxis(x, -1, 1)
        close(K.conv(T(xc), T(w)), ref_conv(xc, w, 1, "valid", 1, "channels_first"),
              rtol=1e-10, atol=1e-10)
    finally:
        K.set_image_data_format("channels_last")


@pytest.mark.parametrize("data_format", FORMATS)
def test_grouped_conv(data_format):
    _, x = conv_case(2, data_format, size=6, channels=4)
    w = randn(3, 3, 2, 6)  # 2 groups of 2 input channels -> 3 outputs each
    y = K.conv(T(x), T(w), padding="same", data_format=data_format)
    close(y, ref_conv(x, w, 1, "same", 1, data_format).astype("float32"))


def depthwise_reference(x, w, strides, padding, dilation, data_format):
    grouped = w.reshape(w.shape[:-2] + (1, w.shape[-2] * w.shape[-1]))
    return ref_conv(x, grouped, strides, padding, dilation, data_format)


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("strides,dilation", [(1, 1), (2, 1), (1, 2)])
def test_depthwise_conv(data_format, padding, strides, dilation):
    _, x = conv_case(2, data_format, size=7, channels=3)
    w = randn(3, 2, 3, 2)
    y = K.depthwise_conv(T(x), T(w), strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation)
    expected = depthwise_reference(x, w, strides, padding, dilation, data_format)
    close(y, expected.astype("float32"))
    # output channel c * multiplier + m is input channel c convolved with w[..., c, m]
    last = to_last(expected, data_format)
    single = ref_conv(to_last(x, data_format)[..., 1:2], w[..., 1:2, 0:1], strides, padding,
                      dilation)
    np.testing.assert_allclose(last[..., 2:3], single, rtol=1e-10)


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("n", [1, 2])
def test_separable_conv(data_format, n):
    _, x = conv_case(n, data_format, size=6, channels=2)
    dw = randn(*((3,) * n + (2, 2)))
    pw = randn(*((1,) * n + (4, 5)))
    y = K.separable_conv(T(x), T(dw), T(pw), strides=2, padding="same",
                         data_format=data_format)
    hidden = depthwise_reference(x, dw, 2, "same", 1, data_format)
    close(y, ref_conv(hidden, pw, 1, "valid", 1, data_format).astype("float32"))


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("n,kernel,strides,dilation", [
    (1, 2, 3, 1), (1, 4, 2, 1), (1, 3, 1, 2), (2, 3, 2, 1), (3, 2, 2, 1)])
def test_conv_transpose(data_format, padding, n, kernel, strides, dilation):
    _, x = conv_case(n, data_format, size=4, channels=3)
    w = randn(*((kernel,) * n + (2, 3)))
    y = K.conv_transpose(T(x), T(w), strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation)
    expected = ref_conv_transpose(x, w, strides, padding, None, dilation, data_format)
    close(y, expected.astype("float32"))


@pytest.mark.parametrize("output_padding", [0, 1, 2])
def test_conv_transpose_output_padding(output_padding):
    x = randn(2, 4, 5, 3)
    w = randn(3, 3, 2, 3)
    y = K.conv_transpose(T(x), T(w), 2, padding="valid", output_padding=output_padding)
    expected = ref_conv_transpose(x, w, 2, "valid", output_padding, 1, "channels_last")
    close(y, expected.astype("float32"))
    # "same": (n - 1) * stride + kernel % 2 + output_padding, as Keras
    y = K.conv_transpose(T(x), T(w), 2, padding="same", output_padding=output_padding)
    assert N(y).shape == (2, 7 + output_padding, 9 + output_padding, 2)


def test_conv_transpose_is_the_gradient_of_conv():
    if K.backend() == "numpy":
        pytest.skip("the numpy engine has no automatic differentiation")
    x = randn(1, 8, 8, 2, dtype="float64")
    w = randn(3, 3, 2, 4, dtype="float64")
    cotangent = randn(1, 4, 4, 4, dtype="float64")

    def f(x):
        return K.sum(K.conv(x, T(w), strides=2, padding="same") * T(cotangent))

    grad = K.grad(f)(T(x))
    transposed = K.conv_transpose(T(cotangent), T(w), 2, padding="same")
    close(transposed, N(grad), rtol=1e-10, atol=1e-10)


# -- pooling ---------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("n,pool,strides", [(1, (2,), (1,)), (2, (2, 3), None),
                                            (2, (3, 3), (2, 2)), (3, (2, 2, 2), None)])
def test_pooling(kind, data_format, padding, n, pool, strides):
    _, x = conv_case(n, data_format, size=5 if n < 3 else 4, channels=2)
    fn = K.max_pool if kind == "max" else K.average_pool
    y = fn(T(x), pool, strides=strides, padding=padding, data_format=data_format)
    close(y, ref_pool(x, pool, strides, padding, data_format, kind))


def test_pooling_int_arguments():
    x = randn(1, 6, 6, 1)
    close(K.max_pool(T(x), 2), ref_pool(x, (2, 2), None, "valid", "channels_last", "max"))
    close(K.average_pool(T(x), 3, 2, "same"),
          ref_pool(x, (3, 3), (2, 2), "same", "channels_last", "average"))


# -- normalization ---------------------------------------------------------------
@pytest.mark.parametrize("axis", [-1, 1])
def test_batch_normalization(axis):
    x = randn(4, 3, 5)
    size = x.shape[axis]
    mean, variance = randn(size), np.abs(randn(size)) + 0.1
    offset, scale = randn(size), randn(size)
    shape = [1, 1, 1]
    shape[axis] = size
    expected = ((x - mean.reshape(shape)) / np.sqrt(variance.reshape(shape) + 1e-3)
                * scale.reshape(shape) + offset.reshape(shape))
    y = K.batch_normalization(T(x), T(mean), T(variance), axis=axis, offset=T(offset),
                              scale=T(scale))
    close(y, expected.astype("float32"), atol=5e-5)
    y = K.batch_normalization(T(x), T(mean), T(variance), axis=axis, epsilon=0.5)
    expected = (x - mean.reshape(shape)) / np.sqrt(variance.reshape(shape) + 0.5)
    close(y, expected.astype("float32"), atol=5e-5)


@pytest.mark.parametrize("axes,keepdims", [([0], False), ([0, 2], True), ((1,), False)])
def test_moments(axes, keepdims):
    x = randn(4, 3, 5) * 3 + 1
    mean, variance = K.moments(T(x), axes, keepdims=keepdims)
    close(mean, x.mean(axis=tuple(axes), keepdims=keepdims), atol=2e-5)
    close(variance, x.astype(np.float64).var(axis=tuple(axes), keepdims=keepdims)
          .astype("float32"), atol=5e-5)


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("axis", [-1, 0])
def test_normalize(order, axis):
    x = randn(3, 4)
    norm = np.sum(np.abs(x.astype(np.float64)) ** order, axis=axis, keepdims=True) ** (1 / order)
    close(K.normalize(T(x), axis=axis, order=order), (x / norm).astype("float32"))


def test_normalize_of_zeros_is_zero():
    close(K.normalize(T(np.zeros((2, 3), "float32"))), np.zeros((2, 3), "float32"))


# -- losses ----------------------------------------------------------------------
EPS = 1e-7


def probabilities(*shape, axis=-1):
    p = np.exp(randn(*shape))
    return (p / p.sum(axis=axis, keepdims=True)).astype("float32")


@pytest.mark.parametrize("axis", [-1, 1])
def test_categorical_crossentropy(axis):
    target = probabilities(4, 3, 5, axis=axis)
    output = probabilities(4, 3, 5, axis=axis) * 3  # rescaled to sum to 1 by the loss
    p = np.clip(output / output.sum(axis=axis, keepdims=True), EPS, 1 - EPS)
    expected = -(target * np.log(p)).sum(axis=axis)
    close(K.categorical_crossentropy(T(target), T(output), axis=axis),
          expected.astype("float32"))
    logits = randn(4, 3, 5)
    log_p = logits - np.log(np.exp(logits).sum(axis=axis, keepdims=True))
    close(K.categorical_crossentropy(T(target), T(logits), from_logits=True, axis=axis),
          (-(target * log_p).sum(axis=axis)).astype("float32"))


def test_categorical_crossentropy_clips_probabilities():
    target = np.array([[0.0, 1.0]], "float32")
    output = np.array([[1.0, 0.0]], "float32")
    close(K.categorical_crossentropy(T(target), T(output)),
          np.array([-np.log(np.float32(EPS))], "float32"), rtol=1e-4)


@pytest.mark.parametrize("trailing_one", [False, True])
def test_sparse_categorical_crossentropy(trailing_one):
    labels = np.array([0, 2, 1, 2], "int32")
    output = probabilities(4, 3)
    expected = -np.log(np.clip(output[np.arange(4), labels], EPS, 1 - EPS))
    target = labels[:, None] if trailing_one else labels
    close(K.sparse_categorical_crossentropy(T(target), T(output)),
          expected.astype("float32"))
    logits = randn(4, 3)
    log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    close(K.sparse_categorical_crossentropy(T(target), T(logits), from_logits=True),
          -log_p[np.arange(4), labels])


def test_sparse_categorical_crossentropy_axis():
    labels = np.array([[0, 2], [1, 1]], "int32")
    logits = randn(2, 3, 2)
    log_p = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = -np.take_along_axis(log_p, labels[:, None, :], axis=1)[:, 0]
    close(K.sparse_categorical_crossentropy(T(labels), T(logits), from_logits=True, axis=1),
          expected)


def test_binary_crossentropy():
    target = (rng.random((3, 4)) > 0.5).astype("float32")
    output = rng.random((3, 4)).astype("float32")
    output[0, 0], output[0, 1] = 0.0, 1.0
    p = np.clip(output, np.float32(EPS), np.float32(1 - EPS)).astype(np.float64)  # as Keras
    expected = -(target * np.log(p) + (1 - target) * np.log(1 - p))
    close(K.binary_crossentropy(T(target), T(output)), expected.astype("float32"), rtol=2e-5)
    logits = randn(3, 4) * 4
    p = np_sigmoid(logits.astype(np.float64))
    expected = -(target * np.log(p) + (1 - target) * np.log(1 - p))
    close(K.binary_crossentropy(T(target), T(logits), from_logits=True),
          expected.astype("float32"))


# -- symbolic shape inference ----------------------------------------------------
def test_symbolic_shapes():
    w = T(randn(3, 3, 3, 8))
    x = K.Input((16, 16, 3))
    assert K.conv(x, w).shape == (None, 14, 14, 8)
    assert K.conv(x, w, strides=2, padding="same").shape == (None, 8, 8, 8)
    assert K.conv(K.Input((None, 3)), T(randn(3, 3, 4)), padding="causal").shape == \
        (None, None, 4)
    assert K.depthwise_conv(x, T(randn(3, 3, 3, 2))).shape == (None, 14, 14, 6)
    assert K.conv_transpose(x, T(randn(3, 3, 5, 3)), 2, padding="same").shape == \
        (None, 32, 32, 5)
    assert K.max_pool(x, 2).shape == (None, 8, 8, 3)
    assert K.average_pool(x, 3, 2, padding="same").shape == (None, 8, 8, 3)
    assert K.softmax(x).shape == (None, 16, 16, 3)
    assert K.one_hot(K.Input((5,), dtype="int32"), 10).shape == (None, 5, 10)
    logits, labels = K.Input((10,)), K.Input((), dtype="int32")
    assert K.sparse_categorical_crossentropy(labels, logits, from_logits=True).shape == (None,)
    assert K.categorical_crossentropy(logits, logits).shape == (None,)
    mean, variance = K.moments(x, axes=[0, 1, 2])
    assert mean.shape == (3,) and variance.shape == (3,) and mean.dtype == "float32"
    bn = K.batch_normalization(x, T(np.zeros(3, "float32")), T(np.ones(3, "float32")), -1)
    assert bn.shape == (None, 16, 16, 3) and bn.dtype == "float32"


# -- errors ----------------------------------------------------------------------
def test_error_wrong_rank():
    with pytest.raises(ValueError, match=r"conv: expected inputs of rank 3, 4 or 5.*rank 2"):
        K.conv(T(randn(4, 3)), T(randn(3, 3, 2)))
    with pytest.raises(ValueError, match=r"max_pool: expected inputs of rank 3, 4 or 5"):
        K.max_pool(T(randn(2, 3, 4, 5, 6, 7)), 2)


def test_error_kernel_larger_than_input():
    with pytest.raises(ValueError, match=r"conv: the kernel .* is larger than the padded input"):
        K.conv(T(randn(1, 4, 2)), T(randn(5, 2, 3)))
    with pytest.raises(ValueError, match=r"conv: the kernel .* larger"):
        K.conv(T(randn(1, 4, 2)), T(randn(3, 2, 3)), dilation_rate=2)
    with pytest.raises(ValueError, match=r"average_pool: the pool window .* larger"):
        K.average_pool(T(randn(1, 2, 2, 1)), 3)


def test_error_unknown_padding_and_data_format():
    with pytest.raises(ValueError, match=r"conv: expected padding 'valid' or 'same'.*'full'"):
        K.conv(T(randn(1, 4, 4, 2)), T(randn(3, 3, 2, 3)), padding="full")
    with pytest.raises(ValueError, match=r"conv: expected padding .*'causal'"):
        K.conv(T(randn(1, 4, 4, 2)), T(randn(3, 3, 2, 3)), padding="causal")
    with pytest.raises(ValueError, match=r"max_pool: expected data_format .*'NHWC'"):
        K.max_pool(T(randn(1, 4, 4, 2)), 2, data_format="NHWC")


def test_error_channel_mismatch():
    with pytest.raises(ValueError, match=r"conv: the inputs have 3 channels"):
        K.conv(T(randn(1, 5, 5, 3)), T(randn(3, 3, 2, 4)))
    with pytest.raises(ValueError, match=r"depthwise_conv: expected a kernel of rank 4"):
        K.depthwise_conv(T(randn(1, 5, 5, 3)), T(randn(3, 3, 2, 4)))


def test_error_loss_shapes():
    with pytest.raises(ValueError, match=r"categorical_crossentropy: expected target and "
                                         r"output of the same shape"):
        K.categorical_crossentropy(T(randn(2, 3)), T(randn(2, 4)))
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: expected target "
                                         r"of shape \(2,\)"):
        K.sparse_categorical_crossentropy(T(np.zeros(3, "int32")), T(randn(2, 4)))


def test_error_at_graph_building_time():
    with pytest.raises(ValueError, match=r"conv: expected inputs of rank 3, 4 or 5"):
        K.conv(K.Input((5,)), T(randn(3, 5, 2)))


# -- gradients -------------------------------------------------------------------
def finite_difference(f, x, h=1e-6, count=None):
    """Central differences of the scalar ``f`` at ``x``: every element, or ``count``
    random elements (NaN elsewhere, which the comparison below skips)."""
    grad = np.full_like(x, np.nan)
    indices = list(np.ndindex(*x.shape))
    if count is not None:
        indices = [indices[i] for i in rng.choice(len(indices), count, replace=False)]
    for i in indices:
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (f(up) - f(down)) / (2 * h)
    return grad


def assert_matches_numeric(analytic, numeric):
    checked = ~np.isnan(numeric)
    assert checked.any()
    np.testing.assert_allclose(N(analytic)[checked], numeric[checked], rtol=1e-6, atol=1e-8)


needs_autodiff = pytest.mark.skipif(K.backend() == "numpy",
                                    reason="the numpy engine has no automatic differentiation")


@needs_autodiff
@pytest.mark.parametrize("padding,strides", [("valid", 1), ("same", 2)])
def test_conv_gradients_match_finite_differences(padding, strides):
    x = randn(1, 5, 5, 2, dtype="float64")
    w = randn(3, 3, 2, 2, dtype="float64")
    r = randn(*ref_conv(x, w, strides, padding, 1).shape, dtype="float64")

    def loss(x, w):
        return K.sum(K.conv(x, w, strides=strides, padding=padding) * T(r))

    gx, gw = K.grad(loss, argnums=(0, 1))(T(x), T(w))
    numeric = lambda xv, wv: float(N(loss(T(xv), T(wv))))  # noqa: E731
    assert_matches_numeric(gw, finite_difference(lambda v: numeric(x, v), w, count=12))
    assert_matches_numeric(gx, finite_difference(lambda v: numeric(v, w), x, count=12))


@needs_autodiff
@pytest.mark.parametrize("sparse", [False, True])
def test_softmax_crossentropy_gradient(sparse):
    logits = randn(3, 4, dtype="float64")
    labels = np.array([0, 3, 1], "int32")
    onehot = np.eye(4)[labels]

    def loss(z):
        if sparse:
            return K.sum(K.sparse_categorical_crossentropy(T(labels), z, from_logits=True))
        return K.sum(K.categorical_crossentropy(T(onehot), z, from_logits=True))

    g = N(K.grad(loss)(T(logits)))
    e = np.exp(logits - logits.max(-1, keepdims=True))
    np.testing.assert_allclose(g, e / e.sum(-1, keepdims=True) - onehot, rtol=1e-8,
                               atol=1e-10)
    assert_matches_numeric(g, finite_difference(lambda v: float(N(loss(T(v)))), logits))


# -- the specifications' examples ------------------------------------------------
SPEC_NAMES = sorted(name for name, fn in vars(nn_specs).items()
                    if hasattr(fn, "_lamina_op") and name != "dropout")


def test_every_spec_has_an_implementation():
    missing = [n for n in SPEC_NAMES if not hasattr(K.engine, n)]
    assert not missing, f"no {K.backend()} implementation of {missing}"


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_docstring_example(name):
    doc = getattr(K, name).__doc__
    test = doctest.DocTestParser().get_doctest(doc, {}, name, None, 0)
    assert test.examples, f"{name} has no example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    result = runner.run(test, out=lambda s: None)
    assert result.failed == 0, f"the example of {name} fails on {K.backend()}"
