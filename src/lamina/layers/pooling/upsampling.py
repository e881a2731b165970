"""Upsampling by integer factors: UpSampling1D, UpSampling2D, UpSampling3D.

One base, :class:`UpSampling`, repeats each cell ``size`` times along every spatial
axis (nearest neighbour). UpSampling2D can also interpolate bilinearly with
``K.resize_images``, which, as Keras, places pixel centres at half-pixel positions
(``align_corners=False``).
"""

from lamina import backend as K
from lamina.layers.layer import InputSpec, Layer
from lamina.layers.pooling import arguments


class UpSampling(Layer):
    """The base of the upsampling layers: ``size`` (an int or one int per spatial
    dimension) and ``data_format``. A subclass sets ``rank``.

    >>> from lamina import backend as K, layers
    >>> layers.UpSampling3D((1, 2, 3))(K.Input((2, 2, 2, 1))).shape
    (None, 2, 4, 6, 1)
    """

    rank = None

    def __init__(self, size=2, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = arguments.int_tuple(self, "size", size, self.rank)
        self.data_format = arguments.data_format(self, data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        for axis, factor in zip(arguments.spatial_axes(self.data_format, self.rank), self.size):
            if factor != 1:
                inputs = K.repeat(inputs, factor, axis=axis)
        return inputs


class UpSampling1D(UpSampling):
    """Each step repeated ``size`` times: ``UpSampling1D(size=2)`` on (batch, steps,
    features).

    >>> from lamina import backend as K, layers
    >>> x = K.convert_to_tensor([[[1.0], [2.0]]])
    >>> K.convert_to_numpy(layers.UpSampling1D(3)(x))[0, :, 0].tolist()
    [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]
    """

    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(size=size, data_format="channels_last", **kwargs)


class UpSampling2D(UpSampling):
    """Rows and columns scaled by ``size``: ``UpSampling2D(size=(2, 2), data_format=None,
    interpolation="nearest")``; ``interpolation`` is ``"nearest"`` or ``"bilinear"``.

    >>> from lamina import backend as K, layers
    >>> x = K.convert_to_tensor([[[[0.0], [1.0]]]])
    >>> up = layers.UpSampling2D((1, 2), interpolation="bilinear")
    >>> K.convert_to_numpy(up(x))[0, 0, :, 0].tolist()
    [0.0, 0.25, 0.75, 1.0]
    """

    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(size=size, data_format=data_format, **kwargs)
        self.interpolation = arguments.choice(self, "interpolation", interpolation,
                                              ("nearest", "bilinear"))

    def call(self, inputs):
        if self.interpolation == "nearest":
            return super().call(inputs)
        return K.resize_images(inputs, self.size[0], self.size[1], self.data_format,
                               interpolation=self.interpolation)


class UpSampling3D(UpSampling):
    """Each cell repeated ``size`` times along three spatial axes:
    ``UpSampling3D(size=(2, 2, 2), data_format=None)``.

    >>> from lamina import backend as K, layers
    >>> layers.UpSampling3D(data_format="channels_first")(K.Input((1, 2, 3, 4))).shape
    (None, 1, 4, 6, 8)
    """

    rank = 3
