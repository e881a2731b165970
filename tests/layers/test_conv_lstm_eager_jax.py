"""On JAX, eager calls of a recurrent layer reuse compiled kernels: K.rnn's scan runs as
a Python loop outside compiled steps, where ``lax.scan`` would compile its body (a new
closure) on every call — 0.6 s per eager ConvLSTM2D call, 2 s per gradient."""

import numpy as np
import pytest

from lamina import backend as K
from lamina import layers

if K.backend() != "jax":
    pytest.skip("about the JAX engine's eager control flow", allow_module_level=True)

import jax  # noqa: E402

_events = []
jax.monitoring.register_event_duration_secs_listener(
    lambda name, secs, **kwargs: _events.append(name))


def _compiles(fn):
    _events.clear()
    fn()
    return [e for e in _events if e.endswith("backend_compile_duration")]


def test_repeated_eager_calls_and_gradients_compile_nothing_new():
    x = K.convert_to_tensor(np.random.default_rng(0).random((2, 3, 5, 5, 1), "float32"))
    layer = layers.ConvLSTM2D(2, 3, padding="same")
    layer(x)
    assert _compiles(lambda: layer(x)) == []

    def gradient():
        return K.value_and_grad(lambda v: K.sum(layer(v)))(x)
    gradient()
    assert _compiles(gradient) == []


def test_eager_control_flow_matches_the_compiled_one():
    xs = K.convert_to_tensor(np.arange(6, dtype="float32").reshape(3, 2))

    def run():
        carry, ys = K.scan(lambda c, x: (c + x, c * x), K.zeros(2), xs, reverse=True)
        total = K.fori_loop(0, 3, lambda i, acc: acc + K.sum(xs[i]), 0.0)
        count = K.while_loop(lambda i: i < 4, lambda i: (i + 1,), (K.convert_to_tensor(0),))[0]
        chosen = K.cond(K.sum(xs) > 0, lambda: K.ones(()), lambda: K.zeros(()))
        return carry, ys, total, count, chosen

    eager = run()
    compiled = jax.jit(run)()
    for a, b in zip(jax.tree_util.tree_leaves(eager), jax.tree_util.tree_leaves(compiled)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b))
