"""What a real ``fit(verbose=1)`` prints, on each training engine: Keras's
``Epoch i/n`` line before every epoch's bar, in a log file as on a terminal (one epoch
too), and on an 80-column terminal with three metrics no redraw longer than a row."""

import contextlib
import io
import re

import numpy as np
import pytest

from lamina import Input, Model, layers
from lamina import backend as K

pytestmark = pytest.mark.skipif(K.backend() == "numpy", reason="the numpy engine cannot train")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def fit_output(stream, epochs, steps=4):
    x = np.linspace(-1, 1, 8 * steps, dtype="float32").reshape(-1, 2)
    inputs = Input((2,))
    model = Model(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae", "mean_squared_error"])
    with contextlib.redirect_stdout(stream):
        model.fit(x, x[:, :1], epochs=epochs, batch_size=4, verbose=1)
    return stream.getvalue()


def test_each_epoch_gets_its_header_before_its_bar_in_a_log_file():
    lines = fit_output(io.StringIO(), epochs=2).splitlines()
    assert [line for line in lines if line.startswith("Epoch")] == ["Epoch 1/2", "Epoch 2/2"]
    assert lines[0] == "Epoch 1/2" and lines[1].startswith("4/4 [====================] - ")
    assert lines[2] == "Epoch 2/2" and lines[3].startswith("4/4 [====================] - ")
    assert fit_output(io.StringIO(), epochs=1).startswith("Epoch 1/1\n4/4 [")


def test_an_80_column_terminal_redraws_without_wrapping(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = fit_output(Terminal(), epochs=1, steps=40)
    header, bar = out.split("\n", 1)
    assert header == "Epoch 1/1"
    redraws = bar.rstrip("\n").split("\r")[1:]
    assert redraws and all(len(line) <= 79 for line in redraws), [len(x) for x in redraws]
    assert re.search(r" - mae: \S+ - mean_squared_error: \d\.\d{4}(e-\d+)?$", redraws[-1].rstrip())
