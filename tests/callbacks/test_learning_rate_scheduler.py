"""LearningRateScheduler: the rate set from schedule(epoch, lr) or schedule(epoch) at
each epoch, the learning_rate log, verbose output, errors for a non-callable
schedule and a non-float result."""

import math

import numpy as np
import pytest

from lamina.callbacks import CallbackList, LearningRateScheduler
from fake_model import model  # noqa: F401  (the fixture)


def fit(model, callback, epochs):
    callbacks = CallbackList([callback], model=model, verbose=0, epochs=epochs, steps=1)
    callbacks.on_train_begin()
    logged = []
    for epoch in range(epochs):
        callbacks.on_epoch_begin(epoch)
        logs = {"loss": 1.0}
        callbacks.on_epoch_end(epoch, logs)
        logged.append(logs["learning_rate"])
    return logged


def test_schedule_of_epoch_and_rate(model):
    logged = fit(model, LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr * 0.5), 5)
    np.testing.assert_allclose(logged, [0.1, 0.1, 0.05, 0.025, 0.0125], rtol=1e-6)
    assert all(type(rate) is float for rate in model.optimizer.assigned)


def test_schedule_of_epoch_only(model, capsys):
    logged = fit(model, LearningRateScheduler(lambda epoch: 0.01 * math.exp(-epoch), verbose=1), 3)
    np.testing.assert_allclose(logged, [0.01 * math.exp(-e) for e in range(3)], rtol=1e-6)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"Epoch {e + 1}: LearningRateScheduler setting learning rate to "
                     f"{0.01 * math.exp(-e)}." for e in range(3)]


def test_numpy_floats_are_accepted(model):
    fit(model, LearningRateScheduler(lambda epoch, lr: np.float32(0.5)), 1)
    assert model.optimizer.assigned == [0.5]


def test_non_callable_schedule_is_explained():
    with pytest.raises(TypeError, match=r"LearningRateScheduler: schedule must be a callable "
                                        r"\(epoch, lr\).*Received 0.1 \(float\)"):
        LearningRateScheduler(0.1)


def test_non_float_result_is_explained(model):
    with pytest.raises(ValueError, match=r"schedule must return a float. Received '0.1' \(str\) "
                                         r"at epoch 0"):
        fit(model, LearningRateScheduler(lambda epoch, lr: "0.1"), 1)
