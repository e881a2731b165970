"""Neural-network K functions: activations, convolutions, pooling, normalization, losses.

Each function below is a specification (signature and docstring); its implementation
is the selected engine's function of the same name (see :mod:`lamina.backend.dispatch`).
Names, signatures and results follow Keras 3's ``keras.ops.nn``:

- activations of integer tensors compute in ``floatx()`` (``relu`` and ``relu6`` keep
  the dtype);
- convolution kernels have the layout ``(*spatial, in_channels, out_channels)``
  (``(*spatial, out_channels, in_channels)`` for ``conv_transpose``) whatever the
  ``data_format``, which defaults to ``K.image_data_format()``;
- ``"same"`` padding pads like TensorFlow: the extra element, when the total padding
  is odd, goes at the end; ``average_pool`` with ``"same"`` averages over the valid
  elements only;
- probability losses clip with ``K.epsilon()``.

The argument checks every engine shares (ranks, padding names, window sizes) live in
:mod:`lamina.backend.numpy.nn`, NumPy being the one engine always installed.

>>> from lamina import backend as K
>>> K.convert_to_numpy(K.relu(K.convert_to_tensor([-1.0, 2.0]))).tolist()
[0.0, 2.0]
"""

from lamina.backend.dispatch import op as _op
from lamina.backend.ops.random import dropout  # noqa: F401  (K.dropout)


# -- activations -------------------------------------------------------------
@_op
def relu(x):
    """max(x, 0), element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.relu(K.convert_to_tensor([-1.0, 2.0]))).tolist()
    [0.0, 2.0]
    """


@_op
def relu6(x):
    """min(max(x, 0), 6), element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.relu6([-1.0, 2.0, 8.0])).tolist()
    [0.0, 2.0, 6.0]
    """


@_op
def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.elu([-1.0, 2.0])).tolist()]
    [-0.6321, 2.0]
    """


@_op
def selu(x):
    """Scaled exponential linear unit: ``1.0507 * elu(x, alpha=1.67326)``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.selu([-1.0, 1.0])).tolist()]
    [-1.1113, 1.0507]
    """


@_op
def gelu(x, approximate=True):
    """Gaussian error linear unit: ``x * Phi(x)``; ``approximate=True`` uses the tanh
    approximation, ``False`` the exact error function.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.gelu([1.0], approximate=False)).tolist()]
    [0.8413]
    """


@_op
def silu(x):
    """Sigmoid linear unit (swish): ``x * sigmoid(x)``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.silu([0.0, 1.0])).tolist()]
    [0.0, 0.7311]
    """


@_op
def hard_silu(x):
    """Hard sigmoid linear unit (hard swish): ``x * hard_sigmoid(x)``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.hard_silu([-1.0, 1.0, 4.0])).tolist()]
    [-0.3333, 0.6667, 4.0]
    """


@_op
def leaky_relu(x, negative_slope=0.2):
    """``x`` where ``x >= 0``, else ``negative_slope * x``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.leaky_relu([-1.0, 2.0])).tolist()]
    [-0.2, 2.0]
    """


@_op
def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.sigmoid([0.0])).tolist()
    [0.5]
    """


@_op
def hard_sigmoid(x):
    """Piecewise-linear sigmoid: ``relu6(x + 3) / 6``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.hard_sigmoid([-4.0, 0.0, 4.0])).tolist()
    [0.0, 0.5, 1.0]
    """


@_op
def log_sigmoid(x):
    """Logarithm of the sigmoid, computed stably: ``-softplus(-x)``.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.log_sigmoid([0.0])).tolist()]
    [-0.6931]
    """


@_op
def softplus(x):
    """``log(1 + exp(x))``, computed stably.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.softplus([0.0])).tolist()]
    [0.6931]
    """


@_op
def softsign(x):
    """``x / (1 + |x|)``, element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.softsign([-1.0, 3.0])).tolist()
    [-0.5, 0.75]
    """


@_op
def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis`` (an int or a tuple of ints).

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.softmax([[0.0, 0.0], [0.0, 0.0]], axis=(0, 1))).tolist()
    [[0.25, 0.25], [0.25, 0.25]]
    """


@_op
def log_softmax(x, axis=-1):
    """Logarithm of ``softmax(x, axis)``, computed stably.

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.log_softmax([0.0, 0.0])).tolist()]
    [-0.6931, -0.6931]
    """


# -- encodings ---------------------------------------------------------------
@_op
def one_hot(x, num_classes, axis=-1, dtype=None):
    """One-hot encoding of the integer tensor ``x`` along a new axis ``axis`` of size
    ``num_classes``; indices outside ``[0, num_classes)`` give all zeros. ``dtype``
    defaults to ``floatx()``.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.one_hot(K.convert_to_tensor([0, 2]), 3)).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """


@_op
def multi_hot(inputs, num_classes, axis=-1, dtype=None):
    """Multi-hot encoding: for each sample (row of ``inputs``; the whole tensor when it
    has rank 1), 1 at every class index it holds.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.multi_hot(K.convert_to_tensor([[0, 2], [1, 1]]), 3)).tolist()
    [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """


# -- convolution and pooling -------------------------------------------------
@_op
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1,
         bias=None):
    """N-D convolution (1D, 2D or 3D; inputs of rank 3, 4 or 5).

    ``kernel`` has the shape ``(*kernel_size, in_channels / groups, out_channels)``;
    ``padding`` is ``"valid"``, ``"same"`` or (1D only) ``"causal"``; ``strides`` and
    ``dilation_rate`` are an int or one int per spatial dimension. ``bias`` (lamina's
    addition to Keras 3's arguments) is an optional vector of ``out_channels`` added by
    the engine's convolution itself, without a second pass over the output.

    >>> from lamina import backend as K
    >>> x = K.ones((1, 5, 1)); w = K.ones((3, 1, 1))
    >>> K.convert_to_numpy(K.conv(x, w, padding="same"))[0, :, 0].tolist()
    [2.0, 3.0, 3.0, 3.0, 2.0]
    >>> K.convert_to_numpy(K.conv(x, w, bias=K.ones((1,))))[0, :, 0].tolist()
    [4.0, 4.0, 4.0]
    """


@_op
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1, bias=None):
    """Depthwise convolution: each input channel convolved with its own filters.

    ``kernel`` has the shape ``(*kernel_size, in_channels, depth_multiplier)``; the
    output has ``in_channels * depth_multiplier`` channels (channel ``c`` gives outputs
    ``c * depth_multiplier ...``); ``bias`` as in :func:`conv`.

    >>> from lamina import backend as K
    >>> x = K.ones((1, 4, 4, 2)); w = K.ones((2, 2, 2, 3))
    >>> K.convert_to_numpy(K.depthwise_conv(x, w)).shape
    (1, 3, 3, 6)
    """


@_op
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1, bias=None):
    """Depthwise convolution followed by a pointwise (1x1) convolution.

    ``depthwise_kernel``: ``(*kernel_size, in_channels, depth_multiplier)``;
    ``pointwise_kernel``: ``(1, ..., 1, in_channels * depth_multiplier, out_channels)``;
    ``bias`` (``out_channels``) as in :func:`conv`.

    >>> from lamina import backend as K
    >>> x = K.ones((1, 4, 4, 2))
    >>> y = K.separable_conv(x, K.ones((3, 3, 2, 1)), K.ones((1, 1, 2, 5)))
    >>> K.convert_to_numpy(y)[0, 0, 0].tolist()
    [18.0, 18.0, 18.0, 18.0, 18.0]
    """


@_op
def conv_transpose(inputs, kernel, strides, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1, bias=None):
    """Transposed convolution (the gradient of ``conv`` with respect to its input).

    ``kernel`` has the shape ``(*kernel_size, out_channels, in_channels)``. Each output
    spatial size is ``(n - 1) * stride + max(kernel, stride)`` with ``"valid"`` and
    ``n * stride`` with ``"same"`` unless ``output_padding`` says otherwise; ``bias``
    (``out_channels``) as in :func:`conv`.

    >>> from lamina import backend as K
    >>> y = K.conv_transpose(K.ones((1, 2, 1)), K.ones((3, 1, 1)), strides=2)
    >>> K.convert_to_numpy(y)[0, :, 0].tolist()
    [1.0, 1.0, 2.0, 1.0, 1.0]
    """


@_op
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Maximum over windows of ``pool_size`` moved by ``strides`` (default: ``pool_size``);
    1D, 2D or 3D.

    >>> from lamina import backend as K
    >>> x = K.convert_to_tensor([[[1.0], [3.0], [2.0], [5.0]]])
    >>> K.convert_to_numpy(K.max_pool(x, 2))[0, :, 0].tolist()
    [3.0, 5.0]
    """


@_op
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Mean over windows of ``pool_size`` moved by ``strides`` (default: ``pool_size``);
    with ``"same"`` padding only the valid elements of a window are averaged.

    >>> from lamina import backend as K
    >>> x = K.convert_to_tensor([[[1.0], [3.0], [2.0]]])
    >>> K.convert_to_numpy(K.average_pool(x, 2, padding="same"))[0, :, 0].tolist()
    [2.0, 2.0]
    """


# -- normalization -----------------------------------------------------------
@_op
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset``, where the 1-D
    ``mean``, ``variance``, ``offset`` and ``scale`` run along ``axis`` of ``x``.

    >>> from lamina import backend as K
    >>> x = K.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> y = K.batch_normalization(x, K.convert_to_tensor([2.0, 3.0]),
    ...                           K.convert_to_tensor([1.0, 1.0]), axis=-1, epsilon=0.0)
    >>> K.convert_to_numpy(y).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    """


@_op
def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and (biased) variance of ``x`` over ``axes``, as a pair.

    ``synchronized`` (averaging across devices in distributed training) changes
    nothing on one device, the only setting lamina runs these functions on.

    >>> from lamina import backend as K
    >>> mean, variance = K.moments(K.convert_to_tensor([1.0, 2.0, 3.0, 4.0]), axes=[0])
    >>> K.convert_to_numpy(mean).tolist(), K.convert_to_numpy(variance).tolist()
    (2.5, 1.25)
    """


@_op
def normalize(x, axis=-1, order=2, epsilon=None):
    """``x`` divided by its ``order``-norm along ``axis`` (at least ``epsilon``, by
    default ``K.epsilon()``).

    >>> from lamina import backend as K
    >>> [round(v, 4) for v in K.convert_to_numpy(K.normalize([3.0, 4.0])).tolist()]
    [0.6, 0.8]
    """


# -- losses ------------------------------------------------------------------
@_op
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between the one-hot (or soft) ``target`` and ``output`` along
    ``axis``: ``output`` holds probabilities (rescaled to sum to 1, clipped to
    ``[epsilon, 1 - epsilon]``) or, with ``from_logits=True``, logits.

    >>> from lamina import backend as K
    >>> y = K.categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]])
    >>> [round(v, 4) for v in K.convert_to_numpy(y).tolist()]
    [0.6931]
    """


@_op
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between integer class indices ``target`` and ``output`` (as in
    ``categorical_crossentropy``); ``target`` has ``output``'s shape without ``axis``
    (a trailing axis of size 1 is also accepted).

    >>> from lamina import backend as K
    >>> y = K.sparse_categorical_crossentropy(K.convert_to_tensor([1]), [[0.0, 0.0]],
    ...                                       from_logits=True)
    >>> [round(v, 4) for v in K.convert_to_numpy(y).tolist()]
    [0.6931]
    """


@_op
def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy between ``target`` and ``output`` (probabilities
    clipped to ``[epsilon, 1 - epsilon]``, or logits with ``from_logits=True``).

    >>> from lamina import backend as K
    >>> y = K.binary_crossentropy([1.0, 0.0], [0.5, 0.5])
    >>> [round(v, 4) for v in K.convert_to_numpy(y).tolist()]
    [0.6931, 0.6931]
    """
