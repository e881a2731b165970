"""TimeDistributed and Bidirectional against NumPy re-computations on every engine:
TimeDistributed(Dense) against Dense applied per step, Bidirectional against a forward
and a reversed backward run of the same weights in every merge mode, with masks and
initial states. Also gradients against finite differences (jax, torch), symbolic
shapes, config round trips and the errors a user can trigger.
"""

import json

import numpy as np
import pytest

from lamina import Input, Model, layers
from lamina import backend as K
from finite_differences import finite_differences

RNG = np.random.default_rng(5)
X = RNG.normal(size=(2, 3, 4)).astype("float32")
MASK = np.array([[True, True, False], [True, False, True]])

needs_gradients = pytest.mark.skipif(K.backend() == "numpy",
                                     reason="the numpy engine has no gradients")


def N(x):
    return np.asarray(K.convert_to_numpy(x))


def T(a):
    return K.convert_to_tensor(np.asarray(a))


def np_rnn(x, step, states, mask=None, go_backwards=False, zero_output_for_mask=False):
    """Any recurrent layer step by step in NumPy: ``step(x_t, states) -> (output, states)``;
    a masked step keeps the states and repeats the previous output (zeros with
    ``zero_output_for_mask``). Returns (outputs in the order computed, final states)."""
    order = range(x.shape[1])[::-1] if go_backwards else range(x.shape[1])
    outputs, previous = [], None
    for t in order:
        output, new_states = step(x[:, t], states)
        if mask is not None:
            keep = mask[:, t].reshape((-1,) + (1,) * (output.ndim - 1))
            new_states = [np.where(keep, n, s) for n, s in zip(new_states, states)]
            fallback = 0.0 if zero_output_for_mask or previous is None else previous
            output = np.where(keep, output, fallback)
        states, previous = new_states, output
        outputs.append(output)
    return np.stack(outputs, 1), states


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm_step(kernel, recurrent_kernel, bias):
    def step(x_t, states):
        h, c = states
        i, f, g, o = np.split(x_t @ kernel + h @ recurrent_kernel + bias, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        return h, [h, c]
    return step


def simple_step(kernel, recurrent_kernel, bias):
    def step(x_t, states):
        h = np.tanh(x_t @ kernel + states[0] @ recurrent_kernel + bias)
        return h, [h]
    return step


class MaskAsFloat(layers.Layer):
    """Returns the mask it receives as floats, one per sample (-1 when it gets none)."""

    def call(self, inputs, mask=None):
        if mask is None:
            return K.ones_like(inputs[:, :1]) * -1.0
        return K.expand_dims(K.cast(mask, "float32"), -1)


# -- TimeDistributed -------------------------------------------------------------------
def test_time_distributed_dense_equals_dense_applied_per_step():
    td = layers.TimeDistributed(layers.Dense(5, activation="tanh"))
    out = N(td(T(X)))
    kernel, bias = td.layer.get_weights()
    expected = np.stack([np.tanh(X[:, t] @ kernel + bias) for t in range(X.shape[1])], 1)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    assert [w.shape for w in td.weights] == [(4, 5), (5,)]


def test_time_distributed_symbolic_shapes_and_rank_four_inputs():
    td = layers.TimeDistributed(layers.Dense(2))
    assert td(Input((None, 4))).shape == (None, None, 2)
    inner = layers.TimeDistributed(layers.Dense(2))
    assert inner(Input((3, 6, 4))).shape == (None, 3, 6, 2)
    x = RNG.normal(size=(2, 3, 6, 4)).astype("float32")
    kernel, bias = inner.layer.get_weights()
    np.testing.assert_allclose(N(inner(T(x))), x @ kernel + bias, rtol=1e-5, atol=1e-5)
    assert td.compute_output_shape((None, 7, 4)) == (None, 7, 2)


def test_time_distributed_folds_the_mask_for_the_inner_layer_and_passes_it_on():
    td = layers.TimeDistributed(MaskAsFloat())
    out = N(td(T(X), mask=T(MASK)))
    np.testing.assert_array_equal(out[..., 0], MASK.astype("float32"))
    assert N(td(T(X)))[..., 0].tolist() == [[-1.0] * 3] * 2
    inputs = Input((3, 4))
    masked = layers.TimeDistributed(layers.Dense(2))(layers.Masking(0.0)(inputs))
    seen = layers.TimeDistributed(MaskAsFloat())(masked)
    assert masked._keras_mask.shape == (None, 3)
    x = X.copy()
    x[0, 1] = 0.0
    np.testing.assert_array_equal(N(Model(inputs, seen)(T(x)))[..., 0],
                                  np.any(x != 0.0, axis=-1).astype("float32"))


def test_time_distributed_unfolds_the_mask_an_inner_layer_computes():
    x = RNG.normal(size=(2, 3, 4, 2)).astype("float32")
    x[0, 1, 2] = 0.0
    x[1, 0, :] = 0.0
    td = layers.TimeDistributed(layers.Masking(0.0))
    np.testing.assert_array_equal(N(td(T(x))), x)
    np.testing.assert_array_equal(N(td.compute_mask(T(x))), np.any(x != 0.0, axis=-1))
    assert td(Input((3, 4, 2)))._keras_mask.shape == (None, 3, 4)


def test_time_distributed_passes_training_to_the_inner_layer():
    td = layers.TimeDistributed(layers.Dropout(0.5, seed=3))
    x = np.ones((2, 3, 40), "float32")
    np.testing.assert_array_equal(N(td(T(x))), x)
    dropped = N(td(T(x), training=True))
    assert set(np.unique(dropped)) <= {0.0, 2.0} and (dropped == 0).any()


@needs_gradients
def test_time_distributed_kernel_gradient_matches_finite_differences():
    td = layers.TimeDistributed(layers.Dense(3, activation="tanh"))
    td.build(X.shape)
    weights = RNG.normal(size=(2, 3, 3))
    kernel, bias = td.layer.get_weights()

    def reference(k):
        return np.sum(np.tanh(X.astype("float64") @ k + bias) * weights)

    g = K.grad(lambda k: K.sum(td(T(X)) * T(weights.astype("float32"))))(td.layer.kernel)
    np.testing.assert_allclose(N(g), finite_differences(reference, kernel), rtol=1e-3,
                               atol=1e-4)


def test_time_distributed_config_round_trip_with_a_custom_inner_layer():
    td = layers.TimeDistributed(layers.Dense(3, activation="relu"), name="td_cfg")
    config = json.loads(json.dumps(td.get_config()))
    assert config["layer"]["class_name"] == "Dense"
    clone = layers.TimeDistributed.from_config(config)
    assert (clone.name, clone.layer.units, clone.layer.activation.__name__) == \
        ("td_cfg", 3, "relu")
    custom = layers.TimeDistributed(MaskAsFloat())
    config = custom.get_config()
    assert isinstance(layers.TimeDistributed.from_config(
        config, custom_objects={"MaskAsFloat": MaskAsFloat}).layer, MaskAsFloat)
    with pytest.raises(ValueError, match=r"TimeDistributed.*unknown layer class 'MaskAsFloat'"):
        layers.TimeDistributed.from_config(config)


def test_time_distributed_errors_name_the_layer_expectation_and_input():
    with pytest.raises(ValueError, match=r"TimeDistributed layer 'td_rank'.*rank >= 3.*\(2, 4\)"):
        layers.TimeDistributed(layers.Dense(2), name="td_rank")(K.ones((2, 4)))
    with pytest.raises(ValueError, match=r"TimeDistributed layer 'td_rank2'.*rank >= 3.*\(None, 4\)"):
        layers.TimeDistributed(layers.Dense(2), name="td_rank2")(Input((4,)))
    with pytest.raises(ValueError, match=r"'td_obj' expects a Layer.*Received 'dense'"):
        layers.TimeDistributed("dense", name="td_obj")
    with pytest.raises(ValueError, match=r"'td_mask'.*\(2, 3\).*\(2, 2\)"):
        layers.TimeDistributed(layers.Dense(2), name="td_mask")(T(X), mask=T(MASK[:, :2]))


# -- Bidirectional ---------------------------------------------------------------------
MERGES = {"concat": lambda f, b: np.concatenate([f, b], -1), "sum": np.add,
          "mul": np.multiply, "ave": lambda f, b: (f + b) / 2, None: lambda f, b: [f, b]}


def run_both(bi, x, step, states=None, mask=None):
    """The forward and the backward layer of ``bi`` re-computed in NumPy: (forward outputs,
    forward states, backward outputs in time order, backward states)."""
    zero = bi.return_sequences

    def zeros(layer):
        return [np.zeros((x.shape[0], layer.units))] * len(layer.get_initial_state(1))
    fw_states = states[0] if states else zeros(bi.forward_layer)
    bw_states = states[1] if states else zeros(bi.backward_layer)
    fw, fw_final = np_rnn(x, step(*bi.forward_layer.get_weights()), fw_states, mask,
                          zero_output_for_mask=zero)
    bw, bw_final = np_rnn(x, step(*bi.backward_layer.get_weights()), bw_states, mask,
                          go_backwards=True, zero_output_for_mask=zero)
    return fw, fw_final, bw[:, ::-1], bw_final


class RunningSum(layers.Layer):
    """A recurrent layer without a loop, so that the merge tests stay fast on every engine:
    ``h_t = h_{t-1} + x_t @ w`` (read from the end with ``go_backwards``); a masked step
    adds nothing and outputs zeros; ``initial_state`` is ``[h_0]``."""

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, **kwargs):
        super().__init__(**kwargs)
        self.units, self.return_sequences, self.return_state = units, return_sequences, \
            return_state
        self.go_backwards, self.stateful, self.supports_masking = go_backwards, stateful, True

    def build(self, input_shape):
        self.w = self.add_weight("w", (input_shape[-1], self.units))

    def call(self, inputs, initial_state=None, mask=None):
        z = K.matmul(inputs, self.w)
        if mask is not None:
            z = z * K.expand_dims(K.cast(mask, "float32"), -1)
        if self.go_backwards:
            z = K.flip(z, 1)
        h = K.cumsum(z, axis=1)
        if initial_state is not None:
            h = h + K.expand_dims(initial_state[0], 1)
        if mask is not None and self.return_sequences:
            h = h * K.expand_dims(K.cast(K.flip(mask, 1) if self.go_backwards else mask,
                                         "float32"), -1)
        output = h if self.return_sequences else h[:, -1]
        return [output, h[:, -1]] if self.return_state else output


def np_running_sum(w, mask=None, go_backwards=False, h0=None):
    """RunningSum on X in NumPy: (h at every step in the order computed, the mask in that
    order)."""
    keep = np.ones(X.shape[:2]) if mask is None else mask.astype("float64")
    z = (X.astype("float64") @ w) * keep[..., None]
    if go_backwards:
        z, keep = z[:, ::-1], keep[:, ::-1]
    h = np.cumsum(z, 1)
    return (h if h0 is None else h + h0[:, None]), keep


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_merges_forward_and_time_reversed_backward_outputs(merge_mode):
    bi = layers.Bidirectional(RunningSum(3, return_sequences=True), merge_mode=merge_mode)
    out = bi(T(X), mask=T(MASK))
    fw, keep = np_running_sum(bi.forward_layer.get_weights()[0], MASK)
    bw, _ = np_running_sum(bi.backward_layer.get_weights()[0], MASK, go_backwards=True)
    fw, bw = fw * keep[..., None], (bw * keep[:, ::-1, None])[:, ::-1]
    expected = MERGES[merge_mode](fw, bw)
    if merge_mode is None:
        assert isinstance(out, list) and len(out) == 2
        out, expected = np.stack([N(o) for o in out]), np.stack(expected)
    np.testing.assert_allclose(N(out), expected, rtol=1e-5, atol=1e-5)
    assert bi.backward_layer.go_backwards and not bi.forward_layer.go_backwards
    assert [w.shape for w in bi.weights] == [(4, 3), (4, 3)]


def test_bidirectional_splits_initial_state_and_returns_both_directions_states():
    bi = layers.Bidirectional(RunningSum(3, return_state=True), merge_mode="sum")
    bi.build(X.shape)
    h0 = [RNG.normal(size=(2, 3)).astype("float32") for _ in range(2)]
    out, fw_h, bw_h = bi(T(X), initial_state=[T(h) for h in h0])
    fw, _ = np_running_sum(bi.forward_layer.get_weights()[0], h0=h0[0])
    bw, _ = np_running_sum(bi.backward_layer.get_weights()[0], go_backwards=True, h0=h0[1])
    np.testing.assert_allclose(N(out), fw[:, -1] + bw[:, -1], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(N(fw_h), fw[:, -1], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(N(bw_h), bw[:, -1], rtol=1e-5, atol=1e-5)
    listed = layers.Bidirectional(RunningSum(3, return_state=True), merge_mode=None)(T(X))
    assert [tuple(K.shape(t)) for t in listed] == [(2, 3)] * 4


def test_bidirectional_lstm_with_mask_equals_two_numpy_lstm_runs():
    template = layers.LSTM(3, return_sequences=True, return_state=True)
    template.build(X.shape)
    bi = layers.Bidirectional(template)
    out, *states = bi(T(X), mask=T(MASK))
    assert bi.count_params() == 2 * template.count_params()
    fw, fw_final, bw, bw_final = run_both(bi, X.astype("float64"), lstm_step, mask=MASK)
    np.testing.assert_allclose(N(out), np.concatenate([fw, bw], -1), rtol=1e-4, atol=1e-5)
    assert not np.any(N(out)[~MASK])
    for got, want in zip(states, fw_final + bw_final):
        np.testing.assert_allclose(N(got), want, rtol=1e-4, atol=1e-5)
    symbolic = layers.Bidirectional(layers.LSTM(3, return_state=True), merge_mode=None)(
        Input((5, 4)))
    assert [t.shape for t in symbolic] == [(None, 3)] * 6


def test_bidirectional_last_output_sees_the_whole_sequence_both_ways():
    bi = layers.Bidirectional(layers.SimpleRNN(2), merge_mode="concat")
    out = N(bi(T(X), mask=T(MASK)))
    fw, _, bw, _ = run_both(bi, X.astype("float64"), simple_step, mask=MASK)
    np.testing.assert_allclose(out, np.concatenate([fw[:, -1], bw[:, 0]], -1), rtol=1e-4,
                               atol=1e-5)
    assert bi(Input((3, 4))).shape == (None, 4)


def test_bidirectional_symbolic_shapes_and_output_mask():
    inputs = Input((3, 4))
    masked = layers.Masking(0.0)(inputs)
    seq = layers.Bidirectional(layers.GRU(3, return_sequences=True))(masked)
    assert seq.shape == (None, 3, 6) and seq._keras_mask.shape == (None, 3)
    summed = layers.Bidirectional(layers.GRU(3), merge_mode="sum")(masked)
    assert summed.shape == (None, 3) and getattr(summed, "_keras_mask", None) is None
    x = X.copy()
    x[0, 2] = 0.0
    seen = layers.TimeDistributed(MaskAsFloat())(seq)
    np.testing.assert_array_equal(N(Model(inputs, seen)(T(x)))[..., 0],
                                  np.any(x != 0.0, axis=-1).astype("float32"))


def test_bidirectional_with_a_given_backward_layer_and_initial_weights():
    forward = layers.SimpleRNN(2, return_sequences=True)
    backward = layers.SimpleRNN(3, return_sequences=True, go_backwards=True)
    bi = layers.Bidirectional(forward, backward_layer=backward)
    assert bi(Input((3, 4))).shape == (None, 3, 5) and bi.backward_layer is backward
    weights = [RNG.normal(size=w.shape).astype("float32") for w in bi.weights]
    again = layers.Bidirectional(layers.SimpleRNN(2, return_sequences=True),
                                 backward_layer=layers.SimpleRNN(
                                     3, return_sequences=True, go_backwards=True),
                                 weights=weights)
    again.build(X.shape)
    for got, want in zip(again.get_weights(), weights):
        np.testing.assert_array_equal(got, want)
    fw, _, bw, _ = run_both(again, X.astype("float64"), simple_step)
    np.testing.assert_allclose(N(again(T(X))), np.concatenate([fw, bw], -1), rtol=1e-4,
                               atol=1e-5)


@needs_gradients
def test_bidirectional_gradients_match_finite_differences():
    bi = layers.Bidirectional(layers.SimpleRNN(2, return_sequences=True), merge_mode="mul")
    bi.build(X.shape)
    weights = RNG.normal(size=(2, 3, 2))
    fw_kernel, fw_rec, fw_bias = bi.forward_layer.get_weights()
    bw_kernel, bw_rec, bw_bias = bi.backward_layer.get_weights()
    x = X.astype("float64")

    def reference(fk, bk):
        fw, _ = np_rnn(x, simple_step(fk, fw_rec, fw_bias), [np.zeros((2, 2))], MASK,
                       zero_output_for_mask=True)
        bw, _ = np_rnn(x, simple_step(bk, bw_rec, bw_bias), [np.zeros((2, 2))], MASK,
                       go_backwards=True, zero_output_for_mask=True)
        return np.sum(fw * bw[:, ::-1] * weights)

    def loss(fk, bk):
        return K.sum(bi(T(X), mask=T(MASK)) * T(weights.astype("float32")))

    g_fw, g_bw = K.grad(loss, argnums=(0, 1))(bi.forward_layer.cell.kernel,
                                             bi.backward_layer.cell.kernel)
    np.testing.assert_allclose(N(g_fw), finite_differences(lambda k: reference(k, bw_kernel),
                                                           fw_kernel), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(N(g_bw), finite_differences(lambda k: reference(fw_kernel, k),
                                                           bw_kernel), rtol=1e-3, atol=1e-4)


def test_stateful_bidirectional_continues_until_reset():
    inputs = Input(batch_shape=(2, 3, 4))
    bi = layers.Bidirectional(layers.SimpleRNN(2, stateful=True))
    model = Model(inputs, bi(inputs))
    first = N(model(T(X)))
    assert not np.allclose(N(model(T(X))), first)
    bi.reset_state()
    np.testing.assert_allclose(N(model(T(X))), first, rtol=1e-6)
    with pytest.raises(AttributeError, match=r"'bi_nostate'.*needs a stateful layer"):
        layers.Bidirectional(layers.SimpleRNN(2), name="bi_nostate").reset_states()


class TinyCell(layers.Layer):
    """A recurrent cell defined outside lamina: h = tanh(x @ w + h)."""

    state_size = 2

    def build(self, input_shape):
        self.w = self.add_weight("w", (input_shape[-1], 2))

    def call(self, inputs, states):
        h = K.tanh(K.matmul(inputs, self.w) + states[0])
        return h, [h]


def test_bidirectional_config_round_trip():
    bi = layers.Bidirectional(layers.GRU(3, return_sequences=True), merge_mode="ave",
                              name="bi_cfg")
    bi.build(X.shape)
    config = json.loads(json.dumps(bi.get_config()))
    clone = layers.Bidirectional.from_config(config)
    clone.build(X.shape)
    clone.set_weights(bi.get_weights())
    assert (clone.name, clone.merge_mode, clone.forward_layer.name, clone.backward_layer.name) \
        == ("bi_cfg", "ave", bi.forward_layer.name, bi.backward_layer.name)
    assert bi.backward_layer.name == "backward_" + bi.layer.name
    np.testing.assert_allclose(N(clone(T(X))), N(bi(T(X))), rtol=1e-6)
    given = layers.Bidirectional(layers.SimpleRNN(2), backward_layer=layers.SimpleRNN(
        4, go_backwards=True, name="mine"))
    clone = layers.Bidirectional.from_config(json.loads(json.dumps(given.get_config())))
    assert (clone.backward_layer.name, clone.backward_layer.units) == ("mine", 4)
    custom = layers.Bidirectional(layers.RNN(TinyCell()))
    assert custom(Input((3, 4))).shape == (None, 4)
    clone = layers.Bidirectional.from_config(custom.get_config(),
                                             custom_objects={"TinyCell": TinyCell})
    assert isinstance(clone.backward_layer.cell, TinyCell) and clone.backward_layer.go_backwards


def test_bidirectional_errors_name_the_layer_expectation_and_input():
    with pytest.raises(ValueError, match=r"'bi_dense' expects layer to be a recurrent layer.*"
                                         r"Dense layer 'dense_in'"):
        layers.Bidirectional(layers.Dense(2, name="dense_in"), name="bi_dense")
    with pytest.raises(ValueError, match=r"'bi_merge' expects merge_mode to be one of.*'max'"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max", name="bi_merge")
    with pytest.raises(ValueError, match=r"'bi_gb' expects .*different go_backwards.*False"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2), name="bi_gb")
    with pytest.raises(ValueError, match=r"'bi_rs' expects .*same return_sequences.*"
                                         r"True \(forward\) and False \(backward\)"):
        layers.Bidirectional(layers.LSTM(2, return_sequences=True), name="bi_rs",
                             backward_layer=layers.LSTM(2, go_backwards=True))
    bi = layers.Bidirectional(layers.LSTM(2), name="bi_state")
    with pytest.raises(ValueError, match=r"'bi_state' expects an even number of initial "
                                         r"states.*Received 3"):
        bi(T(X), initial_state=[T(np.zeros((2, 2), "float32"))] * 3)
