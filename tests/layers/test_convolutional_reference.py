"""Direct NumPy convolutions, the reference the convolution layer tests compare against,
and tests of the reference itself (against ``np.correlate`` and the adjoint property).

Written from the definitions, one output position (one input position, for the
transposed convolution) at a time, on channels-last float64 arrays:

- ``"same"`` padding pads ``max((ceil(n / s) - 1) * s + k - n, 0)`` elements, the odd
  one at the end; ``"causal"`` pads ``k - 1`` at the start (``k`` the dilated kernel);
- a transposed convolution scatter-adds ``input[i] * kernel`` at ``i * stride``; its
  output has Keras's length and starts where the padding of the convolution it
  transposes (from that output length back to the input length) puts it, so that it
  is the adjoint of that convolution.
"""

import itertools
import math

import numpy as np
import pytest


def extent(k, d):
    """The span of a kernel of ``k`` taps dilated by ``d``."""
    return (k - 1) * d + 1


def padding_pairs(spatial, kernel_size, strides, dilation, padding):
    """One (before, after) pair per spatial dimension; ``padding`` is a name or the pairs."""
    if not isinstance(padding, str):
        return list(padding)
    pairs = []
    for n, k, s, d in zip(spatial, kernel_size, strides, dilation):
        e = extent(k, d)
        if padding == "valid":
            pairs.append((0, 0))
        elif padding == "causal":
            pairs.append((e - 1, 0))
        else:
            total = max((math.ceil(n / s) - 1) * s + e - n, 0)
            pairs.append((total // 2, total - total // 2))
    return pairs


def _patches(x, kernel_size, strides, dilation, padding):
    """(output shape, iterator of (output index, patch (N, *kernel_size, C)))."""
    pads = padding_pairs(x.shape[1:-1], kernel_size, strides, dilation, padding)
    x = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    out_shape = [(n - extent(k, d)) // s + 1 for n, k, s, d in
                 zip(x.shape[1:-1], kernel_size, strides, dilation)]

    def patches():
        for index in itertools.product(*map(range, out_shape)):
            window = tuple(slice(i * s, i * s + extent(k, d), d) for i, k, s, d in
                           zip(index, kernel_size, strides, dilation))
            yield index, x[(slice(None),) + window]
    return out_shape, patches()


def conv(x, w, strides, padding, dilation, groups=1):
    """``x`` (N, *spatial, C), ``w`` (*k, C // groups, O)."""
    rank = x.ndim - 2
    per_group, out_channels = w.shape[-2:]
    outs_per_group = out_channels // groups
    out_shape, patches = _patches(x, w.shape[:rank], strides, dilation, padding)
    out = np.zeros([x.shape[0]] + out_shape + [out_channels])
    axes = (list(range(1, rank + 2)), list(range(rank + 1)))
    for index, patch in patches:
        for g in range(groups):
            ins = slice(g * per_group, (g + 1) * per_group)
            outs = slice(g * outs_per_group, (g + 1) * outs_per_group)
            out[(slice(None),) + index + (outs,)] = np.tensordot(patch[..., ins],
                                                                 w[..., outs], axes)
    return out


def depthwise_conv(x, w, strides, padding, dilation):
    """``x`` (N, *spatial, C), ``w`` (*k, C, M): output channel ``c * M + m``."""
    rank = x.ndim - 2
    channels, multiplier = w.shape[-2:]
    out_shape, patches = _patches(x, w.shape[:rank], strides, dilation, padding)
    out = np.zeros([x.shape[0]] + out_shape + [channels * multiplier])
    for index, patch in patches:
        for c, m in itertools.product(range(channels), range(multiplier)):
            out[(slice(None),) + index + (c * multiplier + m,)] = np.sum(
                patch[..., c] * w[..., c, m], axis=tuple(range(1, rank + 1)))
    return out


def separable_conv(x, depthwise, pointwise, strides, padding, dilation):
    hidden = depthwise_conv(x, depthwise, strides, padding, dilation)
    return np.tensordot(hidden, pointwise.reshape(pointwise.shape[-2:]), axes=(-1, 0))


def transposed_length(n, k, s, d, padding, output_padding):
    """Keras's output length of a transposed convolution."""
    e = extent(k, d)
    if output_padding is None:
        return n * s + max(e - s, 0) if padding == "valid" else n * s
    pad = e // 2 if padding == "same" else 0
    return (n - 1) * s + e - 2 * pad + output_padding


def conv_transpose(x, w, strides, padding, output_padding, dilation):
    """``x`` (N, *spatial, C), ``w`` (*k, O, C)."""
    rank = x.ndim - 2
    kernel_size, spatial = w.shape[:rank], x.shape[1:-1]
    full_shape = [(n - 1) * s + extent(k, d) for n, k, s, d in
                  zip(spatial, kernel_size, strides, dilation)]
    full = np.zeros([x.shape[0]] + full_shape + [w.shape[-2]])
    for index in itertools.product(*map(range, spatial)):
        window = tuple(slice(i * s, i * s + extent(k, d), d) for i, k, s, d in
                       zip(index, kernel_size, strides, dilation))
        full[(slice(None),) + window] += np.tensordot(x[(slice(None),) + index], w,
                                                      axes=([1], [rank + 1]))
    output_padding = (None,) * rank if output_padding is None else output_padding
    lengths = [transposed_length(n, k, s, d, padding, p) for n, k, s, d, p in
               zip(spatial, kernel_size, strides, dilation, output_padding)]
    out = np.zeros([x.shape[0]] + lengths + [w.shape[-2]])
    source, target = [slice(None)], [slice(None)]
    for n, length, full_length, k, s, d in zip(spatial, lengths, full_shape, kernel_size,
                                               strides, dilation):
        start = max(full_length - length, 0) // 2
        size = min(length, full_length - start)
        source.append(slice(start, start + size))
        target.append(slice(0, size))
    out[tuple(target)] = full[tuple(source)]
    return out


# -- the reference checked --------------------------------------------------------------
RNG = np.random.default_rng(7)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_reference_conv1d_is_numpy_correlate(padding):
    x, w = RNG.normal(size=9), RNG.normal(size=4)
    out = conv(x.reshape(1, 9, 1), w.reshape(4, 1, 1), (1,), padding, (1,))[0, :, 0]
    padded = np.pad(x, padding_pairs((9,), (4,), (1,), (1,), padding)[0])
    np.testing.assert_allclose(out, np.correlate(padded, w, mode="valid"))
    assert padding_pairs((9,), (4,), (1,), (1,), "same") == [(1, 2)]


@pytest.mark.parametrize("padding, strides, dilation, output_padding", [
    ("valid", (2, 1), (1, 1), None), ("same", (2, 3), (1, 1), None),
    ("same", (1, 1), (2, 1), None), ("valid", (3, 2), (1, 1), (2, 0)),
    ("same", (2, 2), (1, 1), (1, 0)), ("same", (2, 2), (1, 1), (0, 1)),
])
def test_reference_transpose_is_the_adjoint_of_the_convolution(padding, strides, dilation,
                                                              output_padding):
    w = RNG.normal(size=(3, 2, 2, 3))  # (*k, out, in) for the transpose
    x = RNG.normal(size=(1, 4, 3, 3))
    y = conv_transpose(x, w, strides, padding, output_padding, dilation)
    z = RNG.normal(size=y.shape)
    # The convolution it transposes: the padding that puts the full scatter-add where the
    # output starts (an output longer than the full scatter-add ends in zeros).
    pairs, cropped = [], z
    for axis, (n, length, k, s, d) in enumerate(zip(x.shape[1:-1], y.shape[1:-1],
                                                   w.shape[:2], strides, dilation), 1):
        full = (n - 1) * s + extent(k, d)
        start = max(full - length, 0) // 2
        cropped = np.take(cropped, range(min(length, full)), axis=axis)
        pairs.append((start, full - min(length, full) - start))
    back = conv(cropped, w, strides, pairs, dilation)
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(y * z), np.sum(x * back), rtol=1e-10)
