"""Core layers: Dense, Lambda, and the shape, activation and merging layers."""

from lamina.layers.core.dense import Dense  # noqa: F401
from lamina.layers.core.lambda_layer import Lambda  # noqa: F401
from lamina.layers.core.reshaping import Flatten, Permute, RepeatVector, Reshape  # noqa: F401
from lamina.layers.core.activation import (  # noqa: F401
    Activation, ActivityRegularization, Identity, Masking, Rescaling)
from lamina.layers.core.embedding import Embedding  # noqa: F401
from lamina.layers.core.merging import (  # noqa: F401
    Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add, average,
    concatenate, dot, maximum, minimum, multiply, subtract)
from lamina.layers.core.regularization import (  # noqa: F401
    AlphaDropout, Dropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D,
    SpatialDropout3D)
from lamina.layers.core.advanced_activations import (  # noqa: F401
    ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU)
