"""Core layers: Dense, Lambda, and the shape, activation and merging layers."""

from lamina.layers.core.dense import Dense  # noqa: F401
from lamina.layers.core.lambda_layer import Lambda  # noqa: F401
from lamina.layers.core.reshaping import Flatten, Permute, RepeatVector, Reshape  # noqa: F401
