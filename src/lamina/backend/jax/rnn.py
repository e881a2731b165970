"""Fused LSTM and GRU on JAX: one matrix product projects the inputs of every step, then
one ``lax.scan`` (a single XLA loop) runs the recurrence, masks and ``go_backwards``
included. The steps and the loop are NumPy's (:mod:`lamina.backend.numpy.rnn`), run
with JAX's functions. Both are ``jax.jit`` functions, so an eager call compiles once per
shape and configuration (inside a compiled step they are inlined)."""

import jax
import jax.numpy as jnp

from lamina.backend.numpy.rnn import Math, kernels

__all__ = ["lstm", "gru"]

_lstm, _gru = kernels(Math(jnp.tanh, jax.nn.sigmoid, jnp.where, jax.lax.scan,
                           lambda z: jnp.flip(z, 0), lambda mask: jnp.asarray(mask).astype(bool)),
                      jnp.asarray)
_OPTIONS = ("go_backwards", "return_sequences", "zero_output_for_mask")
lstm = jax.jit(_lstm, static_argnames=_OPTIONS)
gru = jax.jit(_gru, static_argnames=_OPTIONS + ("reset_after",))
