"""Pooling over all spatial positions at once: GlobalMaxPooling1D/2D/3D and
GlobalAveragePooling1D/2D/3D.

One base, :class:`GlobalPooling`, holds ``data_format`` and ``keepdims``; a subclass
names its rank and its reduction (``K.max`` or ``K.mean``). GlobalAveragePooling1D
also takes a mask (batch, steps): the mean of the unmasked steps.
"""

from lamina import backend as K
from lamina.layers.layer import InputSpec, Layer
from lamina.layers.pooling import arguments


class GlobalPooling(Layer):
    """The base of the global pooling layers: ``data_format`` (default
    ``K.image_data_format()``) and ``keepdims`` (keep the spatial axes, with size 1).
    A subclass sets ``rank`` and ``reduce_function``.

    >>> from lamina import backend as K, layers
    >>> layers.GlobalMaxPooling2D(keepdims=True)(K.Input((None, None, 8))).shape
    (None, 1, 1, 8)
    """

    rank = None
    reduce_function = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = arguments.data_format(self, data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        return self.reduce_function(inputs, axis=arguments.spatial_axes(self.data_format,
                                                                         self.rank),
                                    keepdims=self.keepdims)


class GlobalMaxPooling1D(GlobalPooling):
    """The maximum over steps: ``GlobalMaxPooling1D(data_format=None, keepdims=False)``.

    >>> from lamina import backend as K, layers
    >>> x = K.convert_to_tensor([[[1.0, 6.0], [3.0, 2.0]]])
    >>> K.convert_to_numpy(layers.GlobalMaxPooling1D()(x)).tolist()
    [[3.0, 6.0]]
    """

    rank = 1
    reduce_function = staticmethod(K.max)


class GlobalMaxPooling2D(GlobalPooling):
    """The maximum over height and width: ``GlobalMaxPooling2D(data_format=None,
    keepdims=False)``.

    >>> from lamina import backend as K, layers
    >>> layers.GlobalMaxPooling2D(data_format="channels_first")(K.Input((3, 5, 5))).shape
    (None, 3)
    """

    rank = 2
    reduce_function = staticmethod(K.max)


class GlobalMaxPooling3D(GlobalPooling):
    """The maximum over three spatial dimensions: ``GlobalMaxPooling3D(data_format=None,
    keepdims=False)``.

    >>> from lamina import backend as K, layers
    >>> layers.GlobalMaxPooling3D()(K.Input((4, 4, 4, 2))).shape
    (None, 2)
    """

    rank = 3
    reduce_function = staticmethod(K.max)


class GlobalAveragePooling1D(GlobalPooling):
    """The mean over steps: ``GlobalAveragePooling1D(data_format=None, keepdims=False)``.

    Given a mask (batch, steps), only the steps where it is True are averaged. A sample
    whose steps are all masked gets zeros (Keras divides 0 by 0 there: NaN, which would
    spread to the loss). The output has no mask.

    >>> from lamina import backend as K, layers
    >>> x = K.convert_to_tensor([[[1.0], [3.0], [8.0]]])
    >>> mask = K.convert_to_tensor([[True, True, False]])
    >>> K.convert_to_numpy(layers.GlobalAveragePooling1D()(x, mask=mask)).tolist()
    [[2.0]]
    """

    rank = 1
    reduce_function = staticmethod(K.mean)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps = 1 if self.data_format == "channels_last" else 2
        weights = K.expand_dims(K.cast(mask, K.dtype(inputs)), 3 - steps)
        total = K.sum(inputs * weights, axis=steps, keepdims=self.keepdims)
        count = K.sum(weights, axis=steps, keepdims=self.keepdims)
        return total / K.maximum(count, 1.0)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(GlobalPooling):
    """The mean over height and width: ``GlobalAveragePooling2D(data_format=None,
    keepdims=False)``.

    >>> from lamina import backend as K, layers
    >>> x = K.reshape(K.arange(8, dtype="float32"), (1, 2, 2, 2))
    >>> K.convert_to_numpy(layers.GlobalAveragePooling2D()(x)).tolist()
    [[3.0, 4.0]]
    """

    rank = 2
    reduce_function = staticmethod(K.mean)


class GlobalAveragePooling3D(GlobalPooling):
    """The mean over three spatial dimensions: ``GlobalAveragePooling3D(data_format=None,
    keepdims=False)``.

    >>> from lamina import backend as K, layers
    >>> layers.GlobalAveragePooling3D(keepdims=True)(K.Input((4, 4, 4, 2))).shape
    (None, 1, 1, 1, 2)
    """

    rank = 3
    reduce_function = staticmethod(K.mean)
