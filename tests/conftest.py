"""Shared test settings: one hypothesis profile so each engine's run stays short.

The suite runs once per engine (``LAMINA_BACKEND=jax|torch|numpy pytest``). JAX
compiles every operation once per combination of shapes and static arguments
(about 0.1 s each), so on JAX hypothesis draws fewer examples per test.

The tests leave JAX's persistent compilation cache off (``LAMINA_COMPILATION_CACHE``),
so that they write nothing under the user's ``~/.lamina``.
"""

import os

os.environ.setdefault("LAMINA_COMPILATION_CACHE", "off")

from hypothesis import HealthCheck, settings  # noqa: E402

from lamina import backend as K  # noqa: E402

settings.register_profile(
    "lamina", max_examples=6 if K.backend() == "jax" else 15,
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("lamina")
