"""Max and average pooling over sliding windows: MaxPooling1D/2D/3D, AveragePooling1D/2D/3D.

One base, :class:`Pooling`, holds the arguments and the checks; a subclass names its
rank and its K function (``K.max_pool`` or ``K.average_pool``). ``"same"`` padding
pads as Keras does (the odd cell at the end), and average pooling divides by the
number of real cells under each window, never counting padding.
"""

from lamina import backend as K
from lamina.layers.layer import InputSpec, Layer
from lamina.layers.pooling import arguments


class Pooling(Layer):
    """The base of the windowed pooling layers: ``pool_size``, ``strides`` (default
    ``pool_size``), ``padding`` (``"valid"`` or ``"same"``) and ``data_format``
    (default ``K.image_data_format()``). A subclass sets ``rank`` and ``pool_function``.

    >>> from lamina import backend as K, layers
    >>> layers.MaxPooling2D(3, strides=2, padding="same")(K.Input((7, 7, 4))).shape
    (None, 4, 4, 4)
    """

    rank = None
    pool_function = None

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = arguments.int_tuple(self, "pool_size", pool_size, self.rank)
        self.strides = self.pool_size if strides is None else arguments.int_tuple(
            self, "strides", strides, self.rank)
        self.padding = arguments.choice(self, "padding", padding, ("valid", "same"))
        self.data_format = arguments.data_format(self, data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def build(self, input_shape):
        spatial = arguments.spatial_shape(input_shape, self.data_format, self.rank)
        if self.padding == "valid" and any(
                size is not None and size < k for size, k in zip(spatial, self.pool_size)):
            raise ValueError(
                f"{arguments.where(self)} expects spatial dimensions of at least pool_size="
                f"{self.pool_size} with padding='valid' ({self.data_format}). Received input "
                f"shape {tuple(input_shape)}.")
        self.built = True

    def call(self, inputs):
        return self.pool_function(inputs, self.pool_size, self.strides, self.padding,
                                  self.data_format)


class MaxPooling1D(Pooling):
    """Max pooling over steps: ``MaxPooling1D(pool_size=2, strides=None, padding="valid",
    data_format=None)``.

    >>> from lamina import backend as K, layers
    >>> x = K.convert_to_tensor([[[1.0], [3.0], [2.0], [5.0], [4.0]]])
    >>> K.convert_to_numpy(layers.MaxPooling1D(2, padding="same")(x))[0, :, 0].tolist()
    [3.0, 5.0, 4.0]
    """

    rank = 1
    pool_function = staticmethod(K.max_pool)


class MaxPooling2D(Pooling):
    """Max pooling over height and width: ``MaxPooling2D(pool_size=(2, 2), strides=None,
    padding="valid", data_format=None)``.

    >>> from lamina import backend as K, layers
    >>> x = K.reshape(K.arange(16, dtype="float32"), (1, 4, 4, 1))
    >>> K.convert_to_numpy(layers.MaxPooling2D()(x))[0, :, :, 0].tolist()
    [[5.0, 7.0], [13.0, 15.0]]
    """

    rank = 2
    pool_function = staticmethod(K.max_pool)


class MaxPooling3D(Pooling):
    """Max pooling over three spatial dimensions: ``MaxPooling3D(pool_size=(2, 2, 2),
    strides=None, padding="valid", data_format=None)``.

    >>> from lamina import backend as K, layers
    >>> layers.MaxPooling3D(data_format="channels_first")(K.Input((3, 8, 8, 5))).shape
    (None, 3, 4, 4, 2)
    """

    rank = 3
    pool_function = staticmethod(K.max_pool)


class AveragePooling1D(Pooling):
    """Average pooling over steps: ``AveragePooling1D(pool_size=2, strides=None,
    padding="valid", data_format=None)``. With ``"same"`` padding a window is averaged
    over its real cells only.

    >>> from lamina import backend as K, layers
    >>> x = K.convert_to_tensor([[[1.0], [3.0], [2.0], [5.0], [4.0]]])
    >>> K.convert_to_numpy(layers.AveragePooling1D(2, padding="same")(x))[0, :, 0].tolist()
    [2.0, 3.5, 4.0]
    """

    rank = 1
    pool_function = staticmethod(K.average_pool)


class AveragePooling2D(Pooling):
    """Average pooling over height and width: ``AveragePooling2D(pool_size=(2, 2),
    strides=None, padding="valid", data_format=None)``.

    >>> from lamina import backend as K, layers
    >>> x = K.reshape(K.arange(16, dtype="float32"), (1, 4, 4, 1))
    >>> K.convert_to_numpy(layers.AveragePooling2D()(x))[0, :, :, 0].tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """

    rank = 2
    pool_function = staticmethod(K.average_pool)


class AveragePooling3D(Pooling):
    """Average pooling over three spatial dimensions: ``AveragePooling3D(pool_size=(2, 2,
    2), strides=None, padding="valid", data_format=None)``.

    >>> from lamina import backend as K, layers
    >>> layers.AveragePooling3D(2, strides=1)(K.Input((None, 6, 6, 2))).shape
    (None, None, 5, 5, 2)
    """

    rank = 3
    pool_function = staticmethod(K.average_pool)
