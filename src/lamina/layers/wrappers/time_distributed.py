"""TimeDistributed: one layer applied to every time slice of a (samples, time, ...) input.

The time axis is folded into the batch with one reshape, the inner layer runs once on
(samples * time, ...), and its output is unfolded to (samples, time, ...). The input
mask is folded the same way and given to the inner layer; the output mask is the inner
layer's (unfolded) when it computes one, else the input mask.
"""

from lamina import backend as K
from lamina.backend import tree
from lamina.layers.layer import InputSpec
from lamina.layers.wrappers.wrapper import Wrapper


class TimeDistributed(Wrapper):
    """Apply ``layer`` to every temporal slice of the input.

    ``TimeDistributed(layer)``: the input has at least 3 dimensions, the second being
    time; the output is ``(samples, time, *layer_output_shape[1:])``. The inner layer's
    weights are shared across time.

    >>> from lamina import backend as K, layers
    >>> td = layers.TimeDistributed(layers.Dense(8))
    >>> td(K.Input((10, 16))).shape, [w.shape for w in td.weights]
    ((None, 10, 8), [(16, 8), (8,)])
    >>> K.convert_to_numpy(td(K.ones((2, 10, 16)))).shape
    (2, 10, 8)
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)

    def _inner_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 3:
            raise ValueError(f"TimeDistributed layer {self.name!r} expects inputs of rank >= 3 "
                             f"(samples, time, ...). Received input shape {input_shape}.")
        samples, steps = input_shape[:2]
        folded = None if samples is None or steps is None else samples * steps
        return (folded,) + input_shape[2:]

    def build(self, input_shape):
        self.build_inner(self.layer, self._inner_shape(input_shape))
        self.built = True

    def _check_mask(self, inputs, mask):
        if mask is None:
            return
        expected, received = tuple(K.shape(inputs)[:2]), tuple(K.shape(mask)[:2])
        if expected != received:
            raise ValueError(f"TimeDistributed layer {self.name!r} expects a mask whose first "
                             f"two dimensions are the inputs' {expected}. Received a mask of "
                             f"shape {tuple(K.shape(mask))}.")

    def call(self, inputs, training=None, mask=None):
        self._check_mask(inputs, mask)
        kwargs = {"training": training}
        if mask is not None:
            kwargs["mask"] = fold(mask)
        outputs = self.layer(fold(inputs), **kwargs)
        return tree.map_structure(lambda y: unfold(y, inputs), outputs)

    def compute_mask(self, inputs, mask=None):
        inner_mask = self.layer.compute_mask(
            fold(inputs), None if mask is None else fold(mask))
        if inner_mask is None:
            return mask
        return tree.map_structure(lambda m: unfold(m, inputs), inner_mask)


def fold(x):
    """``x`` of shape (samples, time, ...) as (samples * time, ...).

    >>> from lamina import backend as K
    >>> K.shape(fold(K.zeros((2, 3, 4))))
    (6, 4)
    """
    return K.reshape(x, (-1,) + tuple(K.shape(x)[2:]))


def unfold(y, like):
    """``y`` of shape (samples * time, ...) back to (samples, time, ...), the first two
    dimensions taken from ``like``.

    >>> from lamina import backend as K
    >>> K.shape(unfold(K.zeros((6, 5)), K.zeros((2, 3, 4))))
    (2, 3, 5)
    """
    return K.reshape(y, tuple(K.shape(like)[:2]) + tuple(K.shape(y)[1:]))
