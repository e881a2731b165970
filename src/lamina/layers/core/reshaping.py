"""Layers that change a tensor's shape: Reshape, Flatten, Permute, RepeatVector."""

import math

from lamina import backend as K
from lamina._arguments import as_ints, is_int
from lamina.backend import symbolic
from lamina.layers.layer import InputSpec, Layer


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (the batch dimension is kept).

    The output has shape ``(batch,) + target_shape``; one entry of ``target_shape``
    may be -1. As in Keras, an input whose per-sample size is not known when the model
    is built (``Input([None, 28, 28])``) reshapes to ``(batch, *target_shape)``, and
    data whose samples do not hold that many values raise an error naming the layer.

    >>> import numpy as np
    >>> from lamina import backend as K, layers
    >>> flat = layers.Reshape((784,), name="flat")
    >>> flat(K.Input((None, 28, 28))).shape
    (None, 784)
    >>> layers.Reshape((-1, 2))(K.Input((3, 4))).shape
    (None, 6, 2)
    >>> flat(np.ones((2, 3, 28, 28), "float32"))
    Traceback (most recent call last):
    ...
    ValueError: Reshape layer 'flat' could not be called on inputs of shape (2, 3, 28, 28): \
Reshape 'flat' expects 784 values per sample (target_shape (784,)); received inputs of \
shape (2, 3, 28, 28) (2352 values per sample).
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = as_ints(target_shape)
        if sum(1 for d in target_shape if d == -1) > 1 or any(
                not is_int(d) or (d < 1 and d != -1) for d in target_shape):
            raise ValueError(f"Reshape {self.name!r}: target_shape must hold positive ints and "
                             f"at most one -1; received {target_shape}.")
        self.target_shape = target_shape

    def build(self, input_shape):
        known = input_shape[1:]
        if None not in known:
            size = math.prod(known)
            fixed = math.prod(d for d in self.target_shape if d != -1)
            bad = (size % fixed) if -1 in self.target_shape else (size != fixed)
            if bad:
                raise ValueError(f"Reshape {self.name!r}: cannot reshape inputs of shape "
                                 f"{tuple(input_shape)} ({size} values per sample) into "
                                 f"target_shape {self.target_shape}.")
        self.built = True

    def call(self, inputs):
        target = self.target_shape
        shape = tuple(inputs.shape)
        declared = getattr(self, "_build_shapes", shape)[1:]
        if symbolic.is_probing() and None in declared:  # the size per sample is unknown
            # -1 stands for an unknown axis: give it a size that differs between the
            # two probe runs (the first unknown axis's), whatever the probes' product
            unknown = shape[1 + declared.index(None)]
            return K.zeros((shape[0],) + tuple(unknown if d == -1 else d for d in target),
                           dtype=K.dtype(inputs))
        if -1 not in target:
            size = math.prod(target)
            if not symbolic.is_probing() and None not in shape and \
                    math.prod(shape[1:]) != size:
                raise ValueError(
                    f"Reshape {self.name!r} expects {size} values per sample (target_shape "
                    f"{target}); received inputs of shape {shape} "
                    f"({math.prod(shape[1:])} values per sample).")
        return K.reshape(inputs, (K.shape(inputs)[0],) + target)


class Flatten(Layer):
    """Flatten each sample to one dimension.

    >>> from lamina import backend as K, layers
    >>> layers.Flatten()(K.Input((3, 4))).shape
    (None, 12)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = K.config.standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        if self.data_format == "channels_first" and len(inputs.shape) > 2:
            inputs = K.moveaxis(inputs, 1, -1)
        rest = inputs.shape[1:]
        if None not in rest:
            return K.reshape(inputs, (-1, math.prod(rest)))
        return K.reshape(inputs, (K.shape(inputs)[0], -1))


class Permute(Layer):
    """Permute the non-batch axes: ``dims`` numbers them from 1.

    >>> from lamina import backend as K, layers
    >>> layers.Permute((2, 1))(K.Input((3, 4))).shape
    (None, 4, 3)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute {self.name!r}: dims must be a permutation of 1..{len(dims)}"
                             f"; received {dims}.")
        self.dims = dims
        self.input_spec = InputSpec(ndim=len(dims) + 1)

    def call(self, inputs):
        return K.transpose(inputs, (0,) + self.dims)


class RepeatVector(Layer):
    """Repeat a (batch, features) input ``n`` times: (batch, n, features).

    >>> from lamina import backend as K, layers
    >>> layers.RepeatVector(3)(K.Input((5,))).shape
    (None, 3, 5)
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return K.repeat(K.expand_dims(inputs, 1), self.n, axis=1)
