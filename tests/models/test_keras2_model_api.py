"""Keras 2's model methods (fit_generator and co., Sequential.predict_classes and
predict_proba) and the input_shape/output_shape of models."""

import numpy as np
import pytest

from lamina import Input, Model, Sequential, layers
from lamina import backend as K

needs_training = pytest.mark.skipif(K.backend() == "numpy",
                                    reason="the numpy engine cannot train")
X = np.random.default_rng(0).normal(size=(12, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-1.0], [0.5]], "float32")).astype("float32")


def batches(count=None):
    for i in range(count if count is not None else 10 ** 6):
        start = (4 * i) % 12
        yield X[start:start + 4], Y[start:start + 4]


def regression():
    model = Sequential([Input((3,)), layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss="mse")
    return model


@needs_training
def test_fit_generator_trains_with_keras2_arguments_and_warns():
    model = regression()
    with pytest.warns(DeprecationWarning, match=r"fit_generator is deprecated.*use Model\.fit"):
        history = model.fit_generator(batches(), steps_per_epoch=3, epochs=2, verbose=0,
                                      validation_data=batches(), validation_steps=2,
                                      workers=4, use_multiprocessing=True, max_queue_size=5)
    assert list(history.history) == ["loss", "val_loss"] and history.epoch == [0, 1]
    assert history.history["loss"][1] < history.history["loss"][0]


def test_evaluate_and_predict_generator_match_evaluate_and_predict():
    model = regression()
    with pytest.warns(DeprecationWarning, match="evaluate_generator is deprecated"):
        loss = model.evaluate_generator(batches(3), steps=3, workers=2)
    assert loss == pytest.approx(model.evaluate(X, Y, batch_size=4, verbose=0), rel=1e-6)
    with pytest.warns(DeprecationWarning, match="predict_generator is deprecated"):
        predicted = model.predict_generator((x for x, _ in batches(3)), steps=3)
    np.testing.assert_allclose(predicted, model.predict(X, verbose=0), rtol=1e-6)


def test_predict_classes_takes_the_argmax_of_several_units():
    model = Sequential([Input((3,)), layers.Dense(4, activation="softmax")])
    with pytest.warns(DeprecationWarning, match=r"predict_classes.*np\.argmax"):
        classes = model.predict_classes(X)
    assert classes.shape == (12,)
    np.testing.assert_array_equal(classes, np.argmax(model.predict(X, verbose=0), axis=-1))
    with pytest.warns(DeprecationWarning, match="predict_proba is deprecated"):
        np.testing.assert_allclose(model.predict_proba(X), model.predict(X, verbose=0))


def test_predict_classes_thresholds_one_unit_at_one_half_as_int32():
    model = Sequential([Input((1,)), layers.Dense(1, kernel_initializer="ones",
                                                  use_bias=False)])
    with pytest.warns(DeprecationWarning):
        classes = model.predict_classes(np.array([[0.2], [0.5], [0.51]], "float32"))
    assert classes.dtype == np.int32 and classes.tolist() == [[0], [0], [1]]


def test_input_and_output_shapes_of_functional_and_sequential_models():
    a, b = Input((3,), name="a"), Input((2, 5), name="b")
    flat = layers.Concatenate()([a, layers.Flatten()(b)])
    model = Model([a, b], [layers.Dense(4)(flat), layers.Dense(1)(flat)])
    assert model.input_shape == [(None, 3), (None, 2, 5)]
    assert model.output_shape == [(None, 4), (None, 1)]
    lazy = Sequential([layers.Dense(2)])
    with pytest.raises(AttributeError, match="has no input_shape.*not built yet"):
        lazy.input_shape
    lazy(np.ones((1, 7), "float32"))
    assert (lazy.input_shape, lazy.output_shape) == ((None, 7), (None, 2))


def test_a_subclassed_model_has_no_output_shape():
    class Net(Model):
        def call(self, x):
            return x

    with pytest.raises(AttributeError, match="has no output_shape"):
        Net().output_shape


def test_layers_called_on_symbolic_tensors_have_keras2_input_and_output_shapes():
    x = Input((4,), name="features")
    hidden = layers.Dense(3)
    model = Model(x, layers.Dense(2)(hidden(x)))
    assert [(layer.input_shape, layer.output_shape) for layer in model.layers] == [
        ((None, 4), (None, 4)), ((None, 4), (None, 3)), ((None, 3), (None, 2))]
    with pytest.raises(AttributeError, match="'unused' has no output: it has not been called"):
        layers.Dense(2, name="unused").output_shape
    attention = layers.MultiHeadAttention(2, 4, output_shape=8)
    query = Input((3, 5))
    assert attention(query, query).shape == (None, 3, 8)
    assert attention.output_shape == (8,)  # the argument of that name, as in Keras 3
