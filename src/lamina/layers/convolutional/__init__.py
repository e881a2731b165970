"""Convolution layers: Conv1D/2D/3D, their transposes, depthwise and separable
convolutions (Keras 3 names, arguments, weight names and weight shapes).

>>> from lamina import backend as K, layers
>>> layers.Conv2D(8, 3, padding="same")(K.Input((16, 16, 3))).shape
(None, 16, 16, 8)
"""

from lamina.layers.convolutional.conv import Conv1D, Conv2D, Conv3D
from lamina.layers.convolutional.conv_transpose import (Conv1DTranspose, Conv2DTranspose,
                                                        Conv3DTranspose)
from lamina.layers.convolutional.depthwise_conv import DepthwiseConv1D, DepthwiseConv2D
from lamina.layers.convolutional.separable_conv import SeparableConv1D, SeparableConv2D

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
           "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
           "SeparableConv2D"]
