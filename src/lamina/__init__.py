"""lamina: a Keras-style deep-learning library whose one backend K runs on JAX, PyTorch and NumPy.

>>> import lamina
>>> from lamina import backend as K
>>> K.backend() in ("jax", "torch", "numpy")
True
"""

from lamina import backend
from lamina.backend import Input

__version__ = "0.1.0"
