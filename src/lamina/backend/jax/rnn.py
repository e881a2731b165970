"""Fused LSTM and GRU on JAX: one ``lax.scan`` (a single XLA loop) runs the recurrence,
each step projecting its own input (measured faster on a CPU than one product for every
step before the loop), masks, ``go_backwards`` and recurrent dropout's mask included.
The steps and the loop are NumPy's (:mod:`lamina.backend.numpy.rnn`), run with JAX's
functions. Both are ``jax.jit`` functions, so an eager call compiles once per
shape and configuration (inside a compiled step they are inlined)."""

import jax
import jax.numpy as jnp

from lamina.backend.numpy.rnn import Math, kernels

__all__ = ["lstm", "gru"]

_lstm, _gru = kernels(Math(jnp.tanh, jax.nn.sigmoid, jnp.where, jax.lax.scan,
                           lambda z: jnp.flip(z, 0), lambda mask: jnp.asarray(mask).astype(bool)),
                      jnp.asarray, project_in_loop=True)
_OPTIONS = ("go_backwards", "return_sequences", "zero_output_for_mask")
lstm = jax.jit(_lstm, static_argnames=_OPTIONS)
gru = jax.jit(_gru, static_argnames=_OPTIONS + ("reset_after",))
