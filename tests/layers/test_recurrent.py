"""Recurrent layers against a step-by-step NumPy loop: SimpleRNN, LSTM, GRU (both
reset_after forms), masks, go_backwards, initial_state, stateful layers, dropout,
custom and stacked cells, configs and errors."""

import numpy as np
import pytest

from lamina import backend as K
from lamina import layers
from lamina.models.functional import Functional

BATCH, STEPS, FEATURES, UNITS = 3, 5, 2, 4
RIGHT_PADDED = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], bool)
WITH_HOLES = np.array([[0, 1, 1, 0, 1], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]], bool)
MASKS = {"none": None, "right_padded": RIGHT_PADDED, "with_holes": WITH_HOLES}


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def reference_step(kind, weights, reset_after=True):
    """A NumPy step ``(x_t, states) -> (output, states)`` for a built-in cell."""
    kernel, recurrent, bias = weights
    u = recurrent.shape[0]

    def simple(x, states):
        h = np.tanh(x @ kernel + bias + states[0] @ recurrent)
        return h, [h]

    def lstm(x, states):
        h, c = states
        z = x @ kernel + h @ recurrent + bias
        i, f, g, o = (z[:, j * u:(j + 1) * u] for j in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        return h, [h, c]

    def gru(x, states):
        h = states[0]
        xb = x @ kernel + (bias[0] if reset_after else bias)
        if reset_after:
            inner = h @ recurrent + bias[1]
            z = sigmoid(xb[:, :u] + inner[:, :u])
            r = sigmoid(xb[:, u:2 * u] + inner[:, u:2 * u])
            candidate = np.tanh(xb[:, 2 * u:] + r * inner[:, 2 * u:])
        else:
            z = sigmoid(xb[:, :u] + h @ recurrent[:, :u])
            r = sigmoid(xb[:, u:2 * u] + h @ recurrent[:, u:2 * u])
            candidate = np.tanh(xb[:, 2 * u:] + (r * h) @ recurrent[:, 2 * u:])
        h = z * h + (1 - z) * candidate
        return h, [h]

    return {"simple": simple, "lstm": lstm, "gru": gru}[kind]


def reference_rnn(step, x, states, mask=None, go_backwards=False, zero_output_for_mask=False):
    """(outputs in loop order, final states) of Keras's recurrence, in NumPy."""
    order = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    previous, outputs = np.zeros_like(states[0]), []
    for t in order:
        output, new_states = step(x[:, t], states)
        if mask is not None:
            keep = mask[:, t][:, None]
            output = np.where(keep, output, 0 if zero_output_for_mask else previous)
            new_states = [np.where(keep, n, s) for n, s in zip(new_states, states)]
        states, previous = new_states, output
        outputs.append(output)
    return np.stack(outputs, 1), states


def make_layer(kind, reset_after=True, **kwargs):
    if kind == "simple":
        return layers.SimpleRNN(UNITS, bias_initializer="random_normal", **kwargs)
    if kind == "lstm":
        return layers.LSTM(UNITS, bias_initializer="random_normal", **kwargs)
    return layers.GRU(UNITS, bias_initializer="random_normal", reset_after=reset_after, **kwargs)


def numpy(x):
    return K.convert_to_numpy(x)


@pytest.fixture
def x():
    return np.random.default_rng(0).normal(size=(BATCH, STEPS, FEATURES)).astype("float32")


LAYER_KINDS = [("simple", True), ("lstm", True), ("gru", True), ("gru", False)]


FUSED_CASES = [("none", False), ("right_padded", False), ("right_padded", True),
               ("with_holes", True)]
GENERAL_CASES = [("none", False), ("with_holes", True)]


@pytest.mark.parametrize("kind,reset_after,mask_name,go_backwards",
                         [("lstm", True) + case for case in FUSED_CASES] +
                         [("gru", True) + case for case in FUSED_CASES] +
                         [("simple", True) + case for case in GENERAL_CASES] +
                         [("gru", False) + case for case in GENERAL_CASES])
def test_layer_matches_numpy_loop(x, kind, reset_after, mask_name, go_backwards):
    mask = MASKS[mask_name]
    layer = make_layer(kind, reset_after, return_sequences=True, return_state=True,
                       go_backwards=go_backwards)
    outputs, *states = layer(x, mask=mask)
    n_states = 2 if kind == "lstm" else 1
    zeros = [np.zeros((BATCH, UNITS), "float32")] * n_states
    want_outputs, want_states = reference_rnn(
        reference_step(kind, layer.get_weights(), reset_after), x, zeros, mask, go_backwards)
    np.testing.assert_allclose(numpy(outputs), want_outputs, atol=1e-5)
    assert len(states) == n_states
    for got, want in zip(states, want_states):
        np.testing.assert_allclose(numpy(got), want, atol=1e-5)


@pytest.mark.parametrize("kind,reset_after", LAYER_KINDS[:3])
def test_initial_state_and_last_output(x, kind, reset_after):
    n_states = 2 if kind == "lstm" else 1
    initial = [np.random.default_rng(i).normal(size=(BATCH, UNITS)).astype("float32")
               for i in range(n_states)]
    layer = make_layer(kind, reset_after)
    last = layer(x, initial_state=initial)
    assert K.int_shape(last) == (BATCH, UNITS)
    want, _ = reference_rnn(reference_step(kind, layer.get_weights(), reset_after), x, initial)
    np.testing.assert_allclose(numpy(last), want[:, -1], atol=1e-5)


def test_weight_names_and_shapes():
    shapes = {}
    for layer in (layers.LSTM(3), layers.GRU(3), layers.GRU(3, reset_after=False),
                  layers.SimpleRNN(3)):
        layer(K.Input((4, 2)))
        shapes[type(layer).__name__ + str(getattr(layer, "reset_after", ""))] = [
            (w.name, w.shape) for w in layer.weights]
    assert shapes["LSTM"] == [("kernel", (2, 12)), ("recurrent_kernel", (3, 12)),
                              ("bias", (12,))]
    assert shapes["GRUTrue"] == [("kernel", (2, 9)), ("recurrent_kernel", (3, 9)),
                                 ("bias", (2, 9))]
    assert shapes["GRUFalse"][2] == ("bias", (9,))
    assert shapes["SimpleRNN"][1] == ("recurrent_kernel", (3, 3))


def test_lstm_forget_bias_starts_at_one():
    layer = layers.LSTM(2)
    layer(K.Input((4, 3)))
    assert numpy(layer.cell.bias).tolist() == [0, 0, 1, 1, 0, 0, 0, 0]
    plain = layers.LSTM(2, unit_forget_bias=False)
    plain(K.Input((4, 3)))
    assert not numpy(plain.cell.bias).any()


@pytest.mark.parametrize("cls,mask_name,go_backwards,zero_output", [
    (layers.LSTM, "none", True, False), (layers.LSTM, "right_padded", True, True),
    (layers.LSTM, "with_holes", False, False), (layers.GRU, "right_padded", False, False),
    (layers.GRU, "right_padded", False, True), (layers.GRU, "with_holes", True, False)])
def test_fused_kernel_equals_general_path(x, cls, mask_name, go_backwards, zero_output):
    mask = MASKS[mask_name]
    options = dict(return_sequences=True, return_state=True, go_backwards=go_backwards,
                   zero_output_for_mask=zero_output, bias_initializer="random_normal")
    fused, general = cls(UNITS, **options), cls(UNITS, unroll=True, **options)
    assert fused.uses_fused_kernel() and not general.uses_fused_kernel()
    fused_out = fused(x, mask=mask)
    general(x)
    general.set_weights(fused.get_weights())
    for a, b in zip(fused_out, general(x, mask=mask)):
        np.testing.assert_allclose(numpy(a), numpy(b), atol=1e-5)


def test_general_path_configurations_fall_back_and_still_compute(x):
    relu = layers.LSTM(UNITS, activation="relu", return_sequences=True)
    hard = layers.GRU(UNITS, recurrent_activation="hard_sigmoid", reset_after=False)
    assert not relu.uses_fused_kernel() and not hard.uses_fused_kernel()
    out = relu(x)
    kernel, recurrent, bias = relu.get_weights()
    h = c = np.zeros((BATCH, UNITS), "float32")
    for t in range(STEPS):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = (z[:, j * UNITS:(j + 1) * UNITS] for j in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.maximum(g, 0)
        h = sigmoid(o) * np.maximum(c, 0)
    np.testing.assert_allclose(numpy(out)[:, -1], h, atol=1e-5)
    assert K.int_shape(hard(x)) == (BATCH, UNITS)


def test_embedding_mask_zero_reaches_the_lstm():
    tokens = np.array([[3, 1, 4, 0, 0], [2, 7, 1, 8, 2]], "int32")
    inputs = K.Input((5,), dtype="int32")
    embedded = layers.Embedding(10, 3, mask_zero=True)(inputs)
    lstm = layers.LSTM(UNITS)
    model = Functional(inputs, lstm(embedded))
    padded = numpy(model(tokens))
    trimmed = numpy(lstm(model.layers[1](tokens[:1, :3])))
    np.testing.assert_allclose(padded[:1], trimmed, atol=1e-5)


def test_masking_layer_masks_steps(x):
    x = x.copy()
    x[0, 3:] = 0.0
    inputs = K.Input((STEPS, FEATURES))
    gru = layers.GRU(UNITS, return_sequences=True)
    model = Functional(inputs, gru(layers.Masking(0.0)(inputs)))
    outputs = numpy(model(x))
    np.testing.assert_allclose(outputs[0, 3], outputs[0, 2], atol=1e-6)
    np.testing.assert_allclose(outputs[0, 4], outputs[0, 2], atol=1e-6)


def test_symbolic_initial_state_in_a_model(x):
    sequence, h0, c0 = K.Input((STEPS, FEATURES)), K.Input((UNITS,)), K.Input((UNITS,))
    lstm = layers.LSTM(UNITS, return_sequences=True)
    outputs = lstm(sequence, initial_state=[h0, c0])
    assert outputs.shape == (None, STEPS, UNITS)
    model = Functional([sequence, h0, c0], outputs)
    h = np.full((BATCH, UNITS), 0.5, "float32")
    c = np.full((BATCH, UNITS), -0.5, "float32")
    want, _ = reference_rnn(reference_step("lstm", lstm.get_weights()), x, [h, c])
    np.testing.assert_allclose(numpy(model([x, h, c])), want, atol=1e-5)


def test_return_state_shapes_symbolic():
    out, h, c = layers.LSTM(UNITS, return_state=True)(K.Input((None, FEATURES)))
    seq, state = layers.GRU(UNITS, return_sequences=True, return_state=True)(
        K.Input((None, FEATURES)))
    assert (out.shape, h.shape, c.shape) == ((None, UNITS),) * 3
    assert (seq.shape, state.shape) == ((None, None, UNITS), (None, UNITS))


@pytest.mark.parametrize("cls", [layers.SimpleRNN, layers.LSTM])
def test_stateful_continues_then_resets(x, cls):
    stateful = cls(UNITS, stateful=True, return_sequences=True)
    stateful(K.Input(batch_shape=(BATCH, None, FEATURES)))
    whole = cls(UNITS, return_sequences=True)
    whole(x)
    whole.cell.set_weights(stateful.cell.get_weights())
    first, second = numpy(stateful(x[:, :2])), numpy(stateful(x[:, 2:]))
    assert all(not v.trainable for v in stateful.states)
    np.testing.assert_allclose(np.concatenate([first, second], 1), numpy(whole(x)), atol=1e-5)
    stateful.reset_states()
    np.testing.assert_allclose(numpy(stateful(x[:, :2])), first, atol=1e-6)


@pytest.mark.parametrize("cls,recurrent_dropout", [(layers.SimpleRNN, 0.3), (layers.LSTM, 0.0),
                                                   (layers.GRU, 0.0)])
def test_dropout_only_in_training(x, cls, recurrent_dropout):
    layer = cls(UNITS, dropout=0.5, recurrent_dropout=recurrent_dropout, seed=3)
    plain = cls(UNITS)
    inference = numpy(layer(x))
    plain(x)
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(inference, numpy(plain(x)), atol=1e-6)
    assert np.abs(numpy(layer(x, training=True)) - inference).max() > 1e-3


@pytest.mark.parametrize("cls", [layers.LSTM])
def test_fused_dropout_uses_one_mask_per_sequence_like_the_cell(x, cls):
    fused = cls(UNITS, dropout=0.5, seed=7, return_sequences=True)
    general = cls(UNITS, dropout=0.5, seed=7, return_sequences=True, unroll=True)
    fused(x)
    general(x)
    general.set_weights(fused.get_weights())
    np.testing.assert_allclose(numpy(fused(x, training=True)),
                               numpy(general(x, training=True)), atol=1e-5)


def test_dropout_mask_is_the_same_at_every_step():
    cell = layers.SimpleRNNCell(2, dropout=0.5, seed=1, kernel_initializer="ones",
                                recurrent_initializer="zeros", activation=None)
    layer = layers.RNN(cell, return_sequences=True)
    ones = np.ones((4, 6, 8), "float32")
    outputs = numpy(layer(ones, training=True))
    np.testing.assert_allclose(outputs, np.repeat(outputs[:, :1], 6, axis=1))
    assert cell._dropout_mask is None


class MinimalCell(layers.Layer):
    """``h = tanh(x @ w + h @ u)``, written with K functions."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.w = self.add_weight("w", (input_shape[-1], self.units), "random_normal")
        self.u = self.add_weight("u", (self.units, self.units), "random_normal")

    def call(self, inputs, states):
        h = K.tanh(K.dot(inputs, self.w) + K.dot(states[0], self.u))
        return h, [h]


@pytest.mark.parametrize("mask_name", ["none", "with_holes"])
def test_custom_cell_in_rnn(x, mask_name):
    mask = MASKS[mask_name]
    cell = MinimalCell(UNITS)
    outputs = layers.RNN(cell, return_sequences=True, go_backwards=True)(x, mask=mask)
    w, u = cell.get_weights()
    zeros = [np.zeros((BATCH, UNITS), "float32")]
    def step(x_t, states):
        h = np.tanh(x_t @ w + states[0] @ u)
        return h, [h]

    want, _ = reference_rnn(step, x, zeros, mask, go_backwards=True)
    np.testing.assert_allclose(numpy(outputs), want, atol=1e-5)


def test_stacked_cells_feed_each_other(x):
    lstm_cell, gru_cell = layers.LSTMCell(UNITS), layers.GRUCell(3)
    rnn = layers.RNN([lstm_cell, gru_cell], return_state=True)
    last, h1, c1, h2 = rnn(x)
    first_outputs, (h, c) = reference_rnn(reference_step("lstm", lstm_cell.get_weights()), x,
                                          [np.zeros((BATCH, UNITS), "float32")] * 2)
    second_outputs, (g,) = reference_rnn(reference_step("gru", gru_cell.get_weights()),
                                         first_outputs, [np.zeros((BATCH, 3), "float32")])
    np.testing.assert_allclose(numpy(last), second_outputs[:, -1], atol=1e-5)
    np.testing.assert_allclose(numpy(c1), c, atol=1e-5)
    np.testing.assert_allclose(numpy(h2), g, atol=1e-5)


@pytest.mark.parametrize("make", [
    lambda: layers.LSTM(3, dropout=0.1, kernel_regularizer="l2", return_sequences=True),
    lambda: layers.GRU(3, reset_after=False, activation="relu", go_backwards=True),
    lambda: layers.SimpleRNN(3, recurrent_initializer="zeros", stateful=False),
    lambda: layers.RNN(layers.LSTMCell(3, unit_forget_bias=False), return_state=True),
    lambda: layers.RNN(layers.StackedRNNCells([layers.GRUCell(2), layers.SimpleRNNCell(3)])),
])
def test_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    assert type(clone.cell) is type(layer.cell)
    assert [w.shape for w in clone.weights] == [w.shape for w in layer.weights] == []
    clone_out, layer_out = clone(K.Input((4, 2))), layer(K.Input((4, 2)))
    assert [w.shape for w in clone.weights] == [w.shape for w in layer.weights]
    if isinstance(layer_out, tuple):
        clone_out, layer_out = clone_out[0], layer_out[0]
    assert clone_out.shape == layer_out.shape


def test_rnn_on_a_2d_input_names_the_layer():
    with pytest.raises(ValueError, match=r"LSTM layer 'my_lstm' expects inputs of rank >= 3.*"
                                         r"\(None, 4\)"):
        layers.LSTM(2, name="my_lstm")(K.Input((4,)))


def test_cell_without_state_size():
    class NoState:
        def call(self, inputs, states):
            return inputs, states

    with pytest.raises(ValueError, match=r"RNN layer 'r' expects a cell with a `state_size`.*"
                                         r"Received NoState"):
        layers.RNN(NoState(), name="r")


def test_initial_state_wrong_count_and_shape(x):
    layer = layers.LSTM(UNITS, name="lstm_x")
    with pytest.raises(ValueError, match=r"'lstm_x' expects initial_state to be a list of 2 .*"
                                         r"Received 1"):
        layer(x, initial_state=[np.zeros((BATCH, UNITS), "float32")])
    with pytest.raises(ValueError, match=r"'lstm_x' expects initial_state\[1\] of shape "
                                         r"\(3, 4\)\. Received shape \(3, 5\)"):
        layer(x, initial_state=[np.zeros((BATCH, UNITS), "float32"),
                                np.zeros((BATCH, 5), "float32")])


def test_stateful_needs_a_fixed_batch_size():
    with pytest.raises(ValueError, match=r"GRU layer 'g' is stateful.*batch_shape.*"
                                         r"Received input shape \(None, 5, 2\)"):
        layers.GRU(2, stateful=True, name="g")(K.Input((5, 2)))


@pytest.mark.skipif(K.backend() == "numpy", reason="numpy does not train")
@pytest.mark.parametrize("cls", [layers.SimpleRNN, layers.LSTM, layers.GRU])
def test_stateful_layer_trains_and_model_resets_its_states(cls):
    import lamina
    model = lamina.Sequential([K.Input(batch_shape=(BATCH, STEPS, FEATURES)),
                               cls(UNITS, stateful=True), layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).normal(size=(2 * BATCH, STEPS, FEATURES)).astype("float32")
    loss = model.fit(x, x[:, 0, :1], batch_size=BATCH, epochs=1, shuffle=False,
                     verbose=0).history["loss"][0]
    assert np.isfinite(loss)
    assert np.abs(K.convert_to_numpy(model.layers[0].states[0])).max() > 0
    model.reset_states()
    assert np.abs(K.convert_to_numpy(model.layers[0].states[0])).max() == 0
