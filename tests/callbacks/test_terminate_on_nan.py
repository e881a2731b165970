"""TerminateOnNaN: stops at a NaN or infinite loss (Python float or engine tensor), with
Keras' message, and leaves finite or missing losses alone."""

import numpy as np
import pytest

from lamina import backend as K
from lamina.callbacks import CallbackList, TerminateOnNaN
from fake_model import model  # noqa: F401  (the fixture)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("as_tensor", [False, True])
def test_invalid_loss_stops_training(model, capsys, bad, as_tensor):
    callbacks = CallbackList([TerminateOnNaN()], model=model, verbose=0, epochs=1, steps=20)
    callbacks.on_train_begin()
    stopped_at = None
    for batch in range(20):
        loss = bad if batch == 12 else 1.0 / (batch + 1)
        callbacks.on_train_batch_end(batch, {"loss": K.convert_to_tensor(loss) if as_tensor
                                             else loss})
        if model.stop_training:
            stopped_at = batch
            break
    assert stopped_at == 12
    assert capsys.readouterr().out == "Batch 12: Invalid loss, terminating training\n"


def test_finite_or_missing_loss_is_left_alone(model, capsys):
    callback = TerminateOnNaN()
    callback.set_model(model)
    callback.on_train_batch_end(0, {"loss": K.convert_to_tensor(1e30)})
    callback.on_train_batch_end(1, {"accuracy": np.nan})
    callback.on_train_batch_end(2, None)
    assert not model.stop_training and capsys.readouterr().out == ""
