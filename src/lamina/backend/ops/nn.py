"""Neural-network K functions: activations, convolutions, pooling, normalization, losses.

Each function below is a specification (signature and docstring); its implementation
is the selected engine's function of the same name (see :mod:`lamina.backend.dispatch`).

>>> from lamina import backend as K
>>> K.convert_to_numpy(K.relu(K.convert_to_tensor([-1.0, 2.0]))).tolist()
[0.0, 2.0]
"""

from lamina.backend.dispatch import op as _op
from lamina.backend.ops.random import dropout  # noqa: F401  (K.dropout)


@_op
def relu(x):
    """max(x, 0), element-wise.

    >>> from lamina import backend as K
    >>> K.convert_to_numpy(K.relu(K.convert_to_tensor([-1.0, 2.0]))).tolist()
    [0.0, 2.0]
    """
