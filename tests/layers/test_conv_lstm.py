"""ConvLSTM1D/2D/3D against a step-by-step NumPy loop with a direct NumPy convolution
on every engine (padding, strides, dilation, both data formats, go_backwards, masks,
initial and returned states), gradients against finite differences (jax, torch),
dropout in training, symbolic shapes, weight names and shapes, config round trips and
the errors a user can trigger.
"""

import json

import numpy as np
import pytest
from finite_differences import finite_differences
from test_wrappers import N, T, needs_gradients, np_rnn, sigmoid

from lamina import Input, Model, layers
from lamina import backend as K

RNG = np.random.default_rng(11)
X2 = RNG.normal(size=(2, 3, 5, 5, 2)).astype("float32")


def np_conv(x, w, strides, padding, dilation):
    """Direct N-D convolution, channels last: x (batch, *spatial, cin), w (*k, cin, cout)."""
    kernel = w.shape[:-2]
    if padding == "same":
        pads = []
        for n, k, s, d in zip(x.shape[1:-1], kernel, strides, dilation):
            total = max((-(-n // s) - 1) * s + d * (k - 1) + 1 - n, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    out = [(n - d * (k - 1) - 1) // s + 1
           for n, k, s, d in zip(x.shape[1:-1], kernel, strides, dilation)]
    y = np.zeros((x.shape[0], *out, w.shape[-1]))
    for offset in np.ndindex(*kernel):
        window = tuple(slice(o * d, o * d + (m - 1) * s + 1, s)
                       for o, d, m, s in zip(offset, dilation, out, strides))
        y += x[(slice(None),) + window] @ w[offset]
    return y


def conv_lstm_step(kernel, recurrent_kernel, bias, strides, padding, dilation):
    """One ConvLSTM step in NumPy (channels last), for ``np_rnn``."""
    ones = (1,) * (kernel.ndim - 2)

    def step(x_t, states):
        h, c = states
        z = np_conv(x_t, kernel, strides, padding, dilation) + bias + \
            np_conv(h, recurrent_kernel, ones, "same", ones)
        i, f, g, o = np.split(z, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        return h, [h, c]
    return step


def np_conv_lstm(layer, x, mask=None, states=None):
    """``layer`` (a built ConvLSTM, channels last) re-computed step by step on ``x``:
    (outputs in the order computed, [h, c])."""
    cell = layer.cell
    kernel, recurrent_kernel, *bias = cell.get_weights()
    step = conv_lstm_step(kernel, recurrent_kernel, bias[0] if bias else 0.0, cell.strides,
                          cell.padding, cell.dilation_rate)
    if states is None:
        gates = np_conv(x[:, 0], kernel, cell.strides, cell.padding, cell.dilation_rate)
        states = [np.zeros(gates.shape[:-1] + (cell.filters,))] * 2
    return np_rnn(x.astype("float64"), step, states, mask, layer.go_backwards,
                  layer.zero_output_for_mask)


def check(got, expected):
    np.testing.assert_allclose(N(got), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("padding, strides, return_sequences", [
    ("same", 1, True), ("valid", 2, False)])
def test_conv_lstm2d_matches_a_numpy_loop(padding, strides, return_sequences):
    layer = layers.ConvLSTM2D(3, 3, strides=strides, padding=padding,
                              return_sequences=return_sequences)
    out = layer(T(X2))
    outputs, _ = np_conv_lstm(layer, X2)
    check(out, outputs if return_sequences else outputs[:, -1])


def test_conv_lstm1d_channels_first_dilated_and_backwards():
    x = RNG.normal(size=(2, 3, 2, 7)).astype("float32")
    layer = layers.ConvLSTM1D(2, 2, dilation_rate=2, data_format="channels_first",
                              go_backwards=True, return_sequences=True)
    out = layer(T(x))
    assert tuple(K.shape(out)) == (2, 3, 2, 5)
    outputs, _ = np_conv_lstm(layer, np.moveaxis(x, 2, -1))
    check(out, np.moveaxis(outputs, -1, 2))


def test_conv_lstm3d_matches_a_numpy_loop():
    x = RNG.normal(size=(1, 2, 3, 3, 3, 2)).astype("float32")
    layer = layers.ConvLSTM3D(2, 2, padding="same", use_bias=False)
    check(layer(T(x)), np_conv_lstm(layer, x)[0][:, -1])
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel"]


def test_conv_lstm_mask_initial_state_and_returned_states():
    x = RNG.normal(size=(2, 3, 6, 2)).astype("float32")
    mask = np.array([[True, False, True], [True, True, False]])
    layer = layers.ConvLSTM1D(2, 3, padding="same", return_sequences=True, return_state=True)
    layer.build(x.shape)
    h0, c0 = (RNG.normal(size=(2, 6, 2)).astype("float32") for _ in range(2))
    out, h, c = layer(T(x), mask=T(mask), initial_state=[T(h0), T(c0)])
    outputs, (h_ref, c_ref) = np_conv_lstm(layer, x, mask, [h0, c0])
    check(out, outputs)
    check(h, h_ref)
    check(c, c_ref)


def test_conv_lstm_symbolic_shapes_weights_and_forget_bias():
    layer = layers.ConvLSTM2D(3, (3, 2), strides=(2, 1), return_state=True)
    out, h, c = layer(Input((3, 7, 5, 2)))
    assert (out.shape, h.shape, c.shape) == ((None, 3, 4, 3),) * 3
    assert [(w.name, w.shape) for w in layer.weights] == [
        ("kernel", (3, 2, 2, 12)), ("recurrent_kernel", (3, 2, 3, 12)), ("bias", (12,))]
    np.testing.assert_array_equal(layer.get_weights()[2], [0] * 3 + [1] * 3 + [0] * 6)
    sequences = layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True)
    assert sequences(Input((3, 5, 5, 2))).shape == (None, 3, 5, 5, 4)
    both = layers.Bidirectional(layers.ConvLSTM2D(2, 3, return_sequences=True))
    assert both(Input((3, 5, 5, 2))).shape == (None, 3, 3, 3, 4)


@needs_gradients
def test_conv_lstm_gradients_match_finite_differences():
    x = RNG.normal(size=(2, 3, 4, 1)).astype("float32")
    weights = RNG.normal(size=(2, 3, 3, 1))
    layer = layers.ConvLSTM1D(1, 2, return_sequences=True)
    layer.build(x.shape)
    kernel, recurrent_kernel, bias = layer.get_weights()

    def reference(k, r):
        step = conv_lstm_step(k, r, bias, (1,), "valid", (1,))
        zeros = np.zeros((2, 3, 1))
        return np.sum(np_rnn(x.astype("float64"), step, [zeros, zeros])[0] * weights)

    def loss(k, r):
        return K.sum(layer(T(x)) * T(weights.astype("float32")))

    g_kernel, g_recurrent = K.grad(loss, argnums=(0, 1))(layer.cell.kernel,
                                                         layer.cell.recurrent_kernel)
    np.testing.assert_allclose(N(g_kernel), finite_differences(
        lambda k: reference(k, recurrent_kernel), kernel), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(N(g_recurrent), finite_differences(
        lambda r: reference(kernel, r), recurrent_kernel), rtol=1e-3, atol=1e-4)


def test_conv_lstm_dropout_acts_only_in_training():
    x = np.abs(RNG.normal(size=(2, 3, 6, 2))).astype("float32")
    layer = layers.ConvLSTM1D(2, 3, dropout=0.5, recurrent_dropout=0.5, seed=3,
                              return_sequences=True)
    inference = layer(T(x))
    check(inference, np_conv_lstm(layer, x)[0])
    trained = N(layer(T(x), training=True))
    assert trained.shape == N(inference).shape and np.all(np.isfinite(trained))
    assert not np.allclose(trained, N(inference))


def test_conv_lstm_stateful_continues_from_the_last_states():
    x = RNG.normal(size=(2, 3, 5, 1)).astype("float32")
    inputs = Input(batch_shape=(2, 3, 5, 1))
    layer = layers.ConvLSTM1D(2, 3, padding="same", stateful=True)
    model = Model(inputs, layer(inputs))
    first = N(model(T(x)))
    _, states = np_conv_lstm(layer, x)
    check(model(T(x)), np_conv_lstm(layer, x, states=states)[0][:, -1])
    layer.reset_states()
    check(model(T(x)), first)


def test_conv_lstm_config_round_trip():
    layer = layers.ConvLSTM2D(3, (2, 3), strides=(1, 2), padding="same", dropout=0.25,
                              recurrent_activation="hard_sigmoid", return_sequences=True,
                              go_backwards=True, name="clstm_cfg")
    out = layer(T(X2))
    config = json.loads(json.dumps(layer.get_config()))
    assert (config["kernel_size"], config["strides"], config["filters"]) == ([2, 3], [1, 2], 3)
    clone = layers.ConvLSTM2D.from_config(config)
    clone.build(X2.shape)
    clone.set_weights(layer.get_weights())
    assert (clone.name, clone.padding, clone.dropout, clone.go_backwards) == \
        ("clstm_cfg", "same", 0.25, True)
    check(clone(T(X2)), N(out))


def test_conv_lstm_errors_name_the_layer_expectation_and_input():
    with pytest.raises(ValueError, match=r"ConvLSTM2D layer 'clstm_rank' expects inputs of "
                                         r"rank 5.*\(2, 3, 5, 2\)"):
        layers.ConvLSTM2D(2, 3, name="clstm_rank")(T(X2[:, :, 0]))
    with pytest.raises(ValueError, match=r"'clstm_sym' expects inputs of rank 5.*"
                                         r"\(None, 3, 5, 5, 5, 2\)"):
        layers.ConvLSTM2D(2, 3, name="clstm_sym")(Input((3, 5, 5, 5, 2)))
    with pytest.raises(ValueError, match=r"ConvLSTM1D layer 'clstm_pad' expects padding to be "
                                         r"'valid' or 'same'. Received padding='causal'"):
        layers.ConvLSTM1D(2, 3, padding="causal", name="clstm_pad")
    with pytest.raises(ValueError, match=r"ConvLSTM3D expects kernel_size to be a positive int "
                                         r"or a tuple of 3 positive ints. Received "
                                         r"kernel_size=\(3, 3\)"):
        layers.ConvLSTM3D(2, (3, 3))
    with pytest.raises(ValueError, match=r"needs known spatial dimensions.*\(None, None, 5, 2\)"):
        layers.ConvLSTM2D(2, 3)(Input((3, None, 5, 2)))
