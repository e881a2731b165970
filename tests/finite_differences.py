"""Central finite differences: the reference the gradient tests compare K's gradients
with."""

import numpy as np


def finite_differences(fn, x, step=1e-6):
    """Central differences of the scalar NumPy function ``fn`` at ``x`` (in float64)."""
    x = np.asarray(x, dtype="float64")
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        delta = np.zeros_like(x)
        delta[index] = step
        grad[index] = (fn(x + delta) - fn(x - delta)) / (2 * step)
    return grad
