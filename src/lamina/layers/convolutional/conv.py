"""Conv1D, Conv2D, Conv3D: the convolution layers, one N-D class (:class:`BaseConv`)
with a ``rank`` each.

The kernel has Keras's shape ``(*kernel_size, in_channels // groups, filters)``;
``groups > 1`` splits the channels into ``groups`` independent convolutions
(``filters`` and the input channels must both be divisible by ``groups``).
"""

from lamina import backend as K
from lamina.layers.convolutional.arguments import positive_int
from lamina.layers.convolutional.conv_layer import ConvLayer


class BaseConv(ConvLayer):
    """N-D convolution: ``activation(conv(inputs, kernel) + bias)``.

    ``BaseConv(filters, kernel_size, strides=1, padding="valid", data_format=None,
    dilation_rate=1, groups=1, activation=None, use_bias=True,
    kernel_initializer="glorot_uniform", bias_initializer="zeros",
    kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
    kernel_constraint=None, bias_constraint=None)``; ``padding`` is ``"valid"`` or
    ``"same"`` (also ``"causal"`` for Conv1D); ``data_format`` defaults to
    ``K.image_data_format()``. Use Conv1D, Conv2D or Conv3D.

    >>> from lamina import backend as K, layers
    >>> conv = layers.Conv2D(6, 3, groups=2)
    >>> conv(K.Input((8, 8, 4))).shape, conv.kernel.shape
    ((None, 6, 6, 6), (3, 3, 2, 6))
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, bias_constraint,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.filters = positive_int(self.owner, "filters", filters)
        self.groups = positive_int(self.owner, "groups", groups)
        if filters % groups:
            raise ValueError(f"{self.owner} expects filters divisible by groups; received "
                             f"filters={filters}, groups={groups}.")
        self.set_weight_settings("kernel", kernel_initializer, kernel_regularizer,
                                 kernel_constraint)

    def build_kernels(self, channels):
        if channels % self.groups:
            raise ValueError(f"{self.owner} expects input channels divisible by groups="
                             f"{self.groups}; received {channels} channels.")
        self.kernel = self.add_kernel(
            "kernel", self.kernel_size + (channels // self.groups, self.filters), "kernel")
        return self.filters

    def convolve(self, inputs):
        return K.conv(inputs, self.kernel, self.strides, self.padding, self.data_format,
                      self.dilation_rate, self.bias)


class Conv1D(BaseConv):
    """1D convolution over ``(batch, steps, channels)`` (channels_last) inputs.

    Arguments as :class:`BaseConv`; ``padding="causal"`` pads only at the start, so
    that output step ``t`` sees input steps ``<= t``.

    >>> from lamina import backend as K, layers
    >>> conv = layers.Conv1D(8, 3, padding="causal", dilation_rate=2)
    >>> conv(K.Input((10, 4))).shape, conv.kernel.shape
    ((None, 10, 8), (3, 4, 8))
    """

    rank = 1
    paddings = ("valid", "same", "causal")


class Conv2D(BaseConv):
    """2D convolution over ``(batch, height, width, channels)`` (channels_last) inputs.

    Arguments as :class:`BaseConv`.

    >>> from lamina import backend as K, layers
    >>> conv = layers.Conv2D(16, (3, 3), strides=2, padding="same", activation="relu")
    >>> conv(K.Input((28, 28, 1))).shape, conv.kernel.shape, conv.bias.shape
    ((None, 14, 14, 16), (3, 3, 1, 16), (16,))
    """

    rank = 2


class Conv3D(BaseConv):
    """3D convolution over ``(batch, depth, height, width, channels)`` (channels_last)
    inputs. Arguments as :class:`BaseConv`.

    >>> from lamina import backend as K, layers
    >>> conv = layers.Conv3D(4, 2, use_bias=False)
    >>> conv(K.Input((5, 5, 5, 3))).shape, [w.name for w in conv.weights]
    ((None, 4, 4, 4, 4), ['kernel'])
    """

    rank = 3
