"""ConvLSTM's unrolled loop (sequences up to ``UNROLL_STEPS`` steps) against the loop
that longer sequences keep, inside compiled predict and train steps: the same outputs
and the same weights after a training step (the same gradients), with a mask and
go_backwards too."""

import numpy as np
import pytest

from lamina import Input, Model, layers, optimizers
from lamina import backend as K
from lamina.layers.wrappers import conv_lstm

RNG = np.random.default_rng(5)
X = RNG.normal(size=(2, 4, 5, 5, 1)).astype("float32")
MASK = np.array([[True, True, False, True], [False, True, True, True]])
Y = RNG.normal(size=(2, 4, 5, 5, 2)).astype("float32")


def model(go_backwards, weights=None):
    inputs, mask = Input((4, 5, 5, 1)), Input((4,), dtype="bool")
    outputs = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True,
                                go_backwards=go_backwards,
                                bias_initializer="random_normal")(inputs, mask=mask)
    result = Model([inputs, mask], outputs)
    if weights is not None:
        result.set_weights(weights)
    result.compile(optimizers.SGD(1.0), "mse")
    return result


def run(go_backwards, unroll_steps, weights, monkeypatch):
    """Predictions, then the weights after one training step, of a fresh model looping
    unrolled up to ``unroll_steps`` steps."""
    monkeypatch.setattr(conv_lstm, "UNROLL_STEPS", unroll_steps)
    net = model(go_backwards, weights)
    results = [net.predict([X, MASK], verbose=0)]
    if K.backend() != "numpy":
        net.train_on_batch([X, MASK], Y)
        results += net.get_weights()
    return results


@pytest.mark.parametrize("go_backwards", [False, True])
def test_unrolled_loop_equals_the_loop(go_backwards, monkeypatch):
    weights = model(go_backwards).get_weights()
    unrolled = run(go_backwards, 64, weights, monkeypatch)
    looped = run(go_backwards, 1, weights, monkeypatch)
    assert len(unrolled) == (1 if K.backend() == "numpy" else 4)
    for a, b in zip(unrolled, looped):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
