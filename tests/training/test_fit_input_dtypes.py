"""Data of another dtype than a model's Input (bool, int) is cast to the Input's dtype
in fit, evaluate and train_on_batch as in a call and predict, on every engine (torch's
recurrent kernels refuse bool tensors)."""

import numpy as np
import pytest

from lamina import Input, Model, Sequential, layers
from lamina import backend as K

needs_training = pytest.mark.skipif(K.backend() == "numpy",
                                    reason="the numpy engine cannot train")
FLAGS = np.random.default_rng(0).random((8, 5, 3)) > 0.5
Y = np.ones((8, 1), "float32")


def recurrent(kind):
    if kind == "sequential":
        return Sequential([Input((5, 3)), layers.LSTM(4), layers.Dense(1)])
    x = Input((5, 3))
    return Model(x, layers.Dense(1)(layers.LSTM(4)(x)))


@pytest.mark.parametrize("kind", ["sequential", "functional"])
@pytest.mark.parametrize("dtype", ["bool", "int64"])
def test_an_lstm_model_takes_bool_and_int_data_everywhere(kind, dtype):
    model = recurrent(kind)
    model.compile(optimizer="adam", loss="mse")
    data = FLAGS.astype(dtype)
    expected = K.convert_to_numpy(model(FLAGS.astype("float32")))
    np.testing.assert_allclose(K.convert_to_numpy(model(data)), expected, rtol=1e-5)
    np.testing.assert_allclose(model.predict(data, verbose=0), expected, rtol=1e-5)
    loss = model.evaluate(data, Y, verbose=0)
    assert loss == pytest.approx(model.evaluate(FLAGS.astype("float32"), Y, verbose=0))
    if K.backend() != "numpy":
        history = model.fit(data, Y, epochs=2, batch_size=4, verbose=0)
        assert len(history.history["loss"]) == 2
        assert isinstance(model.train_on_batch(data, Y), float)


@needs_training
def test_fit_casts_to_an_integer_input_as_a_call_does():
    x = Input((3,), dtype="int32")
    embedded = layers.Flatten()(layers.Embedding(10, 2)(x))
    model = Model(x, layers.Dense(1)(embedded))
    model.compile(optimizer="sgd", loss="mse")
    indices = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # floats for an int32 input
    history = model.fit(indices, np.zeros((2, 1)), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    np.testing.assert_allclose(model.predict(indices, verbose=0),
                               K.convert_to_numpy(model(indices.astype("int32"))), rtol=1e-6)
