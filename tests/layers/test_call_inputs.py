"""Layer.__call__ hands ``call`` engine tensors of the layer's input dtype (Keras 3's rule):
NumPy arrays, lists and scalars are converted, floats are cast to the layer's dtype,
indices stay integers, bool data into floating layers becomes floatx."""

import numpy as np
import pytest

from lamina import Input, Model, layers
from lamina import backend as K


class Recorder(layers.Layer):
    """Records what ``call`` receives."""

    def call(self, inputs, mask=None, training=None):
        self.received = inputs
        self.received_mask = mask
        return inputs


def _engine_tensors(structure):
    leaves = structure if isinstance(structure, list) else [structure]
    return all(K.is_tensor(t) and isinstance(t, K.engine.tensor_types) for t in leaves)


@pytest.mark.parametrize("value, dtype, expected", [
    (np.arange(6, dtype="float32").reshape(2, 3), "float32", [[0, 1, 2], [3, 4, 5]]),
    ([[1.0, 2.0], [3.0, 4.0]], "float32", [[1, 2], [3, 4]]),
    ([[1, 2], [3, 4]], "int32", [[1, 2], [3, 4]]),
    (2.5, "float32", 2.5),
    (3, "int32", 3),
    (np.float32(1.5), "float32", 1.5),
])
def test_arrays_lists_and_scalars_reach_call_as_engine_tensors(value, dtype, expected):
    layer = Recorder()
    out = layer(value)
    assert _engine_tensors(layer.received), type(layer.received)
    assert K.dtype(layer.received) == dtype
    np.testing.assert_array_equal(K.convert_to_numpy(out), np.asarray(expected))


def test_a_list_of_arrays_reaches_call_as_a_list_of_tensors():
    layer = Recorder()
    layer([np.ones((2, 3), "float32"), np.zeros((2, 3), "float64")])
    assert isinstance(layer.received, list) and len(layer.received) == 2
    assert _engine_tensors(layer.received)
    assert [K.dtype(t) for t in layer.received] == ["float32", "float32"]


def test_a_tensor_of_the_layer_dtype_is_passed_unchanged():
    layer = Recorder()
    x = K.ones((2, 3))
    layer(x)
    assert layer(x) is x and layer.received is x


def test_masks_and_training_are_not_converted():
    layer = Recorder()
    mask = np.array([[True, False, True]])
    layer(np.ones((1, 3)), mask=mask, training=True)
    assert layer.received_mask is mask
    assert _engine_tensors(layer.received)


def test_integer_and_bool_arrays_keep_their_dtype_in_a_layer_that_does_not_compute_floats():
    layer = Recorder()
    layer(np.array([[1, 2]], dtype="int64"))
    assert K.dtype(layer.received) == "int64"
    layer(np.array([[True, False]]))
    assert K.dtype(layer.received) == "bool"


def test_bool_array_into_dense_gives_floatx_equal_to_the_float_input():
    layer = layers.Dense(2, kernel_initializer="glorot_uniform")
    data = np.array([[True, False, True], [False, True, True]])
    out = layer(data)
    assert _engine_tensors(out) and K.dtype(out) == K.floatx()
    expected = layer(data.astype("float32"))
    np.testing.assert_allclose(K.convert_to_numpy(out), K.convert_to_numpy(expected))


def test_bool_array_into_lstm_gives_floatx_equal_to_the_float_input():
    layer = layers.LSTM(3)
    data = np.array([[[True], [False], [True]], [[False], [False], [True]]])
    out = layer(data)
    assert _engine_tensors(out) and K.dtype(out) == K.floatx()
    expected = layer(data.astype("float32"))
    np.testing.assert_allclose(K.convert_to_numpy(out), K.convert_to_numpy(expected),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda: layers.Conv1D(2, 2), lambda: layers.GRU(2), lambda: layers.SimpleRNN(2),
    lambda: layers.LayerNormalization(),
], ids=["Conv1D", "GRU", "SimpleRNN", "LayerNormalization"])
def test_int_arrays_into_floating_layers_are_cast_to_floatx(make):
    layer = make()
    data = np.array([[[1], [0], [3]], [[2], [2], [0]]], dtype="int64")
    out = layer(data)
    assert _engine_tensors(out) and K.dtype(out) == K.floatx()
    expected = layer(data.astype("float32"))
    np.testing.assert_allclose(K.convert_to_numpy(out), K.convert_to_numpy(expected),
                               rtol=1e-6, atol=1e-6)


def test_float64_array_into_dense_gives_float32():
    layer = layers.Dense(2)
    data = np.array([[0.5, -1.0, 2.0]])
    out = layer(data)
    assert _engine_tensors(out) and K.dtype(out) == "float32"
    expected = layer(data.astype("float32"))
    np.testing.assert_allclose(K.convert_to_numpy(out), K.convert_to_numpy(expected))


def test_integer_arrays_into_embedding_stay_integers_and_index_rows():
    layer = layers.Embedding(7, 2)
    seen = []
    original_call = layer.call

    def recording_call(inputs):
        seen.append(K.dtype(inputs))
        return original_call(inputs)

    layer.call = recording_call
    indices = np.array([[6, 0], [3, 3]], dtype="int64")
    out = layer(indices)
    assert seen == ["int64"]
    table = K.convert_to_numpy(layer.embeddings)
    np.testing.assert_array_equal(K.convert_to_numpy(out), table[indices])
    out = layer([[1, 5]])
    assert seen[-1] == "int32"
    np.testing.assert_array_equal(K.convert_to_numpy(out), table[[[1, 5]]])


def test_float_indices_into_embedding_are_not_cast_to_float32_first():
    layer = layers.Embedding(3, 2)
    seen = []
    original_call = layer.call
    layer.call = lambda inputs: seen.append(K.dtype(inputs)) or original_call(inputs)
    out = layer(np.array([[2.0, 1.0]]))
    assert seen == ["float64"]
    np.testing.assert_array_equal(K.convert_to_numpy(out),
                                  K.convert_to_numpy(layer.embeddings)[[[2, 1]]])


def test_symbolic_bool_input_into_a_dense_model():
    inputs = Input((3,), dtype="bool")
    model = Model(inputs, layers.Dense(2)(inputs))
    data = np.array([[True, False, True], [False, False, True]])
    out = model(data)
    assert _engine_tensors(out) and K.dtype(out) == K.floatx()
    predicted = model.predict(data, verbose=0)
    assert predicted.dtype == np.float32
    dense = model.layers[-1]
    expected = K.convert_to_numpy(dense(data.astype("float32")))
    np.testing.assert_allclose(K.convert_to_numpy(out), expected, rtol=1e-6)
    np.testing.assert_allclose(predicted, expected, rtol=1e-6)


def test_symbolic_bool_input_into_an_lstm_is_cast():
    inputs = Input((3, 1), dtype="bool")
    lstm = layers.LSTM(2)
    model = Model(inputs, lstm(inputs))
    assert model.outputs[0].dtype == K.floatx()
    data = np.array([[[True], [False], [True]]])
    expected = K.convert_to_numpy(lstm(data.astype("float32")))
    np.testing.assert_allclose(K.convert_to_numpy(model(data)), expected, rtol=1e-6, atol=1e-6)


def test_a_model_casts_each_input_to_the_dtype_of_its_input():
    x64 = Input((2,), dtype="float64")
    dense64 = layers.Dense(1, dtype="float64", kernel_initializer="ones")
    model64 = Model(x64, dense64(x64))
    data = np.array([[1e-9, 1.0]])
    out = model64(data)
    assert K.dtype(out) == "float64"
    assert K.convert_to_numpy(out)[0, 0] == 1.0 + 1e-9
    x32 = Input((2,))
    model32 = Model(x32, layers.Dense(1)(x32))
    assert K.dtype(model32(data)) == "float32"
    assert K.dtype(model32(np.array([[True, False]]))) == "float32"


def test_inputs_that_are_not_numbers_raise_naming_the_layer():
    layer = layers.Dense(2, name="scorer")
    with pytest.raises(TypeError, match="Dense layer 'scorer'.*dtype <U1"):
        layer(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="Dense layer 'scorer'.*list"):
        layer([[1.0, 2.0], [3.0]])
