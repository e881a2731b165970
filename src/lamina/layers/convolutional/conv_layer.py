"""ConvLayer: what every convolution layer shares, whatever its kernels.

A convolution layer of ``rank`` spatial dimensions (1, 2 or 3) takes inputs of rank
``rank + 2``: ``(batch, *spatial, channels)`` with ``data_format="channels_last"``,
``(batch, channels, *spatial)`` with ``"channels_first"``. ConvLayer checks and
stores the window arguments (``kernel_size``, ``strides``, ``padding``,
``data_format``, ``dilation_rate``), the bias and the activation, checks the input
shape when the layer is built, creates the bias and applies the activation after the
convolution (the K convolution functions add the bias themselves, in the same pass over
the output). A subclass says which kernels it owns (``build_kernels``) and how it
convolves (``convolve``): :class:`BaseConv`, :class:`BaseConvTranspose`,
:class:`BaseDepthwiseConv` and :class:`BaseSeparableConv` are the four kinds, and
each 1D/2D/3D layer is one of them with its ``rank``.
"""

from lamina import activations, constraints, initializers, regularizers
from lamina.layers.convolutional.arguments import (as_tuple, standardize_data_format,
                                                   standardize_padding)
from lamina.layers.layer import InputSpec, Layer
from lamina.layers.settings import serialize_setting

_WEIGHT_SETTINGS = (("initializer", initializers), ("regularizer", regularizers),
                    ("constraint", constraints))


class ConvLayer(Layer):
    """The base of the convolution layers (see the module docstring).

    ``rank`` (a class attribute) is the number of spatial dimensions; ``paddings`` the
    padding names the layer accepts; ``shrinks`` whether ``"valid"`` padding needs
    the dilated kernel to fit in the input (False for transposed convolutions).

    >>> from lamina import backend as K, layers
    >>> layer = layers.Conv2D(4, 3, data_format="channels_first")
    >>> isinstance(layer, ConvLayer), layer.rank, layer(K.Input((2, 8, 8))).shape
    (True, 2, (None, 4, 6, 6))
    """

    _floating_inputs = True  # bool and integer inputs are cast to floats

    rank = None
    paddings = ("valid", "same")
    shrinks = True

    def __init__(self, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, bias_initializer="zeros",
                 bias_regularizer=None, bias_constraint=None, activity_regularizer=None,
                 **kwargs):
        super().__init__(activity_regularizer=regularizers.get(activity_regularizer), **kwargs)
        owner, rank = self.owner, self.rank
        self.kernel_size = as_tuple(owner, "kernel_size", kernel_size, rank)
        self.strides = as_tuple(owner, "strides", strides, rank)
        self.padding = standardize_padding(owner, padding, self.paddings)
        self.data_format = standardize_data_format(owner, data_format)
        self.dilation_rate = as_tuple(owner, "dilation_rate", dilation_rate, rank)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self._weight_kinds = []
        self.set_weight_settings("bias", bias_initializer, bias_regularizer, bias_constraint)
        self.channel_axis = -1 if self.data_format == "channels_last" else 1
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def owner(self):
        """How errors name the layer: ``"Conv2D layer 'conv2d'"``."""
        return f"{type(self).__name__} layer {self.name!r}"

    def set_weight_settings(self, kind, initializer, regularizer, constraint):
        """Store ``<kind>_initializer``, ``<kind>_regularizer`` and ``<kind>_constraint``
        (from names, dicts or objects); ``get_config`` serializes them."""
        for (suffix, module), value in zip(_WEIGHT_SETTINGS,
                                           (initializer, regularizer, constraint)):
            setattr(self, f"{kind}_{suffix}", module.get(value))
        self._weight_kinds.append(kind)

    def add_kernel(self, name, shape, kind):
        """A weight made with the settings of ``kind`` (``"kernel"``, ``"depthwise"``...)."""
        return self.add_weight(name, shape, getattr(self, f"{kind}_initializer"),
                               regularizer=getattr(self, f"{kind}_regularizer"),
                               constraint=getattr(self, f"{kind}_constraint"))

    # -- what a subclass provides ------------------------------------------------
    def build_kernels(self, channels):
        """Create the kernel weights for inputs of ``channels`` channels and return the
        number of output channels."""
        raise NotImplementedError(f"{type(self).__name__} must define build_kernels.")

    def convolve(self, inputs):
        """The convolution of ``inputs`` with the kernels plus ``self.bias`` (None without
        a bias), which the K convolutions add in the same pass; the activation follows."""
        raise NotImplementedError(f"{type(self).__name__} must define convolve.")

    # -- shared ------------------------------------------------------------------
    def _spatial_shape(self, shape):
        return shape[1:-1] if self.data_format == "channels_last" else shape[2:]

    def _check_input_shape(self, shape):
        channels = shape[self.channel_axis]
        if channels is None:
            raise ValueError(f"{self.owner} expects a known channel dimension (axis "
                             f"{self.channel_axis}, data_format={self.data_format!r}); "
                             f"received input shape {shape}.")
        if not (self.shrinks and self.padding == "valid"):
            return channels
        extents = tuple((k - 1) * d + 1 for k, d in zip(self.kernel_size, self.dilation_rate))
        spatial = self._spatial_shape(shape)
        if any(size is not None and size < extent for size, extent in zip(spatial, extents)):
            raise ValueError(f"{self.owner} expects spatial dimensions of at least {extents} "
                             f"(kernel_size {self.kernel_size}, dilation_rate "
                             f"{self.dilation_rate}, padding 'valid', "
                             f"data_format={self.data_format!r}); received input shape "
                             f"{shape}, spatial dimensions {spatial}.")
        return channels

    def build(self, input_shape):
        shape = tuple(input_shape)
        self.input_spec.check(self, shape)
        channels = self._check_input_shape(shape)
        out_channels = self.build_kernels(channels)  # the kernels come first in `weights`
        self.bias = self.add_kernel("bias", (out_channels,), "bias") if self.use_bias else None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self.channel_axis: channels})
        self.built = True

    def call(self, inputs):
        outputs = self.convolve(inputs)
        if self.activation is not activations.linear:
            outputs = self.activation(outputs)
        return outputs

    def get_config(self):
        config = super().get_config()
        config.update(kernel_size=self.kernel_size, strides=self.strides, padding=self.padding,
                      data_format=self.data_format, dilation_rate=self.dilation_rate,
                      activation=activations.serialize(self.activation),
                      use_bias=self.use_bias,
                      activity_regularizer=serialize_setting(self.activity_regularizer))
        for kind in self._weight_kinds:
            for suffix, _ in _WEIGHT_SETTINGS:
                config[f"{kind}_{suffix}"] = serialize_setting(getattr(self, f"{kind}_{suffix}"))
        return config
