"""Fused LSTM and GRU on JAX: one ``lax.scan`` (a single XLA loop) runs the recurrence,
masks, ``go_backwards`` and recurrent dropout's mask included. On a CPU each step
projects its own input, measured about 20% faster per training step than one product
for every step before the loop (the small products stay in cache and no projected
sequence is kept for the gradient); on an accelerator the one large product comes first
(not measured by this choice). The steps and the loop are NumPy's
(:mod:`lamina.backend.numpy.rnn`), run with JAX's functions. The kernels are ``jax.jit``
functions, so an eager call compiles once per shape and configuration (inside a compiled
step they are inlined)."""

import jax
import jax.numpy as jnp

from lamina.backend.numpy.rnn import Math, kernels

__all__ = ["lstm", "gru"]

_MATH = Math(jnp.tanh, jax.nn.sigmoid, jnp.where, jax.lax.scan, lambda z: jnp.flip(z, 0),
             lambda mask: jnp.asarray(mask).astype(bool), lambda z, n: jnp.split(z, n, axis=-1))
_OPTIONS = ("go_backwards", "return_sequences", "zero_output_for_mask")
# {projects in the loop: (lstm, gru)}
_KERNELS = {in_loop: (jax.jit(lstm, static_argnames=_OPTIONS),
                      jax.jit(gru, static_argnames=_OPTIONS + ("reset_after",)))
            for in_loop in (False, True)
            for lstm, gru in [kernels(_MATH, jnp.asarray, project_in_loop=in_loop)]}


def _on_cpu():
    # read at the call, not at import: jax.distributed.initialize must come before
    # JAX's backends start
    return jax.default_backend() == "cpu"


def lstm(*args, **kwargs):
    return _KERNELS[_on_cpu()][0](*args, **kwargs)


def gru(*args, **kwargs):
    return _KERNELS[_on_cpu()][1](*args, **kwargs)
