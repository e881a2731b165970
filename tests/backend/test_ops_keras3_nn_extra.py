"""Keras 3's attention, normalization, block-rearrangement and PSNR functions
(ops/nn_extra.py) and ``random.beta`` / ``random.gamma`` against NumPy references, on the
engine chosen by ``LAMINA_BACKEND``; and one symbolic-shape check per group."""

import numpy as np
import pytest

from lamina import Input
from lamina import backend as K
from lamina import ops as O
from lamina import random

RNG = np.random.default_rng(0)


def T(x):
    return K.convert_to_tensor(x)


def check(result, expected, dtype="float32", rtol=1e-4, atol=1e-5):
    np.testing.assert_allclose(K.convert_to_numpy(result), expected, rtol=rtol, atol=atol)
    assert K.standardize_dtype(result.dtype) == dtype


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _attention(q, k, v, bias=None, mask=None, causal=False, scale=None, cap=None):
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    logits = np.einsum("btnh,bsnh->bnts", q, k) * scale
    if cap is not None:
        logits = np.tanh(logits / cap) * cap
    if bias is not None:
        logits = logits + bias
    keep = np.ones(logits.shape, bool) if mask is None else np.broadcast_to(mask, logits.shape)
    if causal:
        keep = keep & np.tril(np.ones(logits.shape[-2:], bool))
    logits = np.where(keep, logits, -1e9)
    return np.einsum("bnts,bsnh->btnh", _softmax(logits), v)


def test_dot_product_attention_matches_the_formula():
    q, k, v = (RNG.normal(size=(2, 3, 2, 4)).astype("float32") for _ in range(3))
    check(O.dot_product_attention(T(q), T(k), T(v)), _attention(q, k, v))
    check(O.nn.dot_product_attention(T(q), T(k), T(v), is_causal=True),
          _attention(q, k, v, causal=True))
    bias = RNG.normal(size=(1, 2, 3, 3)).astype("float32")
    mask = RNG.random((2, 1, 3, 3)) > 0.3
    mask[..., 0] = True
    check(O.dot_product_attention(T(q), T(k), T(v), bias=T(bias), mask=T(mask), scale=0.5),
          _attention(q, k, v, bias=bias, mask=mask, scale=0.5))
    grouped_k, grouped_v = k[:, :, :1], v[:, :, :1]
    check(O.dot_product_attention(T(q), T(grouped_k), T(grouped_v)),
          _attention(q, np.repeat(grouped_k, 2, 2), np.repeat(grouped_v, 2, 2)))
    check(O.dot_product_attention(T(q), T(k), T(v), attn_logits_soft_cap=0.3),
          _attention(q, k, v, cap=0.3))
    with pytest.raises(ValueError, match="heads"):
        O.dot_product_attention(T(q), T(k[:, :, :1].repeat(3, 2)), T(v))


def test_normalizations_and_psnr():
    x = RNG.normal(size=(2, 3, 4)).astype("float32")
    gamma, beta = np.float32([1.0, 2.0, 0.5, -1.0]), np.float32([0.0, 0.1, 0.2, 0.3])
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    check(O.layer_normalization(T(x), T(gamma), T(beta), epsilon=1e-5),
          (x - mean) / np.sqrt(var + 1e-5) * gamma + beta)
    both = (x - x.mean((1, 2), keepdims=True)) / np.sqrt(x.var((1, 2), keepdims=True) + 1e-7)
    check(O.layer_normalization(T(x), axis=(1, 2)), both)
    check(O.rms_normalization(T(x), T(gamma)),
          x / np.sqrt(np.mean(x ** 2, -1, keepdims=True) + 1e-7) * gamma)
    y = x + 0.1
    check(O.psnr(T(x), T(y), 2.0), 20 * np.log10(2.0) - 10 * np.log10(np.mean((x - y) ** 2)))
    with pytest.raises(ValueError, match="psnr: x1 and x2 must have the same shape"):
        O.psnr(T(x), T(x[0]), 1.0)
    check(O.swish(T(x)), x / (1 + np.exp(-x)))
    check(O.hard_swish(T(x)), x * np.clip(x + 3, 0, 6) / 6)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_depth_to_space_and_back(data_format):
    x = np.arange(2 * 2 * 3 * 8, dtype="float32").reshape(2, 2, 3, 8)
    if data_format == "channels_first":
        x = x.transpose(0, 3, 1, 2)
    deep = O.depth_to_space(T(x), 2, data_format=data_format)
    channels_last = x if data_format == "channels_last" else x.transpose(0, 2, 3, 1)
    b, h, w, c = channels_last.shape
    expected = channels_last.reshape(b, h, w, 2, 2, c // 4).transpose(0, 1, 3, 2, 4, 5)
    expected = expected.reshape(b, h * 2, w * 2, c // 4)
    if data_format == "channels_first":
        expected = expected.transpose(0, 3, 1, 2)
    check(deep, expected)
    check(O.space_to_depth(deep, 2, data_format=data_format), x)
    with pytest.raises(ValueError, match="divisible by block_size"):
        O.depth_to_space(T(x), 3, data_format=data_format)


@pytest.mark.parametrize("draw", ["gamma", "beta"])
def test_gamma_and_beta_samples_have_the_right_moments(draw):
    if draw == "gamma":
        samples = random.gamma((4000,), 3.0, seed=1)
        mean, var = 3.0, 3.0
    else:
        samples = random.beta((4000,), 2.0, 5.0, seed=1)
        mean, var = 2 / 7, 10 / (49 * 8)
    values = K.convert_to_numpy(samples)
    assert K.standardize_dtype(samples.dtype) == "float32"
    assert abs(values.mean() - mean) < 0.05 * mean + 0.01
    assert abs(values.var() - var) < 0.15 * var
    def seeded():
        return K.convert_to_numpy(random.gamma((5,), 3.0, seed=2) if draw == "gamma"
                                  else random.beta((5,), 2.0, 5.0, seed=2))
    np.testing.assert_array_equal(seeded(), seeded())


def test_symbolic_shapes():
    q = Input((5, 2, 4))
    assert O.dot_product_attention(q, q, q, is_causal=True).shape == (None, 5, 2, 4)
    assert O.layer_normalization(q).shape == (None, 5, 2, 4)
    assert O.rms_normalization(q, axis=1).shape == (None, 5, 2, 4)
    image = Input((None, 6, 8))
    assert O.depth_to_space(image, 2).shape == (None, None, 12, 2)
    assert O.space_to_depth(Input((4, 6, 3)), 2).shape == (None, 2, 3, 12)
    assert random.gamma((3,), 2.0).shape == (3,)


def _adaptive_reference(x, sizes, reduce):
    """A loop over output cells of channels-last ``x`` (batch, *spatial, channels)."""
    spatial = x.shape[1:-1]
    out = np.zeros((x.shape[0],) + tuple(sizes) + (x.shape[-1],), x.dtype)
    for cell in np.ndindex(*sizes):
        window = tuple(slice(i * n // s, -(-(i + 1) * n // s))
                       for i, n, s in zip(cell, spatial, sizes))
        out[(slice(None),) + cell] = reduce(x[(slice(None),) + window],
                                            axis=tuple(range(1, len(sizes) + 1)))
    return out


@pytest.mark.parametrize("name,reduce", [("adaptive_average_pool", np.mean),
                                         ("adaptive_max_pool", np.max)])
def test_adaptive_pooling_matches_a_loop(name, reduce):
    x = RNG.normal(size=(2, 7, 5, 3)).astype("float32")
    check(getattr(O, name)(T(x), (3, 2)), _adaptive_reference(x, (3, 2), reduce))
    first = getattr(O.nn, name)(T(x.transpose(0, 3, 1, 2)), 4, data_format="channels_first")
    check(first, _adaptive_reference(x, (4, 4), reduce).transpose(0, 3, 1, 2))
    seq = RNG.normal(size=(1, 9, 2)).astype("float32")
    check(getattr(O, name)(T(seq), 4), _adaptive_reference(seq, (4,), reduce))
    assert getattr(O, name)(Input((8, 8, 3)), 2).shape == (None, 2, 2, 3)
    with pytest.raises(ValueError, match=f"{name}: output_size must be"):
        getattr(O, name)(T(x), (3, 2, 1))


def _unfold_reference(x, kernel, stride, padding, dilation):
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    x = np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
    rows = (x.shape[2] - dh * (kh - 1) - 1) // sh + 1
    cols = (x.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((x.shape[0], x.shape[1], kh, kw, rows, cols), x.dtype)
    for i, j, r, c in np.ndindex(kh, kw, rows, cols):
        out[:, :, i, j, r, c] = x[:, :, r * sh + i * dh, c * sw + j * dw]
    return out.reshape(x.shape[0], -1, rows * cols)


def _fold_reference(cols, size, kernel, stride, padding, dilation):
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    height, width = size[0] + 2 * ph, size[1] + 2 * pw
    rows = (height - dh * (kh - 1) - 1) // sh + 1
    count = (width - dw * (kw - 1) - 1) // sw + 1
    cols = cols.reshape(cols.shape[0], -1, kh, kw, rows, count)
    out = np.zeros((cols.shape[0], cols.shape[1], height, width), cols.dtype)
    for i, j, r, c in np.ndindex(kh, kw, rows, count):
        out[:, :, r * sh + i * dh, c * sw + j * dw] += cols[:, :, i, j, r, c]
    return out[:, :, ph:ph + size[0], pw:pw + size[1]]


@pytest.mark.parametrize("kernel,stride,padding,dilation", [
    ((2, 2), (1, 1), (0, 0), (1, 1)), ((2, 3), (2, 2), (1, 1), (1, 1)),
    ((3, 3), (1, 1), (1, 0), (2, 2))])
def test_unfold_and_fold_match_loops(kernel, stride, padding, dilation):
    x = RNG.normal(size=(2, 3, 5, 6)).astype("float32")
    kwargs = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation)
    patches = O.unfold(T(x), **kwargs)
    expected = _unfold_reference(x, kernel, stride, padding, dilation)
    check(patches, expected)
    check(O.fold(patches, (5, 6), **kwargs),
          _fold_reference(expected, (5, 6), kernel, stride, padding, dilation))


def test_unfold_and_fold_shapes_and_errors():
    assert O.unfold(Input((3, 5, 6)), 2).shape == (None, 12, 20)
    assert O.nn.fold(Input((12, 20)), (5, 6), 2).shape == (None, 3, 5, 6)
    with pytest.raises(ValueError, match=r"fold: x must have shape \(N, C \* 4, 20\)"):
        O.fold(T(np.zeros((1, 12, 7), "float32")), (5, 6), 2)
    with pytest.raises(ValueError, match="unfold: no patch of kernel_size 9"):
        O.unfold(T(np.zeros((1, 1, 4, 4), "float32")), 9)
