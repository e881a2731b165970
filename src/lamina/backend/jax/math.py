"""JAX implementations of the math, array and core K functions (see numpy_api)."""

import jax
import jax.numpy as jnp

from lamina.backend.numpy_api import implement as _implement

globals().update(_implement(jnp))


def is_tensor(x):
    return isinstance(x, jax.Array)


def convert_to_numpy(x):
    import numpy as np
    return np.asarray(x)

from lamina.backend.numpy_extra_api import implement as _implement_extra  # noqa: E402
from lamina.backend.numpy_linalg_api import implement as _implement_linalg  # noqa: E402

globals().update(_implement_extra(jnp))
globals().update(_implement_linalg(jnp))
