"""ProgbarLogger driven as fit, evaluate and predict drive it: the exact text in a log
file and on a terminal for verbose 0, 1 and 2, silent validation inside fit, and an
unknown number of steps learnt from the first epoch. A fake clock makes times exact."""

import contextlib
import io

import pytest

from lamina import backend as K
from lamina.callbacks import CallbackList, ProgbarLogger
from lamina.utils import progbar as progbar_module
from fake_model import model  # noqa: F401  (the fixture)


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def clock(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(progbar_module, "_now", lambda: now[0])
    return now


def fit(model, clock, stream, verbose, steps=2, epochs=2, batches=2):
    """Two epochs of ``batches`` batches of 0.5 s, each followed by a validation run."""
    with contextlib.redirect_stdout(stream):
        callbacks = CallbackList(add_progbar=True, model=model, verbose=verbose, epochs=epochs,
                                 steps=steps)
        callbacks.on_train_begin()
        for epoch in range(epochs):
            callbacks.on_epoch_begin(epoch)
            for batch in range(batches):
                callbacks.on_train_batch_begin(batch)
                clock[0] += 0.5
                callbacks.on_train_batch_end(batch, {"loss": K.convert_to_tensor(1.0 + batch)})
            callbacks.on_test_begin()
            callbacks.on_test_batch_end(0, {"loss": 5.0})
            callbacks.on_test_end({"loss": 5.0})
            callbacks.on_epoch_end(epoch, {"loss": 1.25, "val_loss": 5.0})
        callbacks.on_train_end()
    return stream.getvalue()


def test_log_file_gets_a_header_and_one_line_per_epoch(model, clock):
    out = fit(model, clock, io.StringIO(), verbose=1)
    assert out == ("Epoch 1/2\n2/2 [====================] - 1s 500ms/step - loss: 1.2500"
                   " - val_loss: 5.0000\n"
                   "Epoch 2/2\n2/2 [====================] - 1s 500ms/step - loss: 1.2500"
                   " - val_loss: 5.0000\n")
    assert "\r" not in out and "\x1b" not in out


def test_terminal_shows_the_live_bar_with_the_latest_batch_values(model, clock):
    out = fit(model, clock, Terminal(), verbose=1, epochs=1)
    assert out == ("Epoch 1/1\n"
                   "\r1/2 [=========>..........] - ETA: 0s - loss: 1.0000"
                   "\r2/2 [====================] - ETA: 0s - loss: 2.0000"
                   "\r2/2 [====================] - 1s 500ms/step - loss: 1.2500"
                   " - val_loss: 5.0000\n")


def test_verbose_2_one_line_per_epoch_and_verbose_0_nothing(model, clock):
    assert fit(model, clock, Terminal(), verbose=2) == (
        "Epoch 1/2\n2/2 - 1s - 500ms/step - loss: 1.2500 - val_loss: 5.0000\n"
        "Epoch 2/2\n2/2 - 1s - 500ms/step - loss: 1.2500 - val_loss: 5.0000\n")
    assert fit(model, clock, Terminal(), verbose=0) == ""


def test_unknown_steps_are_counted_in_the_first_epoch(model, clock):
    out = fit(model, clock, io.StringIO(), verbose=1, steps=None, batches=4)
    assert out.splitlines()[1].startswith("4/4 [====================] - 2s")
    assert out.splitlines()[3].startswith("4/4 [====================] - 2s")


def test_evaluate_and_predict_print_their_own_bar(model, clock):
    stream = io.StringIO()
    with contextlib.redirect_stdout(stream):
        callbacks = CallbackList(add_progbar=True, model=model, verbose=1, epochs=1, steps=3)
        callbacks.on_test_begin()
        for batch in range(3):
            clock[0] += 0.002
            callbacks.on_test_batch_end(batch, {"loss": 0.5})
        callbacks.on_test_end({"loss": 0.5})
        callbacks.on_predict_begin()
        for batch in range(3):
            clock[0] += 0.002
            callbacks.on_predict_batch_end(batch, {"outputs": K.zeros((2, 1))})
        callbacks.on_predict_end()
    assert stream.getvalue() == ("3/3 [====================] - 0s 2ms/step - loss: 0.5000\n"
                                 "3/3 [====================] - 0s 2ms/step\n")


def test_one_epoch_has_its_header_and_bad_verbose_is_explained(model, clock):
    assert fit(model, clock, io.StringIO(), verbose=1, epochs=1).startswith(
        "Epoch 1/1\n2/2 [====================] - 1s")
    assert fit(model, clock, io.StringIO(), verbose=2, epochs=1).startswith("Epoch 1/1\n2/2 - 1s")
    with pytest.raises(ValueError, match=r"ProgbarLogger: params\['verbose'\] must be 0, 1, 2 "
                                         r"or 'auto'. Received 3"):
        ProgbarLogger().set_params({"verbose": 3, "epochs": 1, "steps": 1})
