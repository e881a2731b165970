"""Conv1DTranspose, Conv2DTranspose, Conv3DTranspose: transposed convolutions (the
gradient of a convolution with respect to its input), one N-D class
(:class:`BaseConvTranspose`) with a ``rank`` each.

Each input position adds ``input * kernel`` to a window of the output, the windows
``strides`` apart. The kernel has Keras's shape ``(*kernel_size, filters,
in_channels)``. An output spatial size is, with ``k = (kernel - 1) * dilation + 1``:
``n * stride + max(k - stride, 0)`` for ``"valid"``, ``n * stride`` for ``"same"``;
with ``output_padding`` given, ``(n - 1) * stride + k - 2 * pad + output_padding``
where ``pad`` is 0 for ``"valid"`` and ``k // 2`` for ``"same"``.
"""

from lamina import backend as K
from lamina.layers.convolutional.arguments import as_tuple, positive_int
from lamina.layers.convolutional.conv_layer import ConvLayer


class BaseConvTranspose(ConvLayer):
    """N-D transposed convolution: ``activation(conv_transpose(inputs, kernel) + bias)``.

    ``BaseConvTranspose(filters, kernel_size, strides=1, padding="valid",
    output_padding=None, data_format=None, dilation_rate=1, activation=None,
    use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
    kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
    kernel_constraint=None, bias_constraint=None)``; each ``output_padding`` must be
    smaller than its stride. Use Conv1DTranspose, Conv2DTranspose or Conv3DTranspose.

    >>> from lamina import backend as K, layers
    >>> up = layers.Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1)
    >>> up(K.Input((4, 4, 8))).shape, up.kernel.shape
    ((None, 8, 8, 3), (3, 3, 3, 8))
    """

    shrinks = False

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, bias_constraint,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.filters = positive_int(self.owner, "filters", filters)
        if output_padding is not None:
            output_padding = as_tuple(self.owner, "output_padding", output_padding, self.rank,
                                      minimum=0)
            if any(p >= s for p, s in zip(output_padding, self.strides)):
                raise ValueError(f"{self.owner} expects each output_padding smaller than its "
                                 f"stride; received output_padding={output_padding}, "
                                 f"strides={self.strides}.")
        self.output_padding = output_padding
        self.set_weight_settings("kernel", kernel_initializer, kernel_regularizer,
                                 kernel_constraint)

    def build_kernels(self, channels):
        self.kernel = self.add_kernel("kernel", self.kernel_size + (self.filters, channels),
                                      "kernel")
        return self.filters

    def convolve(self, inputs):
        return K.conv_transpose(inputs, self.kernel, self.strides, self.padding,
                                self.output_padding, self.data_format, self.dilation_rate,
                                self.bias)

    def get_config(self):
        config = super().get_config()
        config.update(output_padding=self.output_padding)
        return config


class Conv1DTranspose(BaseConvTranspose):
    """1D transposed convolution over ``(batch, steps, channels)`` (channels_last)
    inputs. Arguments as :class:`BaseConvTranspose`.

    >>> from lamina import backend as K, layers
    >>> up = layers.Conv1DTranspose(4, 3, strides=2)
    >>> up(K.Input((5, 2))).shape, up.kernel.shape
    ((None, 11, 4), (3, 4, 2))
    """

    rank = 1


class Conv2DTranspose(BaseConvTranspose):
    """2D transposed convolution over ``(batch, height, width, channels)``
    (channels_last) inputs. Arguments as :class:`BaseConvTranspose`.

    >>> from lamina import backend as K, layers
    >>> up = layers.Conv2DTranspose(8, 2, strides=2)
    >>> up(K.Input((7, 7, 16))).shape, up.kernel.shape
    ((None, 14, 14, 8), (2, 2, 8, 16))
    """

    rank = 2


class Conv3DTranspose(BaseConvTranspose):
    """3D transposed convolution over ``(batch, depth, height, width, channels)``
    (channels_last) inputs. Arguments as :class:`BaseConvTranspose`.

    >>> from lamina import backend as K, layers
    >>> up = layers.Conv3DTranspose(2, 3, padding="same", strides=2)
    >>> up(K.Input((3, 3, 3, 4))).shape, up.kernel.shape
    ((None, 6, 6, 6, 2), (3, 3, 3, 2, 4))
    """

    rank = 3
