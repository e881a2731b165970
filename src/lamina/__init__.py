"""lamina: a Keras-style deep-learning library whose one backend K runs on JAX, PyTorch and NumPy.

>>> import lamina
>>> from lamina import backend as K
>>> K.backend() in ("jax", "torch", "numpy")
True
"""

from lamina import backend, utils  # noqa: F401
from lamina.backend import Input, Variable  # noqa: F401

__version__ = "0.1.0"
