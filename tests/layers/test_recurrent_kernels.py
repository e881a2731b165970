"""K.rnn on its own, the fused kernels K.lstm / K.gru (symbolic shapes, gradients against
finite differences) and an LSTM that learns a task."""

import numpy as np
import pytest

from lamina import backend as K
from lamina import layers, optimizers, utils
from lamina.models.sequential import Sequential

needs_autodiff = pytest.mark.skipif(K.backend() == "numpy", reason="NumPy has no autodiff")


def numpy(x):
    return K.convert_to_numpy(x)


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("zero_output", [False, True])
def test_k_rnn_with_mask_and_constants(go_backwards, zero_output):
    x = np.random.default_rng(1).normal(size=(2, 4, 3)).astype("float32")
    mask = np.array([[1, 0, 1, 1], [0, 0, 1, 0]], bool)
    scale = np.array([2.0, 0.5, 1.0], "float32")

    def step(x_t, states):
        state, constant = states
        output = K.tanh(K.multiply(x_t, constant) + state)
        return output, [output]

    last, outputs, (state,) = K.rnn(step, x, [np.zeros((2, 3), "float32")],
                                    go_backwards=go_backwards, mask=mask, constants=[scale],
                                    zero_output_for_mask=zero_output)
    s, previous, want = np.zeros((2, 3), "float32"), np.zeros((2, 3), "float32"), []
    for t in (range(3, -1, -1) if go_backwards else range(4)):
        new = np.tanh(x[:, t] * scale + s)
        keep = mask[:, t][:, None]
        previous = np.where(keep, new, 0 if zero_output else previous)
        s = np.where(keep, new, s)
        want.append(previous)
    np.testing.assert_allclose(numpy(outputs), np.stack(want, 1), atol=1e-6)
    np.testing.assert_allclose(numpy(last), want[-1], atol=1e-6)
    np.testing.assert_allclose(numpy(state), s, atol=1e-6)


def test_k_rnn_symbolic_and_last_output_only():
    last, outputs, states = K.rnn(lambda x, s: (x + s[0], [x + s[0]]), K.Input((None, 2)),
                                  [K.Input((2,))], return_all_outputs=False)
    assert (last.shape, outputs.shape, states[0].shape) == ((None, 2), (None, 1, 2), (None, 2))


def test_k_rnn_rejects_2d_inputs():
    with pytest.raises(ValueError, match=r"rnn: inputs must have at least 3 dimensions.*\(2, 3\)"):
        K.rnn(lambda x, s: (x, s), np.zeros((2, 3), "float32"), [np.zeros((2, 3), "float32")])


def test_fused_kernels_symbolic_shapes():
    x = K.Input((None, 3))
    last, outputs, (h, c) = K.lstm(x, K.Input((4,)), K.Input((4,)), K.ones((3, 16)),
                                   K.ones((4, 16)), K.zeros((16,)), mask=K.Input((None,)),
                                   go_backwards=True)
    assert (last.shape, outputs.shape, h.shape, c.shape) == (
        (None, 4), (None, None, 4), (None, 4), (None, 4))
    last, outputs, (h,) = K.gru(x, K.Input((5,)), K.ones((3, 15)), K.ones((5, 15)),
                                K.zeros((2, 15)), return_sequences=False)
    assert (last.shape, outputs.shape, h.shape) == ((None, 5), (None, 1, 5), (None, 5))


def _finite_difference_check(layer, x, variable, entries):
    def loss():
        return K.sum(K.square(layer(x)))

    gradient = numpy(K.gradients(loss, [variable])[0])
    values = numpy(variable).copy()
    eps = 1e-2
    for index in entries:
        shifted = []
        for sign in (1, -1):
            changed = values.copy()
            changed[index] += sign * eps
            variable.assign(changed)
            shifted.append(float(numpy(loss())))
        variable.assign(values)
        estimate = (shifted[0] - shifted[1]) / (2 * eps)
        assert abs(gradient[index] - estimate) <= 2e-3 + 2e-2 * abs(estimate), index


@needs_autodiff
@pytest.mark.parametrize("make", [
    lambda: layers.LSTM(3, return_sequences=True, bias_initializer="random_normal"),
    lambda: layers.GRU(3, go_backwards=True, bias_initializer="random_normal"),
    lambda: layers.SimpleRNN(3, return_sequences=True),
])
def test_gradients_match_finite_differences(make):
    x = np.random.default_rng(2).normal(size=(2, 4, 2)).astype("float32")
    layer = make()
    layer(x)
    kernel, recurrent, bias = layer.cell.kernel, layer.cell.recurrent_kernel, layer.cell.bias
    _finite_difference_check(layer, x, kernel, [(0, 0), (1, 2)])
    _finite_difference_check(layer, x, recurrent, [(0, 1), (2, 0)])
    _finite_difference_check(layer, x, bias,
                             [(0,), (2,)] if len(bias.shape) == 1 else [(0, 1), (1, 2)])


@needs_autodiff
@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU])
def test_fused_and_general_gradients_agree(cls):
    x = np.random.default_rng(3).normal(size=(2, 4, 2)).astype("float32")
    mask = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], bool)
    fused, general = cls(3, return_sequences=True), cls(3, return_sequences=True, unroll=True)
    fused(x)
    general(x)
    general.set_weights(fused.get_weights())
    grads = [K.gradients(lambda: K.sum(K.square(layer(x, mask=mask))), layer.weights)
             for layer in (fused, general)]
    for a, b in zip(*grads):
        np.testing.assert_allclose(numpy(a), numpy(b), atol=1e-5)


@needs_autodiff
def test_small_lstm_learns_whether_a_marker_appears():
    utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 0.5, size=(256, 12, 1)).astype("float32")
    y = (rng.uniform(size=256) < 0.5).astype("float32")
    positions = rng.integers(0, 12, size=256)
    x[y == 1, positions[y == 1], 0] = 1.0
    model = Sequential([layers.LSTM(8, input_shape=(12, 1)), layers.Dense(1, "sigmoid")])
    model.compile(optimizer=optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=12, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] >= 0.9
