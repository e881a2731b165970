"""Shared test settings: one hypothesis profile so each engine's run stays short.

The suite runs once per engine (``LAMINA_BACKEND=jax|torch|numpy pytest``).
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "lamina", max_examples=15, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("lamina")
