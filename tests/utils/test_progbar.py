"""lamina.utils.progbar.Progbar: the exact lines on a terminal, in a log file and at
verbose 2, weighted averages against a NumPy re-computation, time and ETA formats,
the redraw interval, and values converted only when shown. A fake clock makes the
times exact."""

import contextlib
import io

import numpy as np
import pytest

from lamina import backend as K
from lamina.utils import progbar as progbar_module
from lamina.utils.progbar import Progbar


class Terminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self, now=100.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(progbar_module, "_now", fake)
    return fake


def run(stream, clock, verbose, steps=((0.5, 1, 1.0), (1.0, 3, 3.0), (0.5, 4, 5.0)), **kwargs):
    """Drive a 4-step bar: each step advances the clock, then updates to ``current``."""
    with contextlib.redirect_stdout(stream):
        bar = Progbar(4, width=8, verbose=verbose, **kwargs)
        for seconds, current, loss in steps:
            clock.now += seconds
            bar.update(current, [("loss", loss)])
    return stream.getvalue()


def test_terminal_redraws_one_line_in_place(clock):
    assert run(Terminal(), clock, verbose=1) == (
        "\r1/4 [=>......] - ETA: 1s - loss: 1.0000"
        "\r3/4 [=====>..] - ETA: 0s - loss: 2.3333"
        "\r4/4 [========] - 2s 500ms/step - loss: 3.0000\n")


def test_log_file_gets_only_the_final_line_without_control_characters(clock):
    out = run(io.StringIO(), clock, verbose=1)
    assert out == "4/4 [========] - 2s 500ms/step - loss: 3.0000\n"
    assert "\r" not in out and "\x1b" not in out and "\b" not in out


def test_verbose_2_writes_one_line_and_verbose_0_nothing(clock):
    assert run(Terminal(), clock, verbose=2) == "4/4 - 2s - 500ms/step - loss: 3.0000\n"
    assert run(Terminal(), clock, verbose=0) == ""


def test_shorter_redraw_is_padded_over_the_longer_line(clock):
    out = run(Terminal(), clock, verbose=1,
              steps=((0.5, 1, 123.0), (0.5, 2, -121.0), (0.5, 4, 0.0)))
    first, second = out.split("\r")[1:3]
    assert len(second) == len(first) and second.endswith(" ")


def test_average_is_weighted_by_steps_and_stateful_names_show_the_latest(clock):
    rng = np.random.default_rng(0)
    currents = [2, 3, 7, 8, 12]
    losses, rates = rng.uniform(0, 2, 5), rng.uniform(0, 1e-4, 5)
    weights = np.diff([0] + currents)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bar = Progbar(12, verbose=2, stateful_metrics=["lr"])
        for current, loss, rate in zip(currents, losses, rates):
            bar.update(current, [("loss", K.convert_to_tensor(loss)), ("lr", float(rate))])
    assert out.getvalue().endswith(
        f" - loss: {np.sum(losses * weights) / 12:.4f} - lr: {rates[-1]:.4e}\n")


def test_stateless_metrics_lists_the_only_averaged_names(clock):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bar = Progbar(2, verbose=2, stateless_metrics=["loss"])
        bar.update(1, {"loss": 1.0, "accuracy": 0.5})
        bar.update(2, {"loss": 2.0, "accuracy": 0.75})
    assert out.getvalue().endswith(" - loss: 1.5000 - accuracy: 0.7500\n")


def test_add_advances_from_the_last_update(clock):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bar = Progbar(5, verbose=2)
        bar.add(2, [("loss", 1.0)])
        bar.add(3, [("loss", 6.0)])
    assert out.getvalue().startswith("5/5 - ") and out.getvalue().endswith("loss: 4.0000\n")


@pytest.mark.parametrize("step_seconds, text", [
    (2.0, "2s/step"), (0.004, "4ms/step"), (2e-5, "20us/step")])
def test_time_per_step_unit(clock, step_seconds, text):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bar = Progbar(3, verbose=2, unit_name="step")
        for current in (1, 2, 3):
            clock.now += step_seconds
            bar.update(current)
    assert f" - {text}\n" in out.getvalue()


def test_first_step_is_left_out_of_the_time_per_step(clock):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bar = Progbar(3, verbose=2, unit_name="sample")
        for current, seconds in ((1, 10.0), (2, 0.002), (3, 0.002)):
            clock.now += seconds
            bar.update(current)
    assert out.getvalue() == "3/3 - 10s - 2ms/sample\n"


@pytest.mark.parametrize("remaining_seconds, eta", [(42, "42s"), (125, "2:05"), (3700, "1:01:40")])
def test_eta_format(clock, remaining_seconds, eta):
    out = Terminal()
    with contextlib.redirect_stdout(out):
        bar = Progbar(2, verbose=1)
        clock.now += remaining_seconds
        bar.update(1)
    assert f" - ETA: {eta}" in out.getvalue()


def test_live_bar_redraws_at_most_once_per_interval(clock):
    out = Terminal()
    with contextlib.redirect_stdout(out):
        bar = Progbar(100, verbose=1, interval=0.05)
        for current in range(1, 100):
            clock.now += 0.01
            bar.update(current)
    assert out.getvalue().count("\r") == 20   # the first update, then every 5th


def test_unknown_target_counts_steps(clock):
    out = Terminal()
    with contextlib.redirect_stdout(out):
        bar = Progbar(None, verbose=1)
        clock.now += 1.0
        bar.update(7, [("loss", 0.5)])
        clock.now += 0.4
        bar.update(9, [("loss", 0.5)], finalize=True)
    assert out.getvalue() == ("\r      7/Unknown - 1s 143ms/step - loss: 0.5000"
                              "\r      9/Unknown - 1s 200ms/step - loss: 0.5000\n")


class CountedValue:
    """A 0-d value that counts its conversions to float, as an engine tensor would sync."""
    ndim = 0
    conversions = 0

    def __init__(self, value):
        self.value = value

    def __float__(self):
        CountedValue.conversions += 1
        return self.value


def test_values_are_converted_only_when_the_bar_needs_them(clock):
    CountedValue.conversions = 0
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bar = Progbar(50, verbose=1, interval=10.0)
        for current in range(1, 50):
            bar.update(current, [("loss", CountedValue(2.0))])
        converted_before_the_end = CountedValue.conversions
        bar.update(50, [("loss", CountedValue(2.0))])
    assert converted_before_the_end == 1   # the first update only; the rest wait
    assert CountedValue.conversions == 50 and out.getvalue().endswith("loss: 2.0000\n")


def test_engine_tensors_and_small_values(clock):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bar = Progbar(2, verbose=2)
        bar.update(1, [("loss", K.convert_to_tensor(np.float32(2e-4))),
                       ("mean", K.convert_to_tensor([1.0, 3.0]))])
        bar.update(2, [("loss", K.convert_to_tensor(np.float32(4e-4))),
                       ("mean", K.convert_to_tensor([3.0, 5.0]))])
    assert out.getvalue().endswith(" - loss: 3.0000e-04 - mean: 3.0000\n")


@pytest.mark.parametrize("kwargs, message", [
    ({"target": -1}, r"target must be None or an int >= 0. Received target=-1"),
    ({"target": 3, "width": 0}, r"width must be an int >= 1. Received width=0"),
    ({"target": 3, "verbose": 3}, r"verbose must be 0, 1 or 2. Received verbose=3"),
    ({"target": 3, "interval": -1}, r"interval must be a number of seconds >= 0"),
    ({"target": 3, "stateful_metrics": ["a"], "stateless_metrics": ["b"]}, r"not both"),
    ({"target": 3, "stateful_metrics": "loss"}, r"stateful_metrics must be an iterable"),
])
def test_bad_arguments_are_explained(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        Progbar(**kwargs)


def test_non_numeric_value_is_explained(clock):
    bar = Progbar(1, verbose=2)
    with pytest.raises(ValueError, match=r"value of 'loss' must be a number.*'high'"):
        bar.update(1, [("loss", "high")])
