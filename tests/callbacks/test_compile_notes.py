"""A slow compile is announced on the progress line ("compiling the train step..."),
on and off a terminal, never with verbose=0; compiled programs reused print nothing."""

import contextlib
import io

import numpy as np
import pytest

from lamina import Input, Model, layers
from lamina import backend as K
from lamina.backend import stepping
from lamina.utils.progbar import Progbar

jax_only = pytest.mark.skipif(K.backend() != "jax", reason="jax compiles its steps")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_on_a_terminal_the_note_is_drawn_in_place_and_the_bar_covers_it():
    stream = Terminal()
    with contextlib.redirect_stdout(stream):
        bar = Progbar(2, width=4, verbose=1, interval=0)
        bar.note("compiling the train step...")
        bar.update(1)
    note, line = stream.getvalue().split("\r")[1:]
    assert note == "compiling the train step..."
    assert line.startswith("1/2") and len(line) == len(note)  # padded over the note

X = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
Y = np.zeros((16, 1), "float32")


@pytest.fixture
def model(monkeypatch):
    monkeypatch.setattr(stepping, "COMPILE_NOTE_AFTER", 0.0)  # every compile is slow
    inputs = Input((3,))
    model = Model(inputs, layers.Dense(1)(layers.Dense(4, activation="relu")(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    return model


@jax_only
def test_fit_announces_each_compile_once(model, capsys):
    model.fit(X, Y, batch_size=8, epochs=2, verbose=2)
    out = capsys.readouterr().out
    assert out.count("compiling the train step...") == 1
    assert out.index("Epoch 1/2") < out.index("compiling") < out.index("Epoch 2/2")
    model.fit(X, Y, batch_size=8, epochs=1, verbose=2)
    assert "compiling" not in capsys.readouterr().out


@jax_only
def test_validation_predict_and_evaluate_announce_their_steps(model, capsys):
    model.fit(X, Y, batch_size=8, validation_data=(X, Y), verbose=1)
    model.predict(X, batch_size=8, verbose=1)
    out = capsys.readouterr().out
    assert "compiling the test step..." in out and "compiling the predict step..." in out
    assert "\r" not in out  # not a terminal: each note is a line of its own


@jax_only
def test_verbose_0_and_single_batches_print_nothing(model, capsys):
    model.fit(X, Y, batch_size=8, verbose=0)
    model.evaluate(X, Y, batch_size=8, verbose=0)
    model.predict(X, batch_size=8, verbose=0)
    model.train_on_batch(X[:5], Y[:5])
    assert capsys.readouterr().out == ""
