"""Recurrent dropout on the fused kernels: K.lstm / K.gru take the mask as an input, and
LSTM / GRU with ``recurrent_dropout`` keep the fused path with Keras's semantics (one
mask per sequence multiplying the previous output at every step, none in inference)."""

import numpy as np
import pytest

from lamina import backend as K
from lamina import layers

BATCH, STEPS, FEATURES, UNITS = 3, 4, 2, 3
RNG = np.random.default_rng(7)
X = RNG.normal(size=(BATCH, STEPS, FEATURES)).astype("float32")
RECURRENT_MASK = (RNG.random((BATCH, UNITS)) > 0.4).astype("float32") / 0.6

needs_autodiff = pytest.mark.skipif(K.backend() == "numpy", reason="NumPy has no autodiff")


def numpy(x):
    return K.convert_to_numpy(x)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def reference_lstm(kernel, recurrent, bias, mask):
    h = c = np.zeros((BATCH, UNITS), "float32")
    outputs = []
    for t in range(STEPS):
        z = X[:, t] @ kernel + (h * mask) @ recurrent + bias
        i, f, g, o = (z[:, j * UNITS:(j + 1) * UNITS] for j in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        outputs.append(h)
    return np.stack(outputs, 1), c


def reference_gru(kernel, recurrent, bias, mask, reset_after):
    h = np.zeros((BATCH, UNITS), "float32")
    u = UNITS
    outputs = []
    for t in range(STEPS):
        d = h * mask
        x = X[:, t] @ kernel + (bias[0] if reset_after else bias)
        if reset_after:
            inner = d @ recurrent + bias[1]
            candidate_inner = inner[:, 2 * u:]
        else:
            inner = d @ recurrent[:, :2 * u]
        z = sigmoid(x[:, :u] + inner[:, :u])
        r = sigmoid(x[:, u:2 * u] + inner[:, u:2 * u])
        if reset_after:
            candidate = np.tanh(x[:, 2 * u:] + r * candidate_inner)
        else:
            candidate = np.tanh(x[:, 2 * u:] + (r * d) @ recurrent[:, 2 * u:])
        h = z * h + (1 - z) * candidate
        outputs.append(h)
    return np.stack(outputs, 1)


def test_k_lstm_applies_the_recurrent_mask_to_h_at_every_step():
    kernel = RNG.normal(size=(FEATURES, 4 * UNITS)).astype("float32")
    recurrent = RNG.normal(size=(UNITS, 4 * UNITS)).astype("float32")
    bias = RNG.normal(size=(4 * UNITS,)).astype("float32")
    zeros = np.zeros((BATCH, UNITS), "float32")
    last, outputs, (h, c) = K.lstm(X, zeros, zeros, kernel, recurrent, bias,
                                   recurrent_mask=RECURRENT_MASK)
    want, want_c = reference_lstm(kernel, recurrent, bias, RECURRENT_MASK)
    np.testing.assert_allclose(numpy(outputs), want, atol=1e-5)
    np.testing.assert_allclose(numpy(c), want_c, atol=1e-5)
    np.testing.assert_allclose(numpy(last), want[:, -1], atol=1e-5)


@pytest.mark.parametrize("reset_after", [True, False])
def test_k_gru_applies_the_recurrent_mask_in_the_recurrent_products(reset_after):
    kernel = RNG.normal(size=(FEATURES, 3 * UNITS)).astype("float32")
    recurrent = RNG.normal(size=(UNITS, 3 * UNITS)).astype("float32")
    bias = RNG.normal(size=(2, 3 * UNITS) if reset_after else (3 * UNITS,)).astype("float32")
    _, outputs, _ = K.gru(X, np.zeros((BATCH, UNITS), "float32"), kernel, recurrent, bias,
                          reset_after=reset_after, recurrent_mask=RECURRENT_MASK)
    np.testing.assert_allclose(numpy(outputs),
                               reference_gru(kernel, recurrent, bias, RECURRENT_MASK,
                                             reset_after), atol=1e-5)


def pair(cls, **options):
    """A fused layer with recurrent dropout and the same layer on the cell's step-by-step
    path (``unroll``), both seeded alike and with the same weights."""
    options = dict(recurrent_dropout=0.5, seed=11, return_sequences=True,
                   bias_initializer="random_normal", **options)
    fused, general = cls(UNITS, **options), cls(UNITS, unroll=True, **options)
    fused(X)
    general(X)
    general.set_weights(fused.get_weights())
    return fused, general


@pytest.mark.parametrize("cls,options", [
    (layers.LSTM, {}), (layers.LSTM, {"dropout": 0.3, "go_backwards": True}),
    (layers.GRU, {}), (layers.GRU, {"reset_after": False})])
def test_recurrent_dropout_stays_fused_and_matches_the_cell(cls, options):
    fused, general = pair(cls, **options)
    assert fused.uses_fused_kernel() and not general.uses_fused_kernel()
    trained = numpy(fused(X, training=True))
    np.testing.assert_allclose(trained, numpy(general(X, training=True)), atol=1e-5)
    no_dropout = cls(UNITS, return_sequences=True, **{k: v for k, v in options.items()
                                                       if k != "dropout"})
    no_dropout(X)
    no_dropout.set_weights(fused.get_weights())
    inference = numpy(fused(X))
    np.testing.assert_allclose(inference, numpy(no_dropout(X)), atol=1e-6)
    assert not np.allclose(trained, inference, atol=1e-3)


def test_each_call_draws_a_new_recurrent_mask():
    layer = layers.LSTM(UNITS, recurrent_dropout=0.5, seed=2, return_sequences=True)
    first, second = numpy(layer(X, training=True)), numpy(layer(X, training=True))
    assert not np.allclose(first, second, atol=1e-4)


@needs_autodiff
@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU])
def test_recurrent_dropout_gradients_match_the_cell(cls):
    fused, general = pair(cls)
    weights = K.convert_to_tensor(RNG.normal(size=(BATCH, STEPS, UNITS)).astype("float32"))

    def gradients(layer):
        cell = layer.cell

        def loss(kernel, recurrent_kernel, bias):
            return K.sum(layer(X, training=True) * weights)
        return K.grad(loss, argnums=(0, 1, 2))(cell.kernel, cell.recurrent_kernel, cell.bias)

    for got, want in zip(gradients(fused), gradients(general)):
        np.testing.assert_allclose(numpy(got), numpy(want), rtol=1e-4, atol=1e-5)
