"""JAX implementations of the K functions of :mod:`lamina.backend.ops.activations_extra`,
built from ``jax.numpy`` by :func:`lamina.backend.numpy.activations_extra.implement`."""

import jax.numpy as jnp

from lamina.backend.jax.nn import _float
from lamina.backend.numpy.activations_extra import __all__, implement  # noqa: F401

globals().update(implement(jnp, _float))
