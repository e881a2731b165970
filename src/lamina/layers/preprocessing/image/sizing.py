"""Layers that give images a fixed size: Resizing, CenterCrop, RandomCrop.

An image smaller than a crop's target (in height or width) is resized instead, after
cropping the largest centred box of the target's aspect ratio, as Keras does.
"""

from lamina import backend as K
from lamina.backend.ops import image as image_ops
from lamina.layers.convolutional.arguments import positive_int
from lamina.layers.pooling import arguments
from lamina.layers.preprocessing.image.base import ImageLayer, RandomImageLayer

_RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")


def _target(layer, height, width):
    owner = arguments.where(layer)
    return positive_int(owner, "height", height), positive_int(owner, "width", width)


class Resizing(ImageLayer):
    """Resize images to ``(height, width)`` with ``ops.image.resize``.

    ``Resizing(height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, antialias=False,
    data_format=None)``: ``interpolation`` is ``"bilinear"``, ``"nearest"``,
    ``"bicubic"``, ``"lanczos3"`` or ``"lanczos5"``; ``crop_to_aspect_ratio`` crops the
    largest centred box of the target's aspect ratio first, ``pad_to_aspect_ratio``
    pads with ``fill_value`` instead, so that nothing is stretched.

    >>> from lamina import backend as K, layers
    >>> layers.Resizing(16, 24)(K.Input((32, 32, 3))).shape
    (None, 16, 24, 3)
    >>> x = K.reshape(K.arange(4, dtype="float32"), (1, 2, 2, 1))
    >>> K.convert_to_numpy(layers.Resizing(1, 1)(x)).ravel().tolist()
    [1.5]
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = _target(self, height, width)
        self.interpolation = arguments.choice(self, "interpolation", interpolation,
                                              _RESIZE_INTERPOLATIONS)
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(f"{arguments.where(self)}: crop_to_aspect_ratio and "
                             "pad_to_aspect_ratio cannot both be True.")
        self.fill_mode = arguments.choice(self, "fill_mode", fill_mode, ("constant",))
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def call(self, inputs):
        return image_ops.resize(self.floats(inputs), (self.height, self.width),
                                interpolation=self.interpolation, antialias=self.antialias,
                                crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                                pad_to_aspect_ratio=self.pad_to_aspect_ratio,
                                fill_value=self.fill_value, data_format=self.data_format)


class CenterCrop(ImageLayer):
    """The centred ``(height, width)`` box of each image (resized, after cropping to the
    target's aspect ratio, when an image is smaller than that).

    ``CenterCrop(height, width, data_format=None)``.

    >>> from lamina import backend as K, layers
    >>> x = K.reshape(K.arange(16, dtype="float32"), (4, 4, 1))
    >>> K.convert_to_numpy(layers.CenterCrop(2, 2)(x))[:, :, 0].tolist()
    [[5.0, 6.0], [9.0, 10.0]]
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = _target(self, height, width)

    def call(self, inputs):
        inputs = self.floats(inputs)
        height, width = self.image_size(inputs)
        if height < self.height or width < self.width:
            return image_ops.resize(inputs, (self.height, self.width), crop_to_aspect_ratio=True,
                                    data_format=self.data_format)
        top, left = (height - self.height) // 2, (width - self.width) // 2
        return image_ops.crop_images(inputs, top, left, target_height=self.height,
                                     target_width=self.width, data_format=self.data_format)


class RandomCrop(RandomImageLayer):
    """In training, the ``(height, width)`` box at one random position (the same for the
    whole batch) of images larger than that; otherwise, and at inference, the whole image
    resized to ``(height, width)`` (bilinear) after cropping the largest centred box of
    that aspect ratio, as Keras does.

    ``RandomCrop(height, width, seed=None, data_format=None)``.

    >>> from lamina import backend as K, layers
    >>> crop = layers.RandomCrop(2, 2, seed=0)
    >>> x = K.reshape(K.arange(16, dtype="float32"), (1, 4, 4, 1))
    >>> K.int_shape(crop(x, training=True)), K.convert_to_numpy(crop(x))[0, :, :, 0].tolist()
    ((1, 2, 2, 1), [[2.5, 4.5], [10.5, 12.5]])
    """

    def __init__(self, height, width, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.height, self.width = _target(self, height, width)

    def call(self, inputs, training=None):
        inputs = self.floats(inputs)
        height, width = self.image_size(inputs)
        if not (training and height > self.height and width > self.width):
            return image_ops.resize(inputs, (self.height, self.width), crop_to_aspect_ratio=True,
                                    data_format=self.data_format)
        for axis, size, target in zip(self.axes(inputs), (height, width),
                                      (self.height, self.width)):
            start = K.minimum(K.cast(self.uniform((), 0.0, float(size - target + 1)), "int32"),
                              size - target)
            inputs = K.take(inputs, K.arange(target, dtype="int32") + start, axis=axis)
        return inputs
