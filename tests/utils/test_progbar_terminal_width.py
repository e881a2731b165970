"""A live Progbar fits the terminal it redraws on: at 80 columns with three metrics no
redraw wraps onto a new line (the bar narrows, then goes, then the line is cut), the
final line shows every value, and a log file keeps the full bar. A fake clock makes
the times exact."""

import contextlib
import io

import pytest

from lamina.utils import progbar as progbar_module
from lamina.utils.progbar import Progbar


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(progbar_module, "_now", lambda: now[0])
    return now


def draw(stream, names, clock, target=1500, columns="80", monkeypatch=None):
    """Redraw a ``target``-step bar five times and finish it; returns what was written."""
    monkeypatch.setenv("COLUMNS", columns)
    values = [(name, 0.25) for name in names]
    with contextlib.redirect_stdout(stream):
        bar = Progbar(target, verbose=1, interval=0)
        for current in range(1, target, target // 5):
            clock[0] += 1.0
            bar.update(current, values)
        bar.update(target, values)
    return stream.getvalue()


def redraws(out):
    """The lines a terminal shows one after another, ending with the final line."""
    assert out.endswith("\n") and out.count("\n") == 1
    return out[:-1].split("\r")[1:]


def test_three_metrics_at_80_columns_narrow_the_bar_and_never_wrap(clock, monkeypatch):
    out = draw(Terminal(), ["loss", "accuracy", "mae"], clock, monkeypatch=monkeypatch)
    lines = redraws(out)
    assert all(len(line) <= 79 for line in lines), [len(line) for line in lines]
    live = lines[:-1]
    assert all("[" in line and "] - ETA: " in line for line in live)
    bar_widths = {line.index("]") - line.index("[") - 1 for line in live}
    assert len(bar_widths) == 1 and 6 <= bar_widths.pop() < 20
    assert lines[-1].rstrip().endswith("loss: 0.2500 - accuracy: 0.2500 - mae: 0.2500")


def test_a_line_too_long_without_its_bar_drops_it_and_is_cut(clock, monkeypatch):
    names = ["loss", "categorical_accuracy", "mean_absolute_percentage_error"]
    lines = redraws(draw(Terminal(), names, clock, monkeypatch=monkeypatch))
    assert all(len(line) <= 79 for line in lines[:-1])
    assert all("[" not in line and line.endswith("...") for line in lines[:-1])
    final = lines[-1].rstrip()   # the last line shows every value, and wraps only once
    assert final.startswith("1500/1500 - ") and "[" not in final
    assert final.endswith("mean_absolute_percentage_error: 0.2500")


def test_a_wide_terminal_keeps_the_full_bar(clock, monkeypatch):
    lines = redraws(draw(Terminal(), ["loss", "accuracy", "mae"], clock, columns="200",
                         monkeypatch=monkeypatch))
    assert all(line.index("]") - line.index("[") - 1 == 20 for line in lines)


def test_a_log_file_keeps_the_full_bar_and_every_value(clock, monkeypatch):
    names = ["loss", "categorical_accuracy", "mean_absolute_percentage_error"]
    out = draw(io.StringIO(), names, clock, monkeypatch=monkeypatch)
    assert out.startswith("1500/1500 [====================] - ")
    assert out.endswith("mean_absolute_percentage_error: 0.2500\n") and "\r" not in out


def test_the_width_falls_back_to_80_columns_when_the_terminal_size_is_unknown(clock, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert progbar_module._terminal_columns(Terminal()) == 80
