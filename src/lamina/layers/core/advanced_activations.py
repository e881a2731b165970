"""Activation layers with arguments: ReLU, LeakyReLU, PReLU (a learned slope), ELU,
Softmax (masked) and Keras 2's ThresholdedReLU.

Each keeps the input's shape and passes the input mask on. Keras 2's ``alpha=``
argument of LeakyReLU still works and warns that ``negative_slope`` is its Keras 3
name.

>>> from lamina import backend as K, layers
>>> x = K.constant([-2.0, 0.5, 8.0])
>>> K.convert_to_numpy(layers.ReLU(max_value=6.0)(x)).tolist()
[0.0, 0.5, 6.0]
>>> K.convert_to_numpy(layers.LeakyReLU(negative_slope=0.5)(x)).tolist()
[-1.0, 0.5, 8.0]
"""

import warnings

import numpy as np

from lamina import activations, constraints, initializers, regularizers
from lamina import backend as K
from lamina.layers.layer import InputSpec, Layer
from lamina.layers.settings import serialize_setting


def _check_number(layer, argument, value, allow_none=False):
    """Raise unless ``value`` is a non-negative number (or None when allowed)."""
    if value is None and allow_none:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or value < 0:
        expected = "a non-negative number or None" if allow_none else "a non-negative number"
        raise ValueError(f"{type(layer).__name__} {layer.name!r}: `{argument}` must be "
                         f"{expected}. Received {argument}={value!r}.")
    return float(value)


class ReLU(Layer):
    """The rectified linear unit with options: ``ReLU(max_value=None,
    negative_slope=0.0, threshold=0.0)``.

    ``f(x) = max_value`` for ``x >= max_value``, ``x`` for ``threshold < x <
    max_value``, and ``negative_slope * (x - threshold)`` up to ``threshold``.

    >>> from lamina import backend as K, layers
    >>> layer = layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.5)
    >>> [round(v, 4) for v in K.convert_to_numpy(layer(K.constant([-1.0, 0.7, 3.0]))).tolist()]
    [-0.15, 0.7, 1.0]
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _check_number(self, "max_value", max_value, allow_none=True)
        self.negative_slope = _check_number(self, "negative_slope", negative_slope)
        self.threshold = _check_number(self, "threshold", threshold)
        self.supports_masking = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        config = super().get_config()
        config.update(max_value=self.max_value, negative_slope=self.negative_slope,
                      threshold=self.threshold)
        return config


class LeakyReLU(Layer):
    """``x`` for ``x >= 0``, ``negative_slope * x`` below: ``LeakyReLU(negative_slope=0.3)``.

    Keras 2's ``LeakyReLU(alpha=...)`` is accepted with a DeprecationWarning.

    >>> from lamina import backend as K, layers
    >>> K.convert_to_numpy(layers.LeakyReLU()(K.constant([-10.0, 2.0]))).tolist()
    [-3.0, 2.0]
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("LeakyReLU: the argument `alpha` is Keras 2's name; use "
                          "`negative_slope` instead.", DeprecationWarning, stacklevel=3)
        super().__init__(**kwargs)
        self.negative_slope = _check_number(self, "negative_slope", negative_slope)
        self.supports_masking = True

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config


class PReLU(Layer):
    """A leaky ReLU whose negative slope ``alpha`` is a trainable weight:
    ``f(x) = x`` for ``x >= 0`` and ``alpha * x`` below.

    ``PReLU(alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
    shared_axes=None)``. ``alpha`` has the input's shape without the batch axis; the
    axes in ``shared_axes`` (counted with the batch axis as 0) share one slope, e.g.
    ``shared_axes=[1, 2]`` gives one slope per channel of an image.

    >>> from lamina import backend as K, layers
    >>> layer = layers.PReLU(alpha_initializer="ones", shared_axes=[1])
    >>> layer(K.Input((5, 3))).shape, layer.alpha.shape
    ((None, 5, 3), (1, 3))
    >>> from lamina import initializers
    >>> K.convert_to_numpy(layers.PReLU(alpha_initializer=initializers.Constant(0.5))(
    ...     K.constant([[-2.0, 4.0]]))).tolist()
    [[-1.0, 4.0]]
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]
        for axis in self.shared_axes or []:
            if isinstance(axis, bool) or not isinstance(axis, int) or axis < 1:
                raise ValueError(f"PReLU {self.name!r}: `shared_axes` must hold axes >= 1 (axis "
                                 f"0 is the batch). Received shared_axes={shared_axes!r}.")
        self.supports_masking = True

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if axis >= len(input_shape):
                raise ValueError(f"PReLU {self.name!r}: shared axis {axis} does not exist in "
                                 f"the input shape {tuple(input_shape)}.")
            shape[axis - 1] = 1
        unknown = [i + 1 for i, d in enumerate(shape) if d is None]
        if unknown:
            raise ValueError(f"PReLU {self.name!r} needs known sizes on the axes it does not "
                             f"share; axes {unknown} of the input shape {tuple(input_shape)} "
                             f"are unknown. Add them to `shared_axes`.")
        self.alpha = self.add_weight("alpha", shape, self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self.input_spec = InputSpec(ndim=len(input_shape),
                                    axes={i + 1: d for i, d in enumerate(shape) if d != 1})
        self.built = True

    def call(self, inputs):
        return K.subtract(K.relu(inputs), K.multiply(self.alpha, K.relu(K.negative(inputs))))

    def get_config(self):
        config = super().get_config()
        config.update(alpha_initializer=serialize_setting(self.alpha_initializer),
                      alpha_regularizer=serialize_setting(self.alpha_regularizer),
                      alpha_constraint=serialize_setting(self.alpha_constraint),
                      shared_axes=self.shared_axes)
        return config


class ELU(Layer):
    """The exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` below.

    ``ELU(alpha=1.0)``.

    >>> from lamina import backend as K, layers
    >>> K.convert_to_numpy(layers.ELU(alpha=2.0)(K.constant([0.0, 3.0]))).tolist()
    [0.0, 3.0]
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.number)):
            raise ValueError(f"ELU {self.name!r}: `alpha` must be a number. "
                             f"Received alpha={alpha!r}.")
        self.alpha = float(alpha)
        self.supports_masking = True

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class Softmax(Layer):
    """The softmax over ``axis`` (an int or a tuple of ints): ``Softmax(axis=-1)``.

    ``layer(inputs, mask=None)``: where ``mask`` is False the output is 0 and the other
    entries share the probability; an entirely masked slice is all zeros. A mask with
    fewer axes than the inputs covers their leading axes (a ``(batch, time)`` mask
    from ``Masking`` or ``Embedding(mask_zero=True)`` masks whole timesteps).

    >>> from lamina import backend as K, layers
    >>> x = K.constant([[1.0, 1.0, 5.0]])
    >>> K.convert_to_numpy(layers.Softmax()(x, mask=K.constant([[True, True, False]]))).tolist()
    [[0.5, 0.5, 0.0]]
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
        self.supports_masking = True

    def call(self, inputs, mask=None):
        inputs = activations._float32_under_mixed_precision(inputs)
        if mask is None:
            return K.softmax(inputs, axis=self.axis)
        keep = K.cast(mask, "bool")
        for _ in range(K.ndim(inputs) - K.ndim(keep)):
            keep = K.expand_dims(keep, -1)
        lowest = float(np.finfo(K.standardize_dtype(K.dtype(inputs))).min) / 2
        outputs = K.softmax(K.where(keep, inputs, lowest), axis=self.axis)
        return K.multiply(outputs, K.cast(keep, K.dtype(outputs)))

    def get_config(self):
        config = super().get_config()
        config["axis"] = list(self.axis) if isinstance(self.axis, tuple) else self.axis
        return config


class ThresholdedReLU(Layer):
    """Keras 2's thresholded ReLU: ``x`` for ``x > theta``, 0 otherwise.

    ``ThresholdedReLU(theta=1.0)``; Keras 3 writes it ``ReLU(threshold=theta)`` (which
    keeps ``x == theta`` too).

    >>> from lamina import backend as K, layers
    >>> K.convert_to_numpy(layers.ThresholdedReLU(1.0)(K.constant([0.5, 1.0, 2.0]))).tolist()
    [0.0, 0.0, 2.0]
    """

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.theta = _check_number(self, "theta", theta)
        self.supports_masking = True

    def call(self, inputs):
        above = K.cast(K.greater(inputs, self.theta), K.dtype(inputs))
        return K.multiply(inputs, above)

    def get_config(self):
        config = super().get_config()
        config["theta"] = self.theta
        return config
