"""fit trains on after a NaN or infinite loss, as Keras does, but warns once, naming
the epoch and pointing to TerminateOnNaN; it stays silent when TerminateOnNaN is in
the callbacks or the loss stays finite."""

import warnings

import numpy as np
import pytest

from lamina import Input, Model, layers, optimizers
from lamina import backend as K
from lamina.callbacks import TerminateOnNaN

pytestmark = pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine cannot train")


def model_and_data(bad_epoch_data=True):
    inputs = Input((2,))
    model = Model(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer=optimizers.SGD(0.01), loss="mse")
    x = np.linspace(-1.0, 1.0, 16, dtype="float32").reshape(8, 2)
    if bad_epoch_data:
        x[5, 1] = np.nan
    return model, x, np.zeros((8, 1), "float32")


def test_warns_once_names_the_epoch_and_trains_on():
    model, x, y = model_and_data()
    with pytest.warns(RuntimeWarning) as caught:
        history = model.fit(x, y, batch_size=2, epochs=3, verbose=0)
    ours = [w for w in caught if "training loss" in str(w.message)]
    assert len(ours) == 1 and ours[0].filename == __file__
    message = str(ours[0].message)
    assert message.startswith("fit: the training loss is nan in epoch 1/3:")
    assert "TerminateOnNaN()" in message and "restore_last_good=True" in message
    assert len(history.history["loss"]) == 3


def test_silent_with_terminate_on_nan_or_a_finite_loss(capsys):
    model, x, y = model_and_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = model.fit(x, y, batch_size=2, epochs=3, verbose=0, shuffle=False,
                            callbacks=[TerminateOnNaN()])
        assert capsys.readouterr().out == "Batch 2: Invalid loss, terminating training\n"
        assert len(history.history["loss"]) == 1
        model, x, y = model_and_data(bad_epoch_data=False)
        model.fit(x, y, batch_size=2, epochs=2, verbose=0)
