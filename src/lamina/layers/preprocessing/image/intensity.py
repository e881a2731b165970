"""Random changes of pixel values: RandomContrast, RandomBrightness.

In training each image gets its own draw and the result is clipped to ``value_range``
(default ``(0, 255)``); at inference they return their input (as floats).
"""

from lamina import backend as K
from lamina.layers.pooling import arguments
from lamina.layers.preprocessing.image.base import RandomImageLayer


class _IntensityLayer(RandomImageLayer):
    """A random layer with a ``value_range`` that results are clipped to."""

    def __init__(self, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        valid = isinstance(value_range, (tuple, list)) and len(value_range) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value_range)
        if not valid or value_range[0] >= value_range[1]:
            raise ValueError(f"{arguments.where(self)}: expected value_range to be a pair "
                             f"(low, high) of numbers with low < high; received "
                             f"{value_range!r}.")
        self.value_range = tuple(value_range)

    def clipped(self, values):
        return K.clip(values, self.value_range[0], self.value_range[1])


class RandomContrast(_IntensityLayer):
    """In training, scale each image's deviation from its per-channel mean by a factor
    drawn in ``[1 - lower, 1 + upper]``, ``factor`` being a number in [0, 1] (``lower =
    upper = factor``) or a pair ``(lower, upper)``, then clip to ``value_range``.

    ``RandomContrast(factor, value_range=(0, 255), seed=None)``.

    >>> from lamina import backend as K, layers
    >>> contrast = layers.RandomContrast((0.0, 1.0), value_range=(0, 1), seed=0)
    >>> x = K.convert_to_tensor([[[0.4], [0.6]]])
    >>> y = K.convert_to_numpy(contrast(x, training=True)).ravel()
    >>> bool(y[0] <= 0.4 and y[1] >= 0.6 and abs(y.mean() - 0.5) < 1e-6)
    True
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        self.factor = factor
        self.lower, self.upper = self.factor_range("factor", factor, bounds=(0.0, 1.0),
                                                   symmetric=False)

    def call(self, inputs, training=None):
        inputs = self.floats(inputs)
        if not training:
            return inputs
        contrast = self.uniform(self.draw_shape(inputs, broadcast=True), 1 - self.lower,
                                1 + self.upper)
        mean = K.mean(inputs, axis=self.axes(inputs), keepdims=True)
        return self.clipped((inputs - mean) * contrast + mean)


class RandomBrightness(_IntensityLayer):
    """In training, add to each image a random fraction of the width of ``value_range``,
    drawn in ``factor`` (a number ``f`` in [-1, 1]: between ``-|f|`` and ``|f|``; or a
    pair), then clip to ``value_range``.

    ``RandomBrightness(factor, value_range=(0, 255), seed=None)``.

    >>> from lamina import backend as K, layers
    >>> brighter = layers.RandomBrightness((0.5, 0.5), value_range=(0, 1))
    >>> y = brighter(K.convert_to_tensor([[[0.2], [0.7]]]), training=True)
    >>> [round(v, 4) for v in K.convert_to_numpy(y).ravel().tolist()]
    [0.7, 1.0]
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        self.factor = factor
        self.lower, self.upper = self.factor_range("factor", factor)

    def call(self, inputs, training=None):
        inputs = self.floats(inputs)
        if not training:
            return inputs
        width = self.value_range[1] - self.value_range[0]
        delta = self.uniform(self.draw_shape(inputs, broadcast=True), self.lower * width,
                             self.upper * width)
        return self.clipped(inputs + delta)
