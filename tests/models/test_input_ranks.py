"""Functional models fed data whose rank differs from the declared inputs: the
trailing-axis rule of Keras 3, the article's Keras 2 case (warn once, run on the
data's shape) and the error naming the layer that refuses."""

import warnings

import numpy as np
import pytest

from lamina import Input, Model, layers, losses
from lamina import backend as K

needs_training = pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine cannot train")


def numpy(x):
    return K.convert_to_numpy(x)


def article_model():
    inputs = Input([None, 28, 28])
    hidden = layers.Dense(16, activation="relu")(layers.Reshape([28 * 28])(inputs))
    return Model(inputs, layers.Dense(10, activation="softmax")(hidden)), hidden


def test_data_of_another_rank_warns_once_and_runs_on_the_datas_shape():
    model, _ = article_model()
    x = np.random.default_rng(0).random((5, 28, 28)).astype("float32")
    with pytest.warns(UserWarning, match=r"declared with shape \(None, None, 28, 28\).*"
                                         r"data has shape \(5, 28, 28\)"):
        out = model.predict(x, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the same data signature again: no second warning
        again = model.predict(x[:3], verbose=0)
    same_data_declared_rank = model.predict(x[:, None], verbose=0)
    assert out.shape == (5, 10)
    np.testing.assert_allclose(out, same_data_declared_rank, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(again, out[:3], rtol=1e-5, atol=1e-6)


def test_samples_that_do_not_fit_the_reshape_raise_instead_of_folding_into_the_batch():
    model, _ = article_model()
    with pytest.raises(ValueError, match=r"Reshape.*784 values per sample.*\(2, 3, 28, 28\)"):
        model.predict(np.ones((2, 3, 28, 28), "float32"), verbose=0)


def test_a_layer_refusing_the_datas_rank_is_named_with_both_shapes():
    inputs = Input((5,), name="features")
    model = Model(inputs, layers.Dense(3, name="head")(inputs))
    with pytest.raises(ValueError, match=r"input 'features' declared with shape \(None, 5\), "
                                         r"data of shape \(4, 5, 2\).*'head' \(Dense\)"):
        model.predict(np.ones((4, 5, 2), "float32"), verbose=0)


def test_one_trailing_axis_of_size_one_is_added_or_dropped_silently():
    image = Input((6, 6, 1))
    model = Model(image, layers.Dense(2)(layers.Flatten()(image)))
    x = np.random.default_rng(1).random((3, 6, 6)).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        short = model.predict(x, verbose=0)
    np.testing.assert_allclose(short, model.predict(x[..., None], verbose=0), rtol=1e-6)

    flat = Input((6, 6))
    model = Model(flat, layers.Dense(2)(layers.Flatten()(flat)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        long = model.predict(x[..., None], verbose=0)
    np.testing.assert_allclose(long, model.predict(x, verbose=0), rtol=1e-6)


@needs_training
def test_fit_on_data_of_another_rank_keeps_the_added_loss_on_hidden_outputs():
    model, hidden = article_model()
    model.add_loss(0.5 * K.mean(K.square(hidden)), name="activity")
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    rng = np.random.default_rng(2)
    x = rng.random((16, 28, 28)).astype("float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, 16)]
    with pytest.warns(UserWarning, match="another rank"):
        history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    hidden_values = Model(model.inputs, hidden).predict(x[:, None], verbose=0)
    assert set(history.history) >= {"loss", "activity", "categorical_crossentropy"}
    np.testing.assert_allclose(logs["activity"], 0.5 * np.mean(hidden_values ** 2), rtol=1e-4)
    assert logs["loss"] == pytest.approx(logs["activity"] + logs["categorical_crossentropy"],
                                         rel=1e-5)


@needs_training
def test_targets_of_an_output_with_an_unknown_time_axis_match_labels_of_any_length():
    sequence = Input((None, 3))
    outputs = layers.Dense(2)(layers.SimpleRNN(4, return_sequences=True)(sequence))
    model = Model(sequence, outputs)
    model.add_loss(K.mean(losses.mean_squared_error(model.targets[0], model.outputs[0])),
                   name="mse")
    model.compile(optimizer="sgd")
    x = np.random.default_rng(3).random((6, 7, 3)).astype("float32")
    y = np.zeros((6, 7, 2), "float32")
    model.fit(x, y, epochs=1, verbose=0)
    predicted = model.predict(x, verbose=0)
    assert model.targets[0].shape == (None, None, 2)
    assert float(model.evaluate(x, y, verbose=0)) == pytest.approx(
        float(np.mean(predicted ** 2)), rel=1e-4)
