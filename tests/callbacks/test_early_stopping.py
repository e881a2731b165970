"""EarlyStopping: the epoch it stops at for patience, min_delta, mode, baseline and
start_from_epoch; the best weights put back; the warning naming the available keys;
argument errors."""

import numpy as np
import pytest

from lamina.callbacks import CallbackList, EarlyStopping
from fake_model import model  # noqa: F401  (the fixture)


def fit(model, callback, values, monitor="loss"):
    """Run epochs with ``values`` as the monitored value until the model is told to stop;
    returns the epochs run."""
    callbacks = CallbackList([callback], model=model, verbose=0, epochs=len(values), steps=1)
    callbacks.on_train_begin()
    epochs = 0
    for epoch, value in enumerate(values):
        model.set_epoch_weights(epoch)
        callbacks.on_epoch_end(epoch, {monitor: value, "other": 0.0})
        epochs += 1
        if model.stop_training:
            break
    callbacks.on_train_end()
    return epochs


@pytest.mark.parametrize("kwargs, values, stop_epoch", [
    ({"patience": 0}, [1.0, 0.9, 0.95, 0.8], 2),
    ({"patience": 2}, [1.0, 0.9, 0.95, 0.97, 0.8], 3),
    ({"patience": 2}, [1.0, 0.9, 0.95, 0.85, 0.97, 0.98, 0.7], 5),
    ({"patience": 1, "min_delta": 0.2}, [1.0, 0.9, 0.85, 0.7], 1),
    ({"patience": 1, "min_delta": -0.2}, [1.0, 0.9, 0.85, 0.7], 1),
    ({"patience": 0, "mode": "max"}, [0.1, 0.2, 0.3, 0.25], 3),
    ({"patience": 0}, [1.0, 1.0], 1),
    ({"patience": 0, "start_from_epoch": 2}, [1.0, 2.0, 3.0, 4.0, 5.0], 3),
    ({"patience": 0}, [1.0, 2.0, 3.0, 4.0, 5.0], 1),
    ({"patience": 2, "baseline": 0.5}, [0.9, 0.8, 0.85, 0.7], 2),
    ({"patience": 2}, [0.9, 0.8, 0.85, 0.7], None),
])
def test_stops_at_the_expected_epoch(model, kwargs, values, stop_epoch):
    callback = EarlyStopping(monitor="loss", **kwargs)
    assert fit(model, callback, values) == (len(values) if stop_epoch is None else stop_epoch + 1)
    assert model.stop_training == (stop_epoch is not None)
    assert callback.stopped_epoch == (stop_epoch or 0)


def test_accuracy_is_maximized_in_auto_mode(model):
    assert fit(model, EarlyStopping(monitor="val_accuracy"), [0.5, 0.6, 0.7, 0.6],
               monitor="val_accuracy") == 4
    assert model.stop_training


@pytest.mark.parametrize("values, best_epoch, stopped", [
    ([1.0, 0.5, 0.7, 0.8, 0.9], 1, True),
    ([1.0, 0.5, 0.7, 0.4], 3, False),
])
def test_best_weights_are_restored_at_the_end(model, capsys, values, best_epoch, stopped):
    callback = EarlyStopping(monitor="loss", patience=2, restore_best_weights=True, verbose=1)
    fit(model, callback, values)
    assert callback.best_epoch == best_epoch and callback.best == values[best_epoch]
    np.testing.assert_array_equal(model.weights[0], np.full((2, 2), best_epoch))
    np.testing.assert_array_equal(model.weights[1], np.full(2, -best_epoch))
    out = capsys.readouterr().out
    assert ("Epoch 4: early stopping\n" in out) == stopped
    assert out.endswith("Restoring model weights from the end of the best epoch: "
                        f"{best_epoch + 1}.\n")


def test_weights_are_left_alone_without_restore_best_weights(model):
    fit(model, EarlyStopping(monitor="loss", patience=0), [1.0, 2.0])
    np.testing.assert_array_equal(model.weights[0], np.full((2, 2), 1))


def test_can_be_reused_for_a_second_run(model):
    callback = EarlyStopping(monitor="loss", patience=0)
    assert fit(model, callback, [1.0, 2.0, 3.0]) == 2
    model.stop_training = False
    assert fit(model, callback, [5.0, 4.0, 3.0]) == 3


def test_missing_monitor_warns_with_the_available_keys(model):
    callback = EarlyStopping(monitor="val_loss", patience=0)
    with pytest.warns(UserWarning, match=r"monitor='val_loss' is not in the epoch logs.*"
                                         r"Available keys: loss, other"):
        assert fit(model, callback, [1.0, 2.0, 3.0]) == 3
    assert not model.stop_training


@pytest.mark.parametrize("kwargs, message", [
    ({"mode": "lowest"}, r"EarlyStopping: mode must be 'auto', 'min' or 'max'. "
                         r"Received mode='lowest'"),
    ({"monitor": "score"}, r"EarlyStopping: cannot tell whether monitor='score'.*mode='min'"),
    ({"patience": -1}, r"EarlyStopping: patience must be an int >= 0. Received patience=-1"),
    ({"start_from_epoch": 1.5}, r"start_from_epoch must be an int >= 0"),
    ({"min_delta": "0.1"}, r"EarlyStopping: min_delta must be a number. Received min_delta='0.1'"),
])
def test_bad_arguments_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        EarlyStopping(**kwargs)
