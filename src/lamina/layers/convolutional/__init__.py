"""Convolution layers: Conv1D/2D/3D, their transposes, depthwise and separable
convolutions (Keras 3 names, arguments, weight names and weight shapes). The Keras
aliases ``Convolution2D``, ``Convolution2DTranspose``, ``SeparableConvolution2D``, ...
name the same classes; Keras 2's ``keras.layers.convolutional`` also held the
upsampling, zero padding and cropping layers, importable from here too.

>>> from lamina import backend as K, layers
>>> layers.Conv2D(8, 3, padding="same")(K.Input((16, 16, 3))).shape
(None, 16, 16, 8)
>>> from lamina.layers.convolutional import Convolution2D, ZeroPadding2D
>>> Convolution2D is layers.Conv2D, ZeroPadding2D is layers.ZeroPadding2D
(True, True)
"""

from lamina.layers.convolutional.conv import Conv1D, Conv2D, Conv3D
from lamina.layers.convolutional.conv_transpose import (Conv1DTranspose, Conv2DTranspose,
                                                        Conv3DTranspose)
from lamina.layers.convolutional.depthwise_conv import DepthwiseConv1D, DepthwiseConv2D
from lamina.layers.convolutional.separable_conv import SeparableConv1D, SeparableConv2D

from lamina.layers.pooling import (  # noqa: F401  Keras 2 imported these from here too
    Cropping1D, Cropping2D, Cropping3D, UpSampling1D, UpSampling2D, UpSampling3D, ZeroPadding1D,
    ZeroPadding2D, ZeroPadding3D)

Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (
    Conv1DTranspose, Conv2DTranspose, Conv3DTranspose)
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
           "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
           "SeparableConv2D", "Convolution1D", "Convolution2D", "Convolution3D",
           "Convolution1DTranspose", "Convolution2DTranspose", "Convolution3DTranspose",
           "SeparableConvolution1D", "SeparableConvolution2D"]
