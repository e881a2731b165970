"""torch implementations of the nn K functions, on ``torch.nn.functional``.

torch's layout is channels-first and its kernels ``(out, in, *spatial)``. A
channels-last batch ``(N, *spatial, C)`` moved to ``(N, C, *spatial)`` by
``torch.movedim`` is a view whose strides are torch's ``channels_last`` memory format,
which torch's CPU and CUDA convolutions read and write natively: the convolution
functions pass that view and the permuted kernel (a view too) and move the
channels-last result back (a view again), so no call copies the activations
(docs/design.md, "Convolutions and layouts"); 1D convolutions run as 2D ones of height 1
for the same reason. ``bias`` is added by torch's convolution itself. TensorFlow-style
``"same"`` padding, which can be one element longer at the end, is an explicit
``F.pad`` only when a window reaches that extra element, otherwise torch's own
symmetric padding. Argument checks are shared
with the other engines (:mod:`lamina.backend.numpy.nn`). Every function works on the
``meta`` device (shape inference): constants are made on the input's device.
"""

import functools
import math

import torch
import torch.nn.functional as F

from lamina.backend import config
from lamina.backend.numpy.nn import (batch_norm_shape, check_conv, check_conv_transpose,
                                     check_depthwise, check_normalize_order, check_pool,
                                     check_same_shape, check_sparse_target, same_pool_counts)
from lamina.backend.torch.core import convert_to_tensor, to_torch_dtype

__all__ = ["relu", "relu6", "elu", "selu", "gelu", "silu", "hard_silu", "leaky_relu",
           "sigmoid", "hard_sigmoid", "log_sigmoid", "softplus", "softsign", "softmax",
           "log_softmax", "one_hot", "multi_hot", "conv", "depthwise_conv", "separable_conv",
           "conv_transpose", "max_pool", "average_pool", "batch_normalization", "moments",
           "normalize", "categorical_crossentropy", "sparse_categorical_crossentropy",
           "binary_crossentropy"]


def _tensor(x):
    return x if isinstance(x, torch.Tensor) else convert_to_tensor(x)


def _float(x):
    x = x if isinstance(x, torch.Tensor) else convert_to_tensor(x)
    return x if x.is_floating_point() else x.to(to_torch_dtype(config.floatx()))


def _dims(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def relu(x):
    return torch.relu(_tensor(x))


def relu6(x):
    x = _tensor(x)
    return torch.clamp(x, 0, 6)


def elu(x, alpha=1.0):
    return F.elu(_float(x), alpha)


def selu(x):
    return F.selu(_float(x))


def gelu(x, approximate=True):
    return F.gelu(_float(x), approximate="tanh" if approximate else "none")


def silu(x):
    return F.silu(_float(x))


def hard_silu(x):
    return F.hardswish(_float(x))


def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(_float(x), negative_slope)


def sigmoid(x):
    return torch.sigmoid(_float(x))


def hard_sigmoid(x):
    return F.hardsigmoid(_float(x))


def log_sigmoid(x):
    return F.logsigmoid(_float(x))


def softplus(x):
    x = _float(x)
    return torch.logaddexp(x, torch.zeros((), dtype=x.dtype, device=x.device))


def softsign(x):
    return F.softsign(_float(x))


def softmax(x, axis=-1):
    x = _float(x)
    if isinstance(axis, int):
        return torch.softmax(x, dim=axis)
    e = torch.exp(x - torch.amax(x, dim=_dims(axis), keepdim=True))
    return e / torch.sum(e, dim=_dims(axis), keepdim=True)


def log_softmax(x, axis=-1):
    x = _float(x)
    if isinstance(axis, int):
        return torch.log_softmax(x, dim=axis)
    return x - torch.logsumexp(x, dim=_dims(axis), keepdim=True)


def one_hot(x, num_classes, axis=-1, dtype=None):
    x = _tensor(x)
    classes = torch.arange(num_classes, device=x.device, dtype=x.dtype)
    out = (x.unsqueeze(-1) == classes).to(to_torch_dtype(dtype or config.floatx()))
    return out if axis == -1 else torch.movedim(out, -1, axis)


def multi_hot(inputs, num_classes, axis=-1, dtype=None):
    inputs = _tensor(inputs).to(torch.int32)
    encoded = one_hot(inputs, num_classes, axis=axis, dtype=dtype)
    return torch.amax(encoded, dim=1 if inputs.ndim > 1 else 0)


_CONV = (None, F.conv1d, F.conv2d, F.conv3d)
_CONV_TRANSPOSE = (None, F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)
_MAX_POOL = (None, F.max_pool1d, F.max_pool2d, F.max_pool3d)
_AVG_POOL = (None, F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)


def _to_first(x, channels_last):
    return x if not channels_last else torch.movedim(x, -1, 1)


def _from_first(x, channels_last):
    return x if not channels_last else torch.movedim(x, 1, -1)


def _promote(x, kernel):
    x, kernel = _tensor(x), _tensor(kernel)
    if x.dtype is kernel.dtype and x.is_floating_point():
        return x, kernel
    dtype = torch.promote_types(x.dtype, kernel.dtype)
    if not dtype.is_floating_point:
        dtype = to_torch_dtype(config.floatx())
    return x.to(dtype), kernel.to(dtype)


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _settings(data_format, *values):
    """The data format (the global default resolved) and ``values`` as cache keys."""
    return (config.image_data_format() if data_format is None else data_format,
            *map(_hashable, values))


def _lift(channels_last, x_shape, window, strides, dilation, pads):
    """A channels-last 1D convolution runs as a 2D one of height 1: torch has no
    channels-last memory format for 3-D tensors, so its 1D kernels return channels-first
    memory (a strided view once moved back); its 2D kernels read and write channels-last
    memory. Returns ``(lifted, spatial, window, strides, dilation, pads)``."""
    spatial = tuple(x_shape[1:-1] if channels_last else x_shape[2:])
    window = tuple(window)
    if not (channels_last and len(x_shape) == 3):
        return False, spatial, window, strides, dilation, list(pads)
    return (True, (1,) + spatial, (1,) + window, (1,) + strides, (1,) + dilation,
            [(0, 0)] + list(pads))


@functools.lru_cache(maxsize=1024)
def _conv_plan(fname, x_shape, k_shape, causal, data_format, strides, padding,
               dilation_rate):
    """What a convolution call derives from its shapes and settings, computed once per
    combination: ``(channels_last, lifted, strides, dilation, torch_padding, explicit,
    groups)``. ``explicit`` is ``F.pad``'s list when torch's symmetric ``padding`` cannot
    give the same windows (then the inputs are padded, a copy), else None: symmetric
    padding also serves when the end is padded more than the start but no window
    reaches that extra element."""
    channels_last, strides, dilation, pads, groups = check_conv(
        fname, x_shape, k_shape, strides, padding, data_format, dilation_rate, causal)
    lifted, spatial, window, strides, dilation, pads = _lift(
        channels_last, x_shape, k_shape[:len(x_shape) - 2], strides, dilation, pads)
    if all((size + before + after - (k - 1) * d - 1) // s ==
           (size + 2 * before - (k - 1) * d - 1) // s
           for size, (before, after), k, s, d in zip(spatial, pads, window, strides, dilation)):
        return (channels_last, lifted, strides, dilation, tuple(b for b, _ in pads), None,
                groups)
    explicit = [p for pair in reversed(pads) for p in pair]
    return channels_last, lifted, strides, dilation, (0,) * len(pads), explicit, groups


_depthwise_shape = functools.lru_cache(maxsize=1024)(check_depthwise)


def _bias(bias, like):
    if bias is None:
        return None
    bias = _tensor(bias)
    return bias if bias.dtype is like.dtype else bias.to(like.dtype)


def _conv(fname, inputs, kernel, bias, causal, data_format, strides, padding, dilation_rate):
    channels_last, lifted, strides, dilation, torch_padding, explicit, groups = _conv_plan(
        fname, tuple(inputs.shape), tuple(kernel.shape), causal,
        *_settings(data_format, strides, padding, dilation_rate))
    if lifted:
        inputs, kernel = inputs.unsqueeze(1), kernel.unsqueeze(0)
    n = inputs.ndim - 2
    x = _to_first(inputs, channels_last)
    if explicit is not None:
        x = F.pad(x, explicit)
    # torch's kernel layout (out, in, *spatial) is a permuted view of lamina's; copying it
    # into channels-last memory was measured slower
    out = _CONV[n](x, kernel.permute(n + 1, n, *range(n)), _bias(bias, x), strides,
                   torch_padding, dilation, groups)
    out = _from_first(out, channels_last)
    return out.squeeze(1) if lifted else out


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1,
         bias=None):
    inputs, kernel = _promote(inputs, kernel)
    return _conv("conv", inputs, kernel, bias, True, data_format, strides, padding,
                 dilation_rate)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1, bias=None):
    inputs, kernel = _promote(inputs, kernel)
    kernel = kernel.reshape(_depthwise_shape("depthwise_conv", tuple(inputs.shape),
                                             tuple(kernel.shape), _settings(data_format)[0]))
    return _conv("depthwise_conv", inputs, kernel, bias, False, data_format, strides, padding,
                 dilation_rate)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1, bias=None):
    hidden = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                            dilation_rate)
    return conv(hidden, pointwise_kernel, 1, "valid", data_format, 1, bias)


@functools.lru_cache(maxsize=1024)
def _conv_transpose_plan(x_shape, k_shape, data_format, strides, padding, output_padding,
                         dilation_rate):
    """``(channels_last, lifted, strides, dilation, crops, extras, crop_pads)`` for a
    transposed convolution, once per combination of shapes and settings. The padded,
    stride-dilated input of a direct convolution (the shared check's ``pads``) is torch's
    full transposed output cropped by ``crops`` at the start and ``extras`` long at the
    end, which torch's ``padding`` and ``output_padding`` express when ``crop_pads`` is
    None; otherwise the full output is cropped and padded by ``F.pad(out, crop_pads)``."""
    channels_last, strides, dilation, pads = check_conv_transpose(
        "conv_transpose", x_shape, k_shape, strides, padding, output_padding, data_format,
        dilation_rate)
    lifted, spatial, window, strides, dilation, pads = _lift(
        channels_last, x_shape, k_shape[:len(x_shape) - 2], strides, dilation, pads)
    crops, extras = [], []
    for size, k, s, d, (left, right) in zip(spatial, window, strides, dilation, pads):
        extent = (k - 1) * d + 1
        crops.append(extent - 1 - left)
        extras.append((size - 1) * s + 1 + left + right - extent + 1
                      - ((size - 1) * s + extent - 2 * crops[-1]))
    if all(c >= 0 for c in crops) and all(0 <= e < max(s, d) for e, s, d in
                                          zip(extras, strides, dilation)):
        return channels_last, lifted, strides, dilation, tuple(crops), tuple(extras), None
    crop_pads = []
    for crop, extra in zip(reversed(crops), reversed(extras)):
        crop_pads += [-crop, extra - crop]
    return channels_last, lifted, strides, dilation, 0, 0, crop_pads


def conv_transpose(inputs, kernel, strides, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1, bias=None):
    inputs, kernel = _promote(inputs, kernel)
    channels_last, lifted, strides, dilation, crops, extras, crop_pads = _conv_transpose_plan(
        tuple(inputs.shape), tuple(kernel.shape),
        *_settings(data_format, strides, padding, output_padding, dilation_rate))
    if lifted:
        inputs, kernel = inputs.unsqueeze(1), kernel.unsqueeze(0)
    n = inputs.ndim - 2
    x = _to_first(inputs, channels_last)
    weight = kernel.permute(n + 1, n, *range(n))  # (in, out, *spatial), a view
    bias = _bias(bias, x)
    if crop_pads is None:
        out = _CONV_TRANSPOSE[n](x, weight, bias, strides, crops, extras, 1, dilation)
    else:
        out = F.pad(_CONV_TRANSPOSE[n](x, weight, None, strides, 0, 0, 1, dilation),
                    crop_pads)
        if bias is not None:
            out = out + bias.reshape((-1,) + (1,) * n)
    out = _from_first(out, channels_last)
    return out.squeeze(1) if lifted else out


def _pool_padding(spatial, pool_size, strides, pads):
    """torch's ``(padding, ceil_mode)`` for TensorFlow-style pads, or None when torch cannot
    express them (then the caller pads explicitly, a copy of the input). Symmetric pads
    are torch's padding; pads one longer at the end are the same padding with
    ``ceil_mode``, which keeps the last window (it starts inside the input) when the
    stride is above 1. Inputs smaller than the window are padded explicitly: torch's
    ``avg_pool3d`` refuses them whatever the padding."""
    if all(size >= k and (after == before or (after == before + 1 and s > 1))
           for size, k, s, (before, after) in zip(spatial, pool_size, strides, pads)):
        return tuple(before for before, _ in pads), any(a != b for b, a in pads)
    return None


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    inputs = _tensor(inputs)
    channels_last, pool_size, strides, pads = check_pool(
        "max_pool", inputs.shape, pool_size, strides, padding, data_format)
    x = _to_first(inputs, channels_last)
    torch_padding = _pool_padding(x.shape[2:], pool_size, strides, pads)
    if torch_padding is None:
        x = F.pad(x, [p for pair in reversed(pads) for p in pair], value=-math.inf)
        torch_padding = (0, False)
    out = _MAX_POOL[len(pool_size)](x, pool_size, strides, padding=torch_padding[0],
                                    ceil_mode=torch_padding[1])
    return _from_first(out, channels_last)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    inputs = _float(inputs)
    channels_last, pool_size, strides, pads = check_pool(
        "average_pool", inputs.shape, pool_size, strides, padding, data_format)
    x = _to_first(inputs, channels_last)
    torch_padding = _pool_padding(x.shape[2:], pool_size, strides, pads)
    if torch_padding is not None:
        out = _AVG_POOL[len(pool_size)](x, pool_size, strides, padding=torch_padding[0],
                                        ceil_mode=torch_padding[1], count_include_pad=False)
    else:
        spatial = x.shape[2:]
        x = F.pad(x, [p for pair in reversed(pads) for p in pair])
        out = _AVG_POOL[len(pool_size)](x, pool_size, strides)
        counts = same_pool_counts(spatial, pool_size, strides, pads)
        out = out * torch.as_tensor(math.prod(pool_size) / counts, dtype=x.dtype,
                                    device=x.device)
    return _from_first(out, channels_last)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _float(x)
    shape = batch_norm_shape("batch_normalization", x.ndim, axis, x.shape[axis])
    inv = torch.rsqrt(_tensor(variance).reshape(shape) + epsilon)
    if scale is not None:
        inv = inv * _tensor(scale).reshape(shape)
    res = -_tensor(mean).reshape(shape) * inv
    if offset is not None:
        res = res + _tensor(offset).reshape(shape)
    return (x * inv + res).to(x.dtype)


def moments(x, axes, keepdims=False, synchronized=False):
    x = _float(x)
    xc = x.to(torch.float32) if x.dtype == torch.float16 else x
    dims = _dims(axes)
    variance, mean = torch.var_mean(xc, dim=dims, correction=0, keepdim=keepdims)
    return mean.to(x.dtype), variance.to(x.dtype)


def normalize(x, axis=-1, order=2, epsilon=None):
    check_normalize_order(order)
    x = _float(x)
    if x.ndim == 0:
        x = x.unsqueeze(0)
    epsilon = config.epsilon() if epsilon is None else epsilon
    dims = _dims(axis)
    if order == 2:
        square_sum = torch.sum(torch.square(x), dim=dims, keepdim=True)
        return x * torch.clamp(torch.rsqrt(square_sum), max=1 / epsilon)
    norm = torch.sum(torch.abs(x) ** order, dim=dims, keepdim=True) ** (1 / order)
    return x / torch.clamp(norm, min=epsilon)


def _log_probabilities(output, from_logits, axis):
    if from_logits:
        return torch.log_softmax(output, dim=axis)
    eps = config.epsilon()
    output = output / torch.sum(output, dim=axis, keepdim=True)
    return torch.log(torch.clamp(output, eps, 1 - eps))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _float(target), _float(output)
    check_same_shape("categorical_crossentropy", target.shape, output.shape)
    log_prob = _log_probabilities(output, from_logits, axis)
    return (-torch.sum(target * log_prob, dim=axis)).to(output.dtype)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _tensor(target), _float(output)
    if check_sparse_target("sparse_categorical_crossentropy", target.shape, output.shape,
                           axis):
        target = target[..., 0]
    log_prob = _log_probabilities(output, from_logits, axis)
    hot = one_hot(target.to(torch.int32), output.shape[axis], axis=axis,
                  dtype=output.dtype)
    return -torch.sum(hot * log_prob, dim=axis)


def binary_crossentropy(target, output, from_logits=False):
    target, output = _float(target), _float(output)
    check_same_shape("binary_crossentropy", target.shape, output.shape)
    if from_logits:
        return -target * F.logsigmoid(output) - (1 - target) * F.logsigmoid(-output)
    eps = config.epsilon()
    output = torch.clamp(output, eps, 1 - eps)
    return -(target * torch.log(output) + (1 - target) * torch.log(1 - output))
