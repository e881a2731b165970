"""SeparableConv1D, SeparableConv2D: a depthwise convolution (each input channel
with its own ``depth_multiplier`` filters) followed by a pointwise (1x1) convolution
that mixes the channels, one N-D class (:class:`BaseSeparableConv`) with a ``rank``
each.

Keras's weights: ``depthwise_kernel`` of shape ``(*kernel_size, in_channels,
depth_multiplier)``, ``pointwise_kernel`` of shape ``(1, ..., 1, in_channels *
depth_multiplier, filters)`` and ``bias`` of shape ``(filters,)``.
"""

from lamina import backend as K
from lamina.layers.convolutional.arguments import positive_int
from lamina.layers.convolutional.conv_layer import ConvLayer


class BaseSeparableConv(ConvLayer):
    """N-D depthwise-separable convolution.

    ``BaseSeparableConv(filters, kernel_size, strides=1, padding="valid",
    data_format=None, dilation_rate=1, depth_multiplier=1, activation=None,
    use_bias=True, depthwise_initializer="glorot_uniform",
    pointwise_initializer="glorot_uniform", bias_initializer="zeros",
    depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
    activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
    bias_constraint=None)``. Use SeparableConv1D or SeparableConv2D.

    >>> from lamina import backend as K, layers
    >>> conv = layers.SeparableConv2D(8, 3, depth_multiplier=2)
    >>> conv(K.Input((6, 6, 3))).shape, [w.shape for w in conv.weights]
    ((None, 4, 4, 8), [(3, 3, 3, 2), (1, 1, 6, 8), (8,)])
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, bias_constraint,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.filters = positive_int(self.owner, "filters", filters)
        self.depth_multiplier = positive_int(self.owner, "depth_multiplier", depth_multiplier)
        self.set_weight_settings("depthwise", depthwise_initializer, depthwise_regularizer,
                                 depthwise_constraint)
        self.set_weight_settings("pointwise", pointwise_initializer, pointwise_regularizer,
                                 pointwise_constraint)

    def build_kernels(self, channels):
        self.depthwise_kernel = self.add_kernel(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
            "depthwise")
        self.pointwise_kernel = self.add_kernel(
            "pointwise_kernel", (1,) * self.rank + (channels * self.depth_multiplier,
                                                    self.filters), "pointwise")
        return self.filters

    def convolve(self, inputs):
        return K.separable_conv(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                self.strides, self.padding, self.data_format,
                                self.dilation_rate, self.bias)


class SeparableConv1D(BaseSeparableConv):
    """1D separable convolution over ``(batch, steps, channels)`` (channels_last)
    inputs. Arguments as :class:`BaseSeparableConv`.

    >>> from lamina import backend as K, layers
    >>> conv = layers.SeparableConv1D(4, 3, padding="same")
    >>> conv(K.Input((10, 2))).shape, conv.pointwise_kernel.shape
    ((None, 10, 4), (1, 2, 4))
    """

    rank = 1


class SeparableConv2D(BaseSeparableConv):
    """2D separable convolution over ``(batch, height, width, channels)``
    (channels_last) inputs. Arguments as :class:`BaseSeparableConv`.

    >>> from lamina import backend as K, layers
    >>> conv = layers.SeparableConv2D(16, (3, 3), strides=2, activation="relu")
    >>> conv(K.Input((9, 9, 4))).shape, conv.depthwise_kernel.shape
    ((None, 4, 4, 16), (3, 3, 4, 1))
    """

    rank = 2
