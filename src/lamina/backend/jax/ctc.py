"""JAX implementations of :mod:`lamina.backend.ops.ctc`, built from ``jax.numpy`` and
``jax.lax.scan`` by :func:`lamina.backend.numpy.ctc.implement` (so the loss is
differentiable)."""

import jax
import jax.numpy as jnp

from lamina.backend.jax.nn import _float
from lamina.backend.numpy.ctc import __all__, implement  # noqa: F401

globals().update(implement(jnp, jax.lax.scan, _float))
