"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
UnitNormalization (Keras 3 names, arguments and defaults).

BatchNormalization keeps its running statistics in two non-trainable weights,
``moving_mean`` and ``moving_variance``, and updates them in ``call`` with
``Variable.assign`` (never in place), so that a compiled JAX step, which runs the
layer inside a ``K.VariableScope``, collects the new values like any other
assignment (DESIGN.md, principle 4).

Two choices where Keras 3 versions differ:

- ``LayerNormalization(rms_scaling=True)`` divides by the root mean square
  ``sqrt(mean(x**2) + epsilon)``, as its documentation says and as
  ``keras.ops.rms_normalization`` does; early Keras 3 releases divided by the
  standard deviation instead.
- ``GroupNormalization`` accepts any channel axis, negative or positive.

>>> from lamina import backend as K, layers
>>> norm = layers.LayerNormalization()
>>> norm(K.Input((3, 8))).shape
(None, 3, 8)
"""

from lamina import backend as K
from lamina import constraints, initializers, regularizers
from lamina._arguments import as_ints, is_int, is_number
from lamina.layers.layer import InputSpec, Layer
from lamina.layers.settings import serialize_setting

_LOW_PRECISION = ("float16", "bfloat16")


def _as_float(inputs, layer_dtype):
    """The inputs to compute on (float16/bfloat16 in float32, non-floats in the layer's
    dtype) and the dtype of the result (the inputs' when they are floats)."""
    dtype = K.standardize_dtype(inputs.dtype)
    if dtype in _LOW_PRECISION:
        return K.cast(inputs, "float32"), dtype
    if not dtype.startswith("float"):
        return K.cast(inputs, layer_dtype), layer_dtype
    return inputs, dtype


def _check_axis_type(layer_name, axis):
    if not is_int(axis):
        if isinstance(axis, (list, tuple)) and axis and all(is_int(a) for a in axis):
            return list(as_ints(axis))
        raise TypeError(f"{layer_name}: axis must be an int or a non-empty list/tuple of ints; "
                        f"received {axis!r}.")
    return int(axis)


def _normalize_axes(layer, axes, input_shape):
    """``axes`` (an int or list) as sorted, non-negative axes of ``input_shape``."""
    rank = len(input_shape)
    out = []
    for a in ([axes] if isinstance(axes, int) else axes):
        if not -rank <= a < rank:
            raise ValueError(f"{type(layer).__name__} layer {layer.name!r}: axis {a} is out of "
                             f"range for inputs of rank {rank}. Received input shape "
                             f"{tuple(input_shape)}.")
        out.append(a % rank)
    if len(set(out)) != len(out):
        raise ValueError(f"{type(layer).__name__} layer {layer.name!r}: axis {axes!r} names "
                         f"the same dimension twice for inputs of rank {rank}.")
    return sorted(out)


def _known_sizes(layer, axes, input_shape):
    sizes = tuple(input_shape[a] for a in axes)
    if any(s is None for s in sizes):
        raise ValueError(f"{type(layer).__name__} layer {layer.name!r} needs a known size on "
                         f"axis {axes if len(axes) > 1 else axes[0]}. Received input shape "
                         f"{tuple(input_shape)}.")
    return sizes


class _AffineNormalization(Layer):
    """Shared settings of the layers with an optional learned ``gamma`` and ``beta``."""

    _floating_inputs = True  # bool and integer inputs are cast to floats

    def _set_affine(self, center, scale, beta_initializer, gamma_initializer,
                    beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint):
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def _check_epsilon(self, epsilon):
        if not is_number(epsilon) or epsilon < 0:
            raise ValueError(f"{type(self).__name__} {self.name!r}: epsilon must be a "
                             f"non-negative number; received {epsilon!r}.")
        return float(epsilon)

    def _make_gamma_beta(self, shape, gamma=True, beta=True):
        self.gamma = self.add_weight(
            "gamma", shape, self.gamma_initializer, regularizer=self.gamma_regularizer,
            constraint=self.gamma_constraint, autocast=False) if gamma else None
        self.beta = self.add_weight(
            "beta", shape, self.beta_initializer, regularizer=self.beta_regularizer,
            constraint=self.beta_constraint, autocast=False) if beta else None

    def get_config(self):
        config = super().get_config()
        config.update(
            beta_initializer=serialize_setting(self.beta_initializer),
            gamma_initializer=serialize_setting(self.gamma_initializer),
            beta_regularizer=serialize_setting(self.beta_regularizer),
            gamma_regularizer=serialize_setting(self.gamma_regularizer),
            beta_constraint=serialize_setting(self.beta_constraint),
            gamma_constraint=serialize_setting(self.gamma_constraint))
        return config


class BatchNormalization(_AffineNormalization):
    """Normalize each channel with the batch's statistics while training and with
    running averages of them at inference.

    ``BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3, center=True,
    scale=True, beta_initializer="zeros", gamma_initializer="ones",
    moving_mean_initializer="zeros", moving_variance_initializer="ones",
    beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
    gamma_constraint=None, synchronized=False)``.

    ``axis`` is the channel axis (``1`` for ``channels_first`` images). With
    ``training=True`` (and a trainable layer) the output is
    ``gamma * (x - mean) / sqrt(variance + epsilon) + beta`` with the batch's
    mean and (biased) variance over every axis but ``axis``, and the moving
    statistics become ``moving * momentum + batch * (1 - momentum)``. Otherwise the
    moving statistics are used and nothing changes. A mask of the inputs' shape
    without the channel axis (``(batch, steps)`` for ``(batch, steps, channels)``)
    keeps masked steps out of the batch statistics. ``synchronized`` (averaging
    across devices) changes nothing on one device.

    Weights: ``gamma`` and ``beta`` (trainable, absent when ``scale`` or ``center``
    is False), ``moving_mean`` and ``moving_variance`` (non-trainable).

    >>> from lamina import backend as K, layers
    >>> bn = layers.BatchNormalization(momentum=0.5)
    >>> x = K.convert_to_tensor([[0.0, 10.0], [2.0, 30.0]])
    >>> y = bn(x, training=True)
    >>> [[round(v, 2) for v in row] for row in K.convert_to_numpy(y).tolist()]
    [[-1.0, -1.0], [1.0, 1.0]]
    >>> K.convert_to_numpy(bn.moving_mean).tolist(), K.convert_to_numpy(bn.moving_variance).tolist()
    ([0.5, 10.0], [1.0, 50.5])
    >>> len(bn.trainable_weights), len(bn.non_trainable_weights)
    (2, 2)
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if not is_int(axis):
            raise TypeError(f"BatchNormalization {self.name!r}: axis must be an int (the "
                            f"channel axis); received {axis!r}.")
        if not is_number(momentum) or not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNormalization {self.name!r}: momentum must be a number in "
                             f"[0, 1]; received {momentum!r}.")
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = self._check_epsilon(epsilon)
        self.synchronized = bool(synchronized)
        self._set_affine(center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        (axis,) = _normalize_axes(self, self.axis, input_shape)
        (channels,) = _known_sizes(self, [axis], input_shape)
        self._channel_axis = axis
        self._reduction_axes = [a for a in range(rank) if a != axis]
        self._make_gamma_beta((channels,), gamma=self.scale, beta=self.center)
        self.moving_mean = self.add_weight("moving_mean", (channels,),
                                           self.moving_mean_initializer, trainable=False,
                                           autocast=False)
        self.moving_variance = self.add_weight("moving_variance", (channels,),
                                               self.moving_variance_initializer, trainable=False,
                                               autocast=False)
        self.input_spec = InputSpec(ndim=rank, axes={axis: channels})
        self.built = True

    def call(self, inputs, training=None, mask=None):
        inputs, output_dtype = _as_float(inputs, self.dtype)
        dtype = K.standardize_dtype(inputs.dtype)
        if mask is not None and len(mask.shape) != len(inputs.shape) - 1:
            raise ValueError(
                f"BatchNormalization {self.name!r} expects a mask with one dimension less "
                f"than its inputs (no channel axis). Received a mask of shape "
                f"{tuple(mask.shape)} for inputs of shape {tuple(inputs.shape)}.")
        if training and self.trainable:
            mean, variance = self._moments(inputs, mask)
            self._update_moving(mean, variance)
        else:
            mean = K.cast(self.moving_mean, dtype)
            variance = K.cast(self.moving_variance, dtype)
        gamma = K.cast(self.gamma, dtype) if self.gamma is not None else None
        beta = K.cast(self.beta, dtype) if self.beta is not None else None
        outputs = K.batch_normalization(inputs, mean, variance, axis=self._channel_axis,
                                        offset=beta, scale=gamma, epsilon=self.epsilon)
        return K.cast(outputs, output_dtype)

    def _moments(self, inputs, mask):
        if mask is None:
            return K.moments(inputs, axes=self._reduction_axes, synchronized=self.synchronized)
        weights = K.expand_dims(K.cast(mask, inputs.dtype), self._channel_axis)
        count = K.sum(weights, axis=self._reduction_axes) + K.epsilon()
        mean = K.sum(weights * inputs, axis=self._reduction_axes) / count
        shape = [1] * len(inputs.shape)
        shape[self._channel_axis] = -1
        centered = inputs - K.reshape(mean, shape)
        variance = K.sum(weights * K.square(centered), axis=self._reduction_axes) / count
        return mean, variance

    def _update_moving(self, mean, variance):
        momentum = self.momentum
        for moving, batch in ((self.moving_mean, mean), (self.moving_variance, variance)):
            batch = K.cast(K.stop_gradient(batch), moving.dtype)
            moving.assign(moving * momentum + batch * (1.0 - momentum))

    def get_config(self):
        config = super().get_config()
        config.update(
            moving_mean_initializer=serialize_setting(self.moving_mean_initializer),
            moving_variance_initializer=serialize_setting(self.moving_variance_initializer))
        return config


class LayerNormalization(_AffineNormalization):
    """Normalize each example over ``axis`` (by default its features), independently
    of the rest of the batch.

    ``LayerNormalization(axis=-1, epsilon=1e-3, center=True, scale=True,
    rms_scaling=False, beta_initializer="zeros", gamma_initializer="ones",
    beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
    gamma_constraint=None)``.

    The output is ``gamma * (x - mean) / sqrt(variance + epsilon) + beta`` with the
    mean and variance over ``axis`` (an int or a list of ints); ``gamma`` and
    ``beta`` have the sizes of those axes. With ``rms_scaling=True`` the output is
    ``gamma * x / sqrt(mean(x**2) + epsilon)`` (no mean, no ``beta``), as in RMSNorm.
    The same computation runs in training and inference.

    >>> from lamina import backend as K, layers
    >>> ln = layers.LayerNormalization(epsilon=0.0)
    >>> y = ln(K.convert_to_tensor([[1.0, 3.0], [10.0, 20.0]]))
    >>> K.convert_to_numpy(y).tolist()
    [[-1.0, 1.0], [-1.0, 1.0]]
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.axis = _check_axis_type(f"LayerNormalization {self.name!r}", axis)
        self.epsilon = self._check_epsilon(epsilon)
        self.rms_scaling = bool(rms_scaling)
        self._set_affine(center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        axes = _normalize_axes(self, self.axis, input_shape)
        sizes = _known_sizes(self, axes, input_shape)
        self._axes = axes
        self._param_shape = [input_shape[a] if a in axes else 1 for a in range(rank)]
        self._make_gamma_beta(sizes, gamma=self.scale or self.rms_scaling,
                              beta=self.center and not self.rms_scaling)
        self.input_spec = InputSpec(ndim=rank, axes=dict(zip(axes, sizes)))
        self.built = True

    def _broadcast(self, weight, dtype):
        return K.reshape(K.cast(weight, dtype), self._param_shape)

    def call(self, inputs):
        inputs, output_dtype = _as_float(inputs, self.dtype)
        dtype = K.standardize_dtype(inputs.dtype)
        if self.rms_scaling:
            mean_square = K.mean(K.square(inputs), axis=self._axes, keepdims=True)
            inv = K.rsqrt(mean_square + self.epsilon)
            outputs = inputs * inv * self._broadcast(self.gamma, dtype)
        else:
            mean, variance = K.moments(inputs, axes=self._axes, keepdims=True)
            inv = K.rsqrt(variance + self.epsilon)
            if self.gamma is not None:
                inv = inv * self._broadcast(self.gamma, dtype)
            shift = -mean * inv
            if self.beta is not None:
                shift = shift + self._broadcast(self.beta, dtype)
            outputs = inputs * inv + shift
        return K.cast(outputs, output_dtype)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class GroupNormalization(_AffineNormalization):
    """Split the channels into ``groups`` and normalize each example over every group
    (its channels and all non-batch, non-channel axes).

    ``GroupNormalization(groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
    beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
    gamma_regularizer=None, beta_constraint=None, gamma_constraint=None)``.

    The number of channels (the size of ``axis``) must be a multiple of ``groups``;
    ``groups=-1`` puts each channel in its own group (instance normalization) and
    ``groups=1`` normalizes over all channels (layer normalization). ``gamma`` and
    ``beta`` have one value per channel.

    >>> from lamina import backend as K, layers
    >>> gn = layers.GroupNormalization(groups=2, epsilon=0.0)
    >>> y = gn(K.convert_to_tensor([[1.0, 3.0, 10.0, 30.0]]))
    >>> K.convert_to_numpy(y).tolist()
    [[-1.0, 1.0, -1.0, 1.0]]
    >>> layers.GroupNormalization(groups=4, name="gn")(K.Input((6,)))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: GroupNormalization layer 'gn': ... must be a multiple of groups (4)...
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        if not is_int(groups) or (groups <= 0 and groups != -1):
            raise ValueError(f"GroupNormalization {self.name!r}: groups must be a positive int "
                             f"or -1 (one group per channel); received {groups!r}.")
        if not is_int(axis):
            raise TypeError(f"GroupNormalization {self.name!r}: axis must be an int (the "
                            f"channel axis); received {axis!r}.")
        self.groups = int(groups)
        self.axis = int(axis)
        self.epsilon = self._check_epsilon(epsilon)
        self._set_affine(center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        where = f"GroupNormalization layer {self.name!r}"
        if rank < 2:
            raise ValueError(f"{where} expects inputs of rank >= 2 (a batch of examples). "
                             f"Received input shape {tuple(input_shape)}.")
        (axis,) = _normalize_axes(self, self.axis, input_shape)
        if axis == 0:
            raise ValueError(f"{where}: axis {self.axis} is the batch axis; the channel axis "
                             f"must be another one. Received input shape {tuple(input_shape)}.")
        (channels,) = _known_sizes(self, [axis], input_shape)
        groups = channels if self.groups == -1 else self.groups
        if groups > channels:
            raise ValueError(f"{where}: groups ({groups}) cannot be more than the number of "
                             f"channels ({channels}, on axis {self.axis}). Received input "
                             f"shape {tuple(input_shape)}.")
        if channels % groups:
            raise ValueError(f"{where}: the number of channels ({channels}, on axis "
                             f"{self.axis}) must be a multiple of groups ({groups}). Received "
                             f"input shape {tuple(input_shape)}.")
        self._channel_axis = axis
        self._num_groups = groups
        self._make_gamma_beta((channels,), gamma=self.scale, beta=self.center)
        # In the grouped view, axis -> (groups, channels // groups) at axis, axis + 1.
        self._group_param_shape = [1] * (rank + 1)
        self._group_param_shape[axis] = groups
        self._group_param_shape[axis + 1] = channels // groups
        self._group_reduction_axes = [a for a in range(1, rank + 1) if a != axis]
        self.input_spec = InputSpec(ndim=rank, axes={axis: channels})
        self.built = True

    def call(self, inputs):
        inputs, output_dtype = _as_float(inputs, self.dtype)
        dtype = K.standardize_dtype(inputs.dtype)
        axis, groups = self._channel_axis, self._num_groups
        shape = K.shape(inputs)
        grouped_shape = [-1] + list(shape[1:axis]) + [groups, shape[axis] // groups] + list(
            shape[axis + 1:])
        grouped = K.reshape(inputs, grouped_shape)
        mean, variance = K.moments(grouped, axes=self._group_reduction_axes, keepdims=True)
        inv = K.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * K.reshape(K.cast(self.gamma, dtype), self._group_param_shape)
        shift = -mean * inv
        if self.beta is not None:
            shift = shift + K.reshape(K.cast(self.beta, dtype), self._group_param_shape)
        outputs = K.reshape(grouped * inv + shift, shape)
        return K.cast(outputs, output_dtype)


class UnitNormalization(Layer):
    """Scale each example to unit L2 norm over ``axis`` (an int or a list of ints):
    ``x / sqrt(max(sum(x**2), 1e-12))``. No weights.

    ``UnitNormalization(axis=-1)``.

    >>> from lamina import backend as K, layers
    >>> y = layers.UnitNormalization()(K.convert_to_tensor([[3.0, 4.0], [0.0, 2.0]]))
    >>> [[round(v, 4) for v in row] for row in K.convert_to_numpy(y).tolist()]
    [[0.6, 0.8], [0.0, 1.0]]
    """

    _floating_inputs = True  # bool and integer inputs are cast to floats

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = _check_axis_type(f"UnitNormalization {self.name!r}", axis)
        self.supports_masking = True

    def build(self, input_shape):
        self._axes = _normalize_axes(self, self.axis, input_shape)
        self.built = True

    def call(self, inputs):
        inputs, output_dtype = _as_float(inputs, self.dtype)
        square_sum = K.sum(K.square(inputs), axis=self._axes, keepdims=True)
        return K.cast(inputs * K.rsqrt(K.maximum(square_sum, 1e-12)), output_dtype)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
