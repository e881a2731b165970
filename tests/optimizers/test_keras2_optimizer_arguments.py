"""Keras 2's optimizer arguments on every optimizer: ``lr`` (learning_rate) and
``decay`` (rate / (1 + decay * iterations), in compiled steps too), and
``K.get_value``/``K.set_value`` on ``optimizer.lr``."""

import warnings

import numpy as np
import pytest

from lamina import Input, Model, layers, optimizers
from lamina import backend as K

ALL = ["SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam", "Lion"]
needs_training = pytest.mark.skipif(K.backend() == "numpy",
                                    reason="the numpy engine cannot train")


def quietly(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return make()


@pytest.mark.parametrize("name", ALL)
def test_lr_is_learning_rate_and_warns(name):
    cls = getattr(optimizers, name)
    with pytest.warns(DeprecationWarning, match=rf"{name}: the argument lr is deprecated; use "
                                                r"learning_rate"):
        optimizer = cls(lr=0.25)
    assert float(K.get_value(optimizer.learning_rate)) == 0.25
    assert optimizer.get_config()["learning_rate"] == 0.25 and "lr" not in optimizer.get_config()


@pytest.mark.parametrize("name", ALL)
def test_decay_divides_the_rate_by_one_plus_decay_times_iterations(name):
    cls = getattr(optimizers, name)
    with pytest.warns(DeprecationWarning, match=r"decay is deprecated.*InverseTimeDecay"):
        decayed = cls(learning_rate=0.1, decay=0.5)
    plain = cls(learning_rate=0.1)
    w_decayed, w_plain = K.Variable([1.0, -2.0]), K.Variable([1.0, -2.0])
    grad = K.convert_to_tensor([0.5, 0.25])
    decayed.apply([grad], [w_decayed])
    plain.apply([grad], [w_plain])
    # at iteration 0 the rate is the same; afterwards it shrinks
    np.testing.assert_allclose(w_decayed.numpy(), w_plain.numpy(), rtol=1e-6)
    assert float(decayed._current_rate()) == pytest.approx(0.1 / 1.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cls.from_config(decayed.get_config()).decay == 0.5


def test_both_lr_and_learning_rate_is_an_error_and_decay_is_checked():
    with pytest.raises(TypeError, match="received both learning_rate and lr"):
        optimizers.Adam(lr=0.1, learning_rate=0.1)
    with pytest.raises(ValueError, match=r"SGD: decay must be a number >= 0. Received decay=-1"):
        optimizers.SGD(decay=-1)


def test_sgd_decay_matches_keras2_over_several_steps():
    optimizer = quietly(lambda: optimizers.SGD(lr=1.0, decay=1.0))
    w = K.Variable([0.0])
    for _ in range(3):
        optimizer.apply([K.convert_to_tensor([1.0])], [w])
    assert float(w.numpy()[0]) == pytest.approx(-(1 + 1 / 2 + 1 / 3), rel=1e-6)


def linear_model():
    x = Input((2,))
    return Model(x, layers.Dense(1, use_bias=False, kernel_initializer="zeros")(x))


def mean_output(y_true, y_pred):
    return K.mean(y_pred)


@needs_training
def test_decay_applies_inside_compiled_training_steps():
    # d mean(x @ w) / dw is 1 for x of ones: each step subtracts the current rate
    model = linear_model()
    model.compile(optimizer=quietly(lambda: optimizers.SGD(lr=1.0, decay=0.5)), loss=mean_output)
    x, y = np.ones((12, 2), "float32"), np.zeros((12, 1), "float32")
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    expected = -sum(1.0 / (1.0 + 0.5 * t) for t in range(3))
    np.testing.assert_allclose(model.get_weights()[0], np.full((2, 1), expected), rtol=1e-5)


@needs_training
def test_set_value_and_get_value_on_optimizer_lr_change_the_rate_of_compiled_steps():
    model = linear_model()
    model.compile(optimizer=optimizers.SGD(learning_rate=1.0), loss=mean_output)
    x, y = np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    K.set_value(model.optimizer.lr, 0.25)
    assert float(K.get_value(model.optimizer.lr)) == 0.25
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    np.testing.assert_allclose(model.get_weights()[0], np.full((2, 1), -1.25), rtol=1e-6)
