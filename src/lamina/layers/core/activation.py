"""Element-wise layers without weights: Activation, Identity, ActivityRegularization,
Rescaling and Masking.

Each keeps the input's shape and passes the input mask on (Masking replaces it with
its own: the timesteps whose features are not all ``mask_value``).
"""

from lamina import activations, regularizers
from lamina import backend as K
from lamina.layers.layer import Layer


class Activation(Layer):
    """Apply an activation function: ``Activation(activation)``, a name (``"relu"``)
    or a callable.

    >>> from lamina import backend as K, layers
    >>> K.convert_to_numpy(layers.Activation("relu")(K.constant([-1.0, 2.0]))).tolist()
    [0.0, 2.0]
    >>> layers.Activation("tanh")(K.Input((3,))).shape
    (None, 3)
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


class Identity(Layer):
    """Return the input unchanged (a placeholder layer).

    >>> from lamina import backend as K, layers
    >>> K.convert_to_numpy(layers.Identity()(K.constant([1.0, 2.0]))).tolist()
    [1.0, 2.0]
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs


class ActivityRegularization(Layer):
    """Return the input unchanged and add ``l1 * sum(|x|) + l2 * sum(x ** 2)``, divided by
    the batch size, to the losses.

    ``ActivityRegularization(l1=0.0, l2=0.0)``.

    >>> from lamina import backend as K, layers
    >>> layer = layers.ActivityRegularization(l1=0.5)
    >>> y = layer(K.constant([[1.0, -3.0], [2.0, 0.0]]))
    >>> [float(loss) for loss in layer.losses]
    [1.5]
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = self.activity_regularizer.l1
        self.l2 = self.activity_regularizer.l2
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def get_config(self):
        config = super().get_config()
        config.update(l1=self.l1, l2=self.l2)
        return config


class Rescaling(Layer):
    """``inputs * scale + offset``, in the layer's dtype (integer images become floats).

    ``Rescaling(scale, offset=0.0)``; ``scale`` and ``offset`` may be scalars or
    per-channel lists (broadcast against the last axis).

    >>> from lamina import backend as K, layers
    >>> K.convert_to_numpy(layers.Rescaling(1 / 255)(K.constant([0, 255], "int32"))).tolist()
    [0.0, 1.0]
    >>> K.convert_to_numpy(layers.Rescaling(2.0, offset=-1.0)(K.constant([0.5, 1.0]))).tolist()
    [0.0, 1.0]
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        inputs = K.cast(inputs, self.compute_dtype)
        scale = K.cast(K.convert_to_tensor(self.scale), self.compute_dtype)
        offset = K.cast(K.convert_to_tensor(self.offset), self.compute_dtype)
        return K.add(K.multiply(inputs, scale), offset)

    def get_config(self):
        config = super().get_config()
        config.update(scale=_plain(self.scale), offset=_plain(self.offset))
        return config


def _plain(value):
    """A scale or offset as a JSON-friendly value (a float or a list of floats)."""
    if isinstance(value, (int, float)):
        return value
    if hasattr(value, "tolist") or hasattr(value, "shape"):
        return K.convert_to_numpy(value).tolist()
    return list(value) if isinstance(value, tuple) else value


class Masking(Layer):
    """Mask the timesteps whose features all equal ``mask_value``: the output mask is
    ``any(inputs != mask_value, axis=-1)`` and those timesteps are zeroed in the output.

    ``Masking(mask_value=0.0)``. Layers downstream that accept ``mask`` (recurrent
    layers, custom layers) receive it.

    >>> from lamina import backend as K, layers
    >>> x = K.constant([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
    >>> layer = layers.Masking()
    >>> K.convert_to_numpy(layer.compute_mask(x)).tolist()
    [[True, False, True]]
    >>> layer(K.Input((None, 2))).shape
    (None, None, 2)
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def _keep(self, inputs, keepdims):
        return K.any(K.not_equal(inputs, self.mask_value), axis=-1, keepdims=keepdims)

    def compute_mask(self, inputs, mask=None):
        return self._keep(inputs, keepdims=False)

    def call(self, inputs):
        return K.multiply(inputs, K.cast(self._keep(inputs, keepdims=True), K.dtype(inputs)))

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
