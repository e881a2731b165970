"""Neural-network K functions of Keras 3 beyond the activations and convolutions:
attention, normalizations, block rearrangements, adaptive pooling, ``unfold``/``fold``
(im2col and back), PSNR.

``depth_to_space`` and ``space_to_depth`` are specifications (see
:mod:`lamina.backend.dispatch`); the others are written from other K functions, so
they run the same way on every engine and on symbolic tensors.

>>> from lamina import backend as K
>>> K.int_shape(K.depth_to_space(K.zeros((1, 2, 2, 8)), 2))
(1, 4, 4, 2)
"""

import math as _pymath

import numpy as _np

from lamina.backend import config as _config
from lamina.backend.dispatch import op as _op
from lamina.backend.ops import arrays as _arrays
from lamina.backend.ops import core as _core
from lamina.backend.ops import math as _math
from lamina.backend.ops import nn as _nn


def _static_shape(x):
    """The shape of ``x`` as a tuple, None for an unknown (symbolic) length."""
    return tuple(x.shape)


@_op
def depth_to_space(x, block_size, data_format="channels_last"):
    """Rearrange the channels of the 4-D ``x`` into ``block_size`` x ``block_size``
    spatial blocks: (b, h, w, c * s * s) becomes (b, h * s, w * s, c).

    >>> from lamina import backend as K
    >>> K.int_shape(K.depth_to_space(K.zeros((1, 2, 2, 8)), 2))
    (1, 4, 4, 2)
    """


@_op
def space_to_depth(x, block_size, data_format="channels_last"):
    """Inverse of ``depth_to_space``: (b, h * s, w * s, c) becomes (b, h, w, c * s * s).

    >>> from lamina import backend as K
    >>> K.int_shape(K.space_to_depth(K.zeros((1, 4, 4, 2)), 2))
    (1, 2, 2, 8)
    """


def swish(x):
    """``x * sigmoid(x)`` (the same as ``silu``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.swish([0.0])).tolist()
    [0.0]
    """
    return _nn.silu(x)


def hard_swish(x):
    """``x * relu6(x + 3) / 6`` (the same as ``hard_silu``).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.hard_swish([3.0])).tolist()
    [3.0]
    """
    return _nn.hard_silu(x)


def _tensor(x):
    return _core.convert_to_tensor(x) if isinstance(x, (list, int, float)) else x


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """``x`` normalized to zero mean and unit variance over ``axis`` (per example), then
    scaled by ``gamma`` and shifted by ``beta``. ``epsilon`` defaults to ``K.epsilon()``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.layer_normalization([1.0, 3.0])).tolist()]
    [-1.0, 1.0]
    """
    if kwargs:
        raise TypeError(f"layer_normalization: unexpected arguments {sorted(kwargs)}.")
    x = _tensor(x)
    epsilon = _config.epsilon() if epsilon is None else epsilon
    mean, variance = _nn.moments(x, axes=axis if isinstance(axis, (list, tuple)) else [axis],
                                 keepdims=True)
    out = _math.multiply(_math.subtract(x, mean), _math.rsqrt(_math.add(variance, epsilon)))
    if gamma is not None:
        out = _math.multiply(out, gamma)
    if beta is not None:
        out = _math.add(out, beta)
    return out


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """``x * rsqrt(mean(x**2 over axis) + epsilon) * scale`` (``epsilon`` defaults to
    ``K.epsilon()``).

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.rms_normalization([3.0, 4.0])).tolist()]
    [0.8485, 1.1314]
    """
    x = _tensor(x)
    epsilon = _config.epsilon() if epsilon is None else epsilon
    mean_square = _math.mean(_math.square(x), axis=axis, keepdims=True)
    out = _math.multiply(x, _math.rsqrt(_math.add(mean_square, epsilon)))
    return out if scale is None else _math.multiply(out, scale)


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio in dB: ``20 log10(max_val) - 10 log10(mse(x1, x2))``.

    >>> from lamina import backend as K
    >>> round(float(K.psnr([0.0, 1.0], [0.0, 0.9], 1.0)), 2)
    23.01
    """
    x1, x2 = _tensor(x1), _tensor(x2)
    if _static_shape(x1) != _static_shape(x2):
        raise ValueError(f"psnr: x1 and x2 must have the same shape; received "
                         f"{_static_shape(x1)} and {_static_shape(x2)}.")
    mse = _math.mean(_math.square(_math.subtract(x1, x2)))
    return _math.subtract(20.0 * _pymath.log10(max_val),
                          _math.multiply(10.0 / _pymath.log(10.0), _math.log(mse)))


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None,
                          is_causal=False, flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention over inputs of shape (batch, length, heads, head_dim):
    ``softmax(query . key * scale + bias)`` applied to ``value``. ``scale`` defaults to
    ``1 / sqrt(head_dim)``; ``mask`` (bool, True = attend) and ``is_causal`` hide keys;
    key and value may have fewer heads than the query (grouped-query attention).
    ``flash_attention`` is accepted for Keras compatibility and changes nothing.

    >>> from lamina import backend as K
    >>> q = K.ones((1, 3, 2, 4))
    >>> K.int_shape(K.dot_product_attention(q, q, q, is_causal=True))
    (1, 3, 2, 4)
    """
    query, key, value = _tensor(query), _tensor(key), _tensor(value)
    if _core.ndim(query) not in (3, 4) or _core.ndim(key) != _core.ndim(query):
        raise ValueError(f"dot_product_attention: query, key and value must all be 3-D or "
                         f"4-D (batch, length, heads, head_dim); received shapes "
                         f"{_static_shape(query)}, {_static_shape(key)}, {_static_shape(value)}.")
    heads, kv_heads = _static_shape(query)[-2], _static_shape(key)[-2]
    if heads != kv_heads:
        if heads is None or kv_heads is None or heads % kv_heads:
            raise ValueError(f"dot_product_attention: the query's heads ({heads}) must be a "
                             f"multiple of the key's ({kv_heads}).")
        key = _arrays.repeat(key, heads // kv_heads, axis=-2)
        value = _arrays.repeat(value, heads // kv_heads, axis=-2)
    if scale is None:
        scale = 1.0 / _pymath.sqrt(_static_shape(query)[-1])
    logits = _math.multiply(_math.einsum("...tnh,...snh->...nts", query, key), scale)
    if attn_logits_soft_cap is not None:
        logits = _math.multiply(_math.tanh(_math.divide(logits, attn_logits_soft_cap)),
                                attn_logits_soft_cap)
    if bias is not None:
        logits = _math.add(logits, bias)
    keep = None if mask is None else _core.cast(mask, "bool")
    if is_causal:
        ones = _arrays.ones_like(logits, dtype="int32")
        causal = _math.less_equal(_math.cumsum(ones, axis=-1), _math.cumsum(ones, axis=-2))
        keep = causal if keep is None else _math.logical_and(keep, causal)
    if keep is not None:
        logits = _math.where(keep, logits, _arrays.full_like(logits, -1e9 if _core.dtype(
            logits) != "float16" else -6e4))
    weights = _nn.softmax(logits, axis=-1)
    return _math.einsum("...nts,...snh->...tnh", weights, value)


def _adaptive_axes(name, x, output_size, data_format):
    """The spatial axes of ``x``, their lengths and the output sizes, checked."""
    data_format = _config.standardize_data_format(data_format)
    rank = _core.ndim(x) - 2
    if rank < 1:
        raise ValueError(f"{name}: inputs must have a batch, spatial and channel axes; "
                         f"received shape {_static_shape(x)}.")
    sizes = (output_size,) * rank if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != rank or not all(isinstance(s, int) and s > 0 for s in sizes):
        raise ValueError(f"{name}: output_size must be a positive int or {rank} of them for "
                         f"inputs of shape {_static_shape(x)}; received {output_size!r}.")
    axes = range(1, rank + 1) if data_format == "channels_last" else range(2, rank + 2)
    lengths = [_static_shape(x)[a] for a in axes]
    if None in lengths:
        raise ValueError(f"{name}: the spatial axes must have known lengths; received shape "
                         f"{_static_shape(x)}.")
    return list(zip(axes, lengths, sizes))


def _bins(length, size):
    """PyTorch's and Keras's adaptive bins: [floor(i L / n), ceil((i + 1) L / n))."""
    return [(i * length // size, -(-(i + 1) * length // size)) for i in range(size)]


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed spatial ``output_size`` (an int or one per spatial
    axis), whatever the input's size: output cell ``i`` averages the inputs from
    ``floor(i * L / n)`` to ``ceil((i + 1) * L / n)``.

    >>> from lamina import backend as K
    >>> x = K.reshape(K.arange(7, dtype="float32"), (1, 7, 1))
    >>> K.convert_to_numpy(K.adaptive_average_pool(x, 3))[0, :, 0].tolist()
    [1.0, 3.0, 5.0]
    """
    x = _tensor(inputs)
    for axis, length, size in _adaptive_axes("adaptive_average_pool", x, output_size,
                                             data_format):
        weights = _np.zeros((length, size))
        for i, (start, end) in enumerate(_bins(length, size)):
            weights[start:end, i] = 1.0 / (end - start)
        moved = _arrays.moveaxis(x, axis, -1)
        pooled = _math.matmul(moved, _core.convert_to_tensor(weights, _core.dtype(x)))
        x = _arrays.moveaxis(pooled, -1, axis)
    return x


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed spatial ``output_size`` (an int or one per spatial axis),
    with the bins of ``adaptive_average_pool``.

    >>> from lamina import backend as K
    >>> x = K.reshape(K.arange(7, dtype="float32"), (1, 7, 1))
    >>> K.convert_to_numpy(K.adaptive_max_pool(x, 3))[0, :, 0].tolist()
    [2.0, 4.0, 6.0]
    """
    x = _tensor(inputs)
    for axis, length, size in _adaptive_axes("adaptive_max_pool", x, output_size, data_format):
        moved = _arrays.moveaxis(x, axis, -1)
        parts = [_math.max(moved[..., start:end], axis=-1, keepdims=True)
                 for start, end in _bins(length, size)]
        x = _arrays.moveaxis(_arrays.concatenate(parts, axis=-1), -1, axis)
    return x


def _pair(name, argument, value):
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and v >= 0 for v in pair):
        raise ValueError(f"{name}: {argument} must be an int or 2 ints; received {value!r}.")
    return pair


def _patch_grid(name, height, width, kernel_size, dilation, padding, stride):
    """The patch positions of ``unfold``/``fold``: for each kernel offset and each patch,
    the flat index into the padded (height, width) image; shape (kh * kw, patches)."""
    kh, kw = _pair(name, "kernel_size", kernel_size)
    dh, dw = _pair(name, "dilation", dilation)
    (ph, pw), (sh, sw) = _pair(name, "padding", padding), _pair(name, "stride", stride)
    padded_h, padded_w = height + 2 * ph, width + 2 * pw
    rows = (padded_h - dh * (kh - 1) - 1) // sh + 1
    cols = (padded_w - dw * (kw - 1) - 1) // sw + 1
    if rows < 1 or cols < 1 or 0 in (kh, kw, sh, sw):
        raise ValueError(f"{name}: no patch of kernel_size {kernel_size} fits an image of "
                         f"{height}x{width} with padding {padding}, dilation {dilation} and "
                         f"stride {stride}.")
    ki, kj = _np.meshgrid(_np.arange(kh) * dh, _np.arange(kw) * dw, indexing="ij")
    oi, oj = _np.meshgrid(_np.arange(rows) * sh, _np.arange(cols) * sw, indexing="ij")
    index = (ki.reshape(-1, 1) + oi.reshape(1, -1)) * padded_w \
        + kj.reshape(-1, 1) + oj.reshape(1, -1)
    return index, (ph, pw), (padded_h, padded_w)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding patches ("im2col") of the channels-first images ``x`` (N, C, H, W): a
    (N, C * kh * kw, patches) tensor, each column one flattened patch.

    >>> from lamina import backend as K
    >>> K.int_shape(K.unfold(K.ones((1, 2, 4, 4)), kernel_size=2, stride=2))
    (1, 8, 4)
    """
    x = _tensor(x)
    if _core.ndim(x) != 4:
        raise ValueError(f"unfold: x must be 4-D (N, C, H, W); received shape {_static_shape(x)}.")
    n, c, height, width = _static_shape(x)
    index, (ph, pw), (padded_h, padded_w) = _patch_grid(
        "unfold", height, width, kernel_size, dilation, padding, stride)
    x = _arrays.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
    flat = _arrays.reshape(x, (-1, c, padded_h * padded_w))
    patches = _arrays.take(flat, _core.convert_to_tensor(index.reshape(-1), "int32"), axis=2)
    return _arrays.reshape(patches, (-1, c * index.shape[0], index.shape[1]))


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Inverse arrangement of ``unfold`` ("col2im"): patches (N, C * kh * kw, patches)
    summed back into channels-first images (N, C, *output_size); overlapping values add.

    >>> from lamina import backend as K
    >>> K.int_shape(K.fold(K.ones((1, 8, 4)), (4, 4), kernel_size=2, stride=2))
    (1, 2, 4, 4)
    """
    x = _tensor(x)
    height, width = _pair("fold", "output_size", output_size)
    index, (ph, pw), (padded_h, padded_w) = _patch_grid(
        "fold", height, width, kernel_size, dilation, padding, stride)
    kernel_cells, patches = index.shape
    shape = _static_shape(x)
    if _core.ndim(x) != 3 or shape[1] % kernel_cells or shape[2] != patches:
        raise ValueError(f"fold: x must have shape (N, C * {kernel_cells}, {patches}) for "
                         f"output_size {output_size} and kernel_size {kernel_size}; received "
                         f"{shape}.")
    channels = shape[1] // kernel_cells
    columns = _arrays.reshape(x, (-1, channels * kernel_cells * patches))
    rows = _arrays.reshape(_arrays.transpose(columns), (channels, kernel_cells * patches, -1))
    ids = _core.convert_to_tensor(index.reshape(-1), "int32")
    summed = _core.vectorized_map(
        lambda per_channel: _core.segment_sum(per_channel, ids, padded_h * padded_w), rows)
    image = _arrays.reshape(_arrays.transpose(summed, (2, 0, 1)),
                            (-1, channels, padded_h, padded_w))
    return image[:, :, ph:ph + height, pw:pw + width]
