"""Random geometric augmentation: RandomFlip, RandomRotation, RandomZoom, RandomTranslation.

In training each image gets its own draw; the last three resample it through an affine
transform (``ops.image.affine_transform``) whose uncovered points follow ``fill_mode``
(default ``"reflect"``). At inference they return their input (as floats).
"""

import math

from lamina import backend as K
from lamina.layers.pooling import arguments
from lamina.layers.preprocessing.image.base import (AffineImageLayer, RandomImageLayer,
                                                    affine_rows)

_FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


class RandomFlip(RandomImageLayer):
    """In training, flip each image with probability 1/2: left-right (``"horizontal"``),
    upside down (``"vertical"``) or both at once (``"horizontal_and_vertical"``, the
    default).

    ``RandomFlip(mode="horizontal_and_vertical", seed=None, data_format=None)``.

    >>> from lamina import backend as K, layers
    >>> flip = layers.RandomFlip("horizontal", seed=1)
    >>> x = K.convert_to_tensor([[[[0.0], [1.0]]]] * 16)  # 16 images of one row [0, 1]
    >>> sorted(set(K.convert_to_numpy(flip(x, training=True))[:, 0, 0, 0].tolist()))
    [0.0, 1.0]
    >>> K.convert_to_numpy(flip(x))[0, 0, :, 0].tolist()
    [0.0, 1.0]
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.mode = arguments.choice(self, "mode", mode, _FLIP_MODES)

    def call(self, inputs, training=None):
        inputs = self.floats(inputs)
        if not training:
            return inputs
        flip = self.uniform(self.draw_shape(inputs, broadcast=True), 0.0, 1.0) <= 0.5
        rows, columns = self.axes(inputs)
        if self.mode != "vertical":
            inputs = K.where(flip, K.flip(inputs, axis=columns), inputs)
        if self.mode != "horizontal":
            inputs = K.where(flip, K.flip(inputs, axis=rows), inputs)
        return inputs


class RandomRotation(AffineImageLayer):
    """In training, rotate each image about its centre by a random fraction of a full
    turn in ``factor`` (a number ``f``: between ``-f`` and ``f``; or a pair ``(low,
    high)``); positive turns are counter-clockwise.

    ``RandomRotation(factor, fill_mode="reflect", interpolation="bilinear", seed=None,
    fill_value=0.0, data_format=None)``.

    >>> from lamina import backend as K, layers
    >>> turn = layers.RandomRotation((0.25, 0.25), interpolation="nearest")
    >>> x = K.reshape(K.arange(4, dtype="float32"), (2, 2, 1))
    >>> K.convert_to_numpy(turn(x, training=True))[:, :, 0].tolist()
    [[1.0, 3.0], [0.0, 2.0]]
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.factor = factor
        self.lower, self.upper = self.factor_range("factor", factor)

    def transforms(self, inputs, height, width):
        angle = self.uniform(self.draw_shape(inputs), self.lower * 2 * math.pi,
                             self.upper * 2 * math.pi)
        cos, sin = K.cos(angle), K.sin(angle)
        cx, cy = (width - 1) / 2, (height - 1) / 2
        return affine_rows(cos, -sin, cx - cx * cos + cy * sin,
                           sin, cos, cy - cx * sin - cy * cos, 0, 0)


class RandomZoom(AffineImageLayer):
    """In training, zoom each image about its centre: its height is scaled by ``1 / (1 +
    z)`` for ``z`` drawn in ``height_factor`` (a number ``f``: between ``-f`` and ``f``;
    or a pair), so positive values zoom out and negative ones zoom in; the width by a
    draw in ``width_factor``, or by the same ``z`` when None (aspect ratio kept).

    ``RandomZoom(height_factor, width_factor=None, fill_mode="reflect",
    interpolation="bilinear", seed=None, fill_value=0.0, data_format=None)``.

    >>> from lamina import backend as K, layers
    >>> zoom_in = layers.RandomZoom((-0.5, -0.5), interpolation="nearest")
    >>> x = K.reshape(K.arange(16, dtype="float32"), (4, 4, 1))
    >>> K.convert_to_numpy(zoom_in(x, training=True))[:, :, 0].tolist()[1]
    [5.0, 5.0, 6.0, 6.0]
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_range = self.factor_range("height_factor", height_factor)
        self.width_range = None if width_factor is None else \
            self.factor_range("width_factor", width_factor)

    def transforms(self, inputs, height, width):
        shape = self.draw_shape(inputs)
        zoom_y = 1 + self.uniform(shape, *self.height_range)
        zoom_x = zoom_y if self.width_range is None else 1 + self.uniform(shape, *self.width_range)
        return affine_rows(zoom_x, 0, (width - 1) / 2 * (1 - zoom_x),
                           0, zoom_y, (height - 1) / 2 * (1 - zoom_y), 0, 0)


class RandomTranslation(AffineImageLayer):
    """In training, shift each image by a random fraction of its height drawn in
    ``height_factor`` and of its width drawn in ``width_factor`` (each a number ``f``:
    between ``-f`` and ``f``; or a pair); positive values move it down and right.

    ``RandomTranslation(height_factor, width_factor, fill_mode="reflect",
    interpolation="bilinear", seed=None, fill_value=0.0, data_format=None)``.

    >>> from lamina import backend as K, layers
    >>> down = layers.RandomTranslation((0.5, 0.5), 0.0, fill_mode="constant")
    >>> x = K.ones((4, 2, 1))
    >>> K.convert_to_numpy(down(x, training=True))[:, 0, 0].tolist()
    [0.0, 0.0, 1.0, 1.0]
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_range = self.factor_range("height_factor", height_factor)
        self.width_range = self.factor_range("width_factor", width_factor)

    def transforms(self, inputs, height, width):
        shape = self.draw_shape(inputs)
        dy = self.uniform(shape, *self.height_range) * height
        dx = self.uniform(shape, *self.width_range) * width
        return affine_rows(1, 0, -dx, 0, 1, -dy, 0, 0)
