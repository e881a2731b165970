"""The JAX engine: every K function on JAX arrays, jit-compiled training.

lamina turns on JAX's 64-bit mode (``jax_enable_x64``) when this engine is chosen, so
that int64 and float64 tensors exist as they do on torch and NumPy and every
engine returns the same dtypes; float32 computations are unaffected. Shape
inference is ``jax.eval_shape``.

>>> from lamina.backend import jax as engine
>>> engine.name
'jax'
"""

import jax as _jax

_jax.config.update("jax_enable_x64", True)

from lamina.backend.jax.distribution import join_launched_job  # noqa: E402

join_launched_job()  # a launched process joins its job before any JAX computation

from lamina.backend.jax.core import *  # noqa: E402,F401,F403
from lamina.backend.jax.math import *  # noqa: E402,F401,F403
from lamina.backend.jax.nn import *  # noqa: E402,F401,F403
from lamina.backend.jax.random import *  # noqa: E402,F401,F403
from lamina.backend.jax.rnn import *  # noqa: E402,F401,F403
from lamina.backend.jax.activations_extra import *  # noqa: E402,F401,F403
from lamina.backend.jax.ctc import *  # noqa: E402,F401,F403
from lamina.backend.jax.image import *  # noqa: E402,F401,F403

from lamina.backend.jax.training import compile_step  # noqa: E402,F401
from lamina.backend.jax.placement import (  # noqa: E402,F401
    current_device, device_name, device_scope, tensor_device_name, visible_devices)
from lamina.backend.jax import placement as _placement  # noqa: E402

_placement.apply_requested_device()
from lamina.backend.jax import compilation_cache as _compilation_cache  # noqa: E402

_compilation_cache.enable()

name = "jax"
