"""ReduceLROnPlateau against a hand re-computation of the schedule: patience,
min_delta, cooldown, min_lr (also with a float32 rate), mode max; the learning_rate
log; the warning naming the available keys; argument errors."""

import numpy as np
import pytest

from lamina import optimizers
from lamina.callbacks import CallbackList, ReduceLROnPlateau
from fake_model import model  # noqa: F401  (the fixture)


def fit(model, callback, values, monitor="val_loss"):
    """Run one epoch per value; returns the rate logged at each epoch and the final rate."""
    callbacks = CallbackList([callback], model=model, verbose=0, epochs=len(values), steps=1)
    callbacks.on_train_begin()
    logged = []
    for epoch, value in enumerate(values):
        logs = {monitor: value}
        callbacks.on_epoch_end(epoch, logs)
        logged.append(logs["learning_rate"])
    return logged, float(model.optimizer.learning_rate)


def reference(values, rate, factor, patience, cooldown=0, min_lr=0.0, min_delta=1e-4):
    """The schedule, recomputed: lower the rate after ``patience`` epochs without a gain
    of more than ``min_delta``; then ``cooldown`` epochs that do not count."""
    best, wait, calm, logged = np.inf, 0, 0, []
    for value in values:
        logged.append(rate)
        gained = value < best - min_delta
        best = min(best, value) if gained else best
        if calm:
            calm, wait = calm - 1, 0
        elif gained:
            wait = 0
        else:
            wait += 1
            if wait >= patience and rate > np.float32(min_lr):
                rate, wait, calm = max(rate * factor, min_lr), 0, cooldown
    return logged, rate


LOSSES = [1.0, 0.9, 0.9, 0.9, 0.95, 0.9, 0.89995, 0.91, 0.92, 0.8, 0.8, 0.8, 0.8, 0.8]


@pytest.mark.parametrize("kwargs", [
    {"factor": 0.5, "patience": 2},
    {"factor": 0.5, "patience": 0},
    {"factor": 0.1, "patience": 1, "cooldown": 2},
    {"factor": 0.5, "patience": 1, "cooldown": 1},
    {"factor": 0.5, "patience": 1, "min_lr": 0.02},
    {"factor": 0.5, "patience": 1, "min_delta": 0.0},
])
def test_rates_match_the_recomputed_schedule(model, kwargs):
    logged, final = fit(model, ReduceLROnPlateau(**kwargs), LOSSES)
    expected_logged, expected_final = reference(LOSSES, 0.1, **kwargs)
    np.testing.assert_allclose(logged, expected_logged, rtol=1e-6)
    np.testing.assert_allclose(final, expected_final, rtol=1e-6)


def test_cooldown_epochs_do_not_count_towards_patience(model):
    logged, _ = fit(model, ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2), [1.0] * 7)
    np.testing.assert_allclose(logged, [0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025], rtol=1e-6)


def test_rate_at_min_lr_in_float32_is_not_reduced_again(model, capsys):
    model.optimizer.learning_rate = 1e-4
    model.optimizer.assigned.clear()
    fit(model, ReduceLROnPlateau(factor=0.5, patience=0, min_lr=1e-4, verbose=1), [1.0] * 4)
    assert model.optimizer.assigned == [] and capsys.readouterr().out == ""


def test_accuracy_is_maximized_and_reductions_are_printed(model, capsys):
    logged, final = fit(model, ReduceLROnPlateau(monitor="val_accuracy", factor=0.5, patience=1,
                                                 verbose=1),
                        [0.5, 0.6, 0.55, 0.7], monitor="val_accuracy")
    np.testing.assert_allclose(logged + [final], [0.1, 0.1, 0.1, 0.05, 0.05], rtol=1e-6)
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert out.startswith("Epoch 3: ReduceLROnPlateau reducing learning rate to 0.05")


def test_missing_monitor_warns_with_the_available_keys_and_keeps_the_rate(model):
    with pytest.warns(UserWarning, match=r"monitor='val_loss' is not in the epoch logs.*"
                                         r"Available keys: loss, learning_rate"):
        logged, final = fit(model, ReduceLROnPlateau(patience=0), [1.0, 1.0], monitor="loss")
    np.testing.assert_allclose(logged + [final], [0.1] * 3, rtol=1e-6)


def test_model_without_optimizer_is_explained():
    callback = ReduceLROnPlateau()
    callback.set_model(object())
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau: expected a model whose optimizer "
                                         r"has a learning_rate.*Received model.optimizer=None"):
        callback.on_epoch_end(0, {"val_loss": 1.0})


@pytest.mark.parametrize("kwargs, message", [
    ({"factor": 1.0}, r"factor must be a number in \[0, 1\).*Received factor=1.0"),
    ({"factor": -0.5}, r"Received factor=-0.5"),
    ({"mode": "up"}, r"ReduceLROnPlateau: mode must be 'auto', 'min' or 'max'. Received mode='up'"),
    ({"cooldown": -1}, r"cooldown must be an int >= 0. Received cooldown=-1"),
    ({"min_lr": -1e-3}, r"min_lr must be a finite number >= 0"),
    ({"monitor": "val_score"}, r"cannot tell whether monitor='val_score'"),
])
def test_bad_arguments_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ReduceLROnPlateau(**kwargs)


def test_a_lamina_optimizer_rate_is_lowered(model):
    model.optimizer = optimizers.SGD(learning_rate=0.1)
    logged, final = fit(model, ReduceLROnPlateau(factor=0.5, patience=0), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(logged + [final], [0.1, 0.1, 0.05, 0.025], rtol=1e-6)
