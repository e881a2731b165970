"""Merging layers: combine a list of tensors into one.

Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum and Dot, each called
on a list of tensors (``build`` receives the list of their shapes), with the
lower-case functional forms Keras offers (``concatenate([a, b])``).

Shapes are checked when the layer is built, so that a mismatch is reported where the
model is written, with the layer's name and every received shape. The element-wise
layers broadcast (a size of 1 matches any size) and, as in Keras, give an input of
lower rank extra axes of size 1 after the batch axis.

Masks, as in Keras 2: the element-wise layers pass on the AND of the masks their
inputs carry (inputs without a mask are ignored); Concatenate concatenates the
masks (an input without one counts as unmasked), then keeps a position when every
concatenated entry is kept; Dot drops masks.
"""

from lamina import backend as K
from lamina._arguments import as_int, as_ints, is_int
from lamina.layers.layer import Layer


def _where(layer):
    return f"{type(layer).__name__} layer {layer.name!r}"


def _is_shape_list(input_shape):
    return isinstance(input_shape, (list, tuple)) and len(input_shape) > 0 and all(
        isinstance(s, (list, tuple)) for s in input_shape)


def _shapes_text(shapes):
    return ", ".join(str(tuple(s)) for s in shapes)


class Merge(Layer):
    """The base of the element-wise merging layers; subclasses define ``_merge``
    (a list of same-rank tensors -> one tensor).

    ``min_inputs`` and ``max_inputs`` bound the number of inputs.
    """

    min_inputs = 1
    max_inputs = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_list(self, input_shape):
        if not _is_shape_list(input_shape):
            raise ValueError(f"{_where(self)} should be called on a list of tensors. "
                             f"Received input shape {input_shape}.")
        count = len(input_shape)
        if count < self.min_inputs or (self.max_inputs is not None and count > self.max_inputs):
            if self.max_inputs == self.min_inputs:
                expected = f"exactly {self.min_inputs}"
            else:
                expected = f"at least {self.min_inputs}"
            raise ValueError(f"{_where(self)} should be called on a list of {expected} inputs. "
                             f"Received {count} inputs of shapes {_shapes_text(input_shape)}.")
        batches = {s[0] for s in input_shape if len(s) > 0} - {None}
        if len(batches) > 1:
            raise ValueError(f"{_where(self)} cannot merge tensors with different batch sizes. "
                             f"Received shapes {_shapes_text(input_shape)}.")

    def build(self, input_shape):
        self._check_list(input_shape)
        rank = max(len(s) for s in input_shape)
        padded = [_pad_rank(tuple(s), rank) for s in input_shape]
        for axis in range(1, rank):
            sizes = {s[axis] for s in padded} - {None, 1}
            if len(sizes) > 1:
                raise ValueError(f"{_where(self)}: inputs have incompatible shapes. Received "
                                 f"shapes {_shapes_text(input_shape)}.")
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{_where(self)} should be called on a list of tensors. Received "
                             f"a single tensor of shape {tuple(inputs.shape)}.")
        ranks = [len(x.shape) for x in inputs]
        rank = max(ranks)
        if min(ranks) < rank:
            inputs = [_expand_to_rank(x, rank) for x in inputs]
        return self._merge(list(inputs))

    def _merge(self, inputs):
        raise NotImplementedError

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        masks = [m for m in mask if m is not None] if isinstance(mask, (list, tuple)) else [mask]
        if not masks:
            return None
        output = masks[0]
        for m in masks[1:]:
            output = K.logical_and(output, m)
        return output


def _pad_rank(shape, rank):
    """``shape`` with axes of size 1 inserted after the batch axis up to ``rank``."""
    return shape[:1] + (1,) * (rank - len(shape)) + shape[1:]


def _expand_to_rank(x, rank):
    while len(x.shape) < rank:
        x = K.expand_dims(x, 1)
    return x


class Add(Merge):
    """The element-wise sum of a list of tensors.

    >>> from lamina import backend as K, layers
    >>> a, b = K.constant([[1.0, 2.0]]), K.constant([[10.0, 20.0]])
    >>> K.convert_to_numpy(layers.Add()([a, b])).tolist()
    [[11.0, 22.0]]
    >>> layers.Add()([K.Input((3,)), K.Input((3,))]).shape
    (None, 3)
    """

    def _merge(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = K.add(output, x)
        return output


class Subtract(Merge):
    """``inputs[0] - inputs[1]``, for a list of exactly two tensors.

    >>> from lamina import backend as K, layers
    >>> a, b = K.constant([[5.0, 7.0]]), K.constant([[1.0, 2.0]])
    >>> K.convert_to_numpy(layers.Subtract()([a, b])).tolist()
    [[4.0, 5.0]]
    """

    min_inputs = max_inputs = 2

    def _merge(self, inputs):
        return K.subtract(inputs[0], inputs[1])


class Multiply(Merge):
    """The element-wise product of a list of tensors.

    >>> from lamina import backend as K, layers
    >>> a, b = K.constant([[2.0, 3.0]]), K.constant([[4.0, 5.0]])
    >>> K.convert_to_numpy(layers.Multiply()([a, b])).tolist()
    [[8.0, 15.0]]
    """

    def _merge(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = K.multiply(output, x)
        return output


class Average(Merge):
    """The element-wise mean of a list of tensors.

    >>> from lamina import backend as K, layers
    >>> a, b = K.constant([[1.0, 2.0]]), K.constant([[3.0, 6.0]])
    >>> K.convert_to_numpy(layers.Average()([a, b])).tolist()
    [[2.0, 4.0]]
    """

    def _merge(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = K.add(output, x)
        return K.divide(output, len(inputs))


class Maximum(Merge):
    """The element-wise maximum of a list of tensors.

    >>> from lamina import backend as K, layers
    >>> a, b = K.constant([[1.0, 5.0]]), K.constant([[3.0, 2.0]])
    >>> K.convert_to_numpy(layers.Maximum()([a, b])).tolist()
    [[3.0, 5.0]]
    """

    def _merge(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = K.maximum(output, x)
        return output


class Minimum(Merge):
    """The element-wise minimum of a list of tensors.

    >>> from lamina import backend as K, layers
    >>> a, b = K.constant([[1.0, 5.0]]), K.constant([[3.0, 2.0]])
    >>> K.convert_to_numpy(layers.Minimum()([a, b])).tolist()
    [[1.0, 2.0]]
    """

    def _merge(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = K.minimum(output, x)
        return output


class Concatenate(Merge):
    """Concatenate a list of tensors along ``axis``; every other axis must match.

    ``Concatenate(axis=-1)``.

    >>> from lamina import backend as K, layers
    >>> layers.Concatenate()([K.Input((2, 3)), K.Input((2, 5))]).shape
    (None, 2, 8)
    >>> layers.Concatenate(axis=1)([K.Input((2, 3)), K.Input((4, 3))]).shape
    (None, 6, 3)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        self._check_list(input_shape)
        ranks = {len(s) for s in input_shape}
        problem = None
        if len(ranks) > 1:
            problem = "inputs of the same rank"
        else:
            rank = ranks.pop()
            if not -rank <= self.axis < rank:
                problem = f"an axis within the inputs' rank {rank} (axis={self.axis})"
            else:
                axis = self.axis % rank
                for i in range(rank):
                    sizes = {s[i] for s in input_shape} - {None}
                    if i != axis and len(sizes) > 1:
                        problem = (f"inputs with matching shapes except for the "
                                   f"concatenation axis {self.axis}")
        if problem is not None:
            raise ValueError(f"{_where(self)} requires {problem}. Received input shapes "
                             f"{_shapes_text(input_shape)}.")
        self.built = True

    def call(self, inputs):
        return K.concatenate(list(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        if mask is None or not isinstance(mask, (list, tuple)) or all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                m = K.ones_like(x, dtype="bool")
            elif len(m.shape) < len(x.shape):
                m = K.broadcast_to(K.expand_dims(m, -1), K.shape(x))
            masks.append(m)
        return K.all(K.concatenate(masks, axis=self.axis), axis=-1)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class Dot(Merge):
    """The dot product of two tensors' samples along ``axes`` (Keras's batch dot).

    ``Dot(axes, normalize=False)``: ``axes`` is an int (the same axis of both) or a
    pair (an axis of each); with ``normalize=True`` both are L2-normalized along those
    axes first, so the result is the cosine similarity. The output has the batch
    axis, the first input's other axes, then the second's; two 2-D inputs give
    ``(batch, 1)``.

    >>> from lamina import backend as K, layers
    >>> a, b = K.constant([[1.0, 2.0], [3.0, 4.0]]), K.constant([[5.0, 6.0], [7.0, 8.0]])
    >>> K.convert_to_numpy(layers.Dot(axes=1)([a, b])).tolist()
    [[17.0], [53.0]]
    >>> layers.Dot(axes=(1, 2))([K.Input((3, 5)), K.Input((10, 3))]).shape
    (None, 5, 10)
    """

    min_inputs = max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axes, (list, tuple)):
            if len(axes) != 2 or not all(is_int(a) for a in axes):
                raise ValueError(f"{_where(self)}: axes must be an int or a pair of ints. "
                                 f"Received axes={axes!r}.")
            axes = as_ints(axes)
        elif not is_int(axes):
            raise TypeError(f"{_where(self)}: axes must be an int or a pair of ints. "
                            f"Received axes={axes!r}.")
        self.axes = as_int(axes)
        self.normalize = bool(normalize)
        self.supports_masking = False

    def _axes_for(self, rank1, rank2):
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        return axes[0] % rank1, axes[1] % rank2

    def build(self, input_shape):
        self._check_list(input_shape)
        shape1, shape2 = (tuple(s) for s in input_shape)
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(f"{_where(self)} needs inputs of rank >= 2. Received input shapes "
                             f"{_shapes_text(input_shape)}.")
        a1, a2 = self._axes_for(len(shape1), len(shape2))
        if a1 == 0 or a2 == 0:
            raise ValueError(f"{_where(self)} cannot take the dot product over the batch axis "
                             f"(axes={self.axes!r}). Received input shapes "
                             f"{_shapes_text(input_shape)}.")
        d1, d2 = shape1[a1], shape2[a2]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(f"{_where(self)}: incompatible input shapes: size {d1} at axis {a1} "
                             f"!= size {d2} at axis {a2}. Received input shapes "
                             f"{_shapes_text(input_shape)}.")
        self.built = True

    def call(self, inputs):
        x1, x2 = inputs
        a1, a2 = self._axes_for(len(x1.shape), len(x2.shape))
        if self.normalize:
            x1 = K.l2_normalize(x1, axis=a1)
            x2 = K.l2_normalize(x2, axis=a2)
        return K.batch_dot(x1, x2, axes=(a1, a2))

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update(axes=list(self.axes) if isinstance(self.axes, tuple) else self.axes,
                      normalize=self.normalize)
        return config


def add(inputs, **kwargs):
    """``Add(**kwargs)(inputs)``.

    >>> from lamina import backend as K, layers
    >>> layers.add([K.Input((3,)), K.Input((3,))]).shape
    (None, 3)
    """
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract(**kwargs)(inputs)``.

    >>> from lamina import backend as K, layers
    >>> layers.subtract([K.Input((3,)), K.Input((3,))]).shape
    (None, 3)
    """
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply(**kwargs)(inputs)``.

    >>> from lamina import backend as K, layers
    >>> layers.multiply([K.Input((3,)), K.Input((3,))]).shape
    (None, 3)
    """
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average(**kwargs)(inputs)``.

    >>> from lamina import backend as K, layers
    >>> layers.average([K.Input((3,)), K.Input((3,))]).shape
    (None, 3)
    """
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``Maximum(**kwargs)(inputs)``.

    >>> from lamina import backend as K, layers
    >>> layers.maximum([K.Input((3,)), K.Input((3,))]).shape
    (None, 3)
    """
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``Minimum(**kwargs)(inputs)``.

    >>> from lamina import backend as K, layers
    >>> layers.minimum([K.Input((3,)), K.Input((3,))]).shape
    (None, 3)
    """
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis, **kwargs)(inputs)``.

    >>> from lamina import backend as K, layers
    >>> layers.concatenate([K.Input((3,)), K.Input((2,))]).shape
    (None, 5)
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """``Dot(axes, normalize, **kwargs)(inputs)``.

    >>> from lamina import backend as K, layers
    >>> layers.dot([K.Input((3,)), K.Input((3,))], axes=1).shape
    (None, 1)
    """
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
