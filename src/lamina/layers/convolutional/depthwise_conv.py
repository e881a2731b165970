"""DepthwiseConv1D, DepthwiseConv2D: each input channel convolved with its own
``depth_multiplier`` filters, one N-D class (:class:`BaseDepthwiseConv`) with a
``rank`` each.

The kernel has Keras's shape ``(*kernel_size, in_channels, depth_multiplier)``; the
output has ``in_channels * depth_multiplier`` channels, channel ``c`` giving the
outputs ``c * depth_multiplier ... (c + 1) * depth_multiplier - 1``.
"""

from lamina import backend as K
from lamina.layers.convolutional.arguments import positive_int
from lamina.layers.convolutional.conv_layer import ConvLayer


class BaseDepthwiseConv(ConvLayer):
    """N-D depthwise convolution: ``activation(depthwise_conv(inputs, kernel) + bias)``.

    ``BaseDepthwiseConv(kernel_size, strides=1, padding="valid", depth_multiplier=1,
    data_format=None, dilation_rate=1, activation=None, use_bias=True,
    depthwise_initializer="glorot_uniform", bias_initializer="zeros",
    depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
    depthwise_constraint=None, bias_constraint=None)``. Use DepthwiseConv1D or
    DepthwiseConv2D.

    >>> from lamina import backend as K, layers
    >>> conv = layers.DepthwiseConv2D(3, depth_multiplier=2)
    >>> conv(K.Input((6, 6, 3))).shape, conv.kernel.shape
    ((None, 4, 4, 6), (3, 3, 3, 2))
    """

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, bias_constraint,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.depth_multiplier = positive_int(self.owner, "depth_multiplier", depth_multiplier)
        self.set_weight_settings("depthwise", depthwise_initializer, depthwise_regularizer,
                                 depthwise_constraint)

    def build_kernels(self, channels):
        self.kernel = self.add_kernel(
            "kernel", self.kernel_size + (channels, self.depth_multiplier), "depthwise")
        return channels * self.depth_multiplier

    def convolve(self, inputs):
        return K.depthwise_conv(inputs, self.kernel, self.strides, self.padding,
                                self.data_format, self.dilation_rate, self.bias)


class DepthwiseConv1D(BaseDepthwiseConv):
    """1D depthwise convolution over ``(batch, steps, channels)`` (channels_last)
    inputs. Arguments as :class:`BaseDepthwiseConv`.

    >>> from lamina import backend as K, layers
    >>> conv = layers.DepthwiseConv1D(3, padding="same", depth_multiplier=3)
    >>> conv(K.Input((10, 2))).shape, conv.kernel.shape
    ((None, 10, 6), (3, 2, 3))
    """

    rank = 1


class DepthwiseConv2D(BaseDepthwiseConv):
    """2D depthwise convolution over ``(batch, height, width, channels)``
    (channels_last) inputs. Arguments as :class:`BaseDepthwiseConv`.

    >>> from lamina import backend as K, layers
    >>> conv = layers.DepthwiseConv2D((3, 3), strides=2, use_bias=False)
    >>> conv(K.Input((9, 9, 4))).shape, [w.name for w in conv.weights]
    ((None, 4, 4, 4), ['kernel'])
    """

    rank = 2
