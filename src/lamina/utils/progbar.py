"""A text progress bar (``keras.utils.Progbar``): the bar ``fit`` prints per epoch.

On a terminal (``sys.stdout.isatty()``, or a Jupyter output stream) ``verbose=1``
redraws one line in place (``"\\r"``) at most every ``interval`` seconds::

    12/50 [====>...............] - ETA: 3s - loss: 0.3012

and ends with the epoch's line::

    50/50 [====================] - 2s 4ms/step - loss: 0.2870

On a terminal the redrawn line always fits its width (``$COLUMNS``, else the
terminal's size): the bar narrows, then goes, and a line still too long ends in
``...``, so that a redraw never spills onto a new line. The final line narrows the
bar the same way but shows every value.

When stdout is not a terminal (a log file, CI) only that final line is written:
no carriage returns, no control characters. ``verbose=2`` writes one line at the
end (``50/50 - 2s - 4ms/step - loss: 0.2870``), ``verbose=0`` nothing.

Values may be engine tensors (0-d torch tensors, JAX arrays): they are converted to
Python floats only when the bar needs them (at most once per ``interval``), so that a
training step never waits for a conversion nobody shows.

>>> bar = Progbar(target=3, verbose=2)
>>> for step in (1, 2, 3):
...     bar.update(step, [("loss", 1.0 / step)])  # doctest: +ELLIPSIS
3/3 - 0s - ...s/step - loss: 0.6111
"""

import math
import os
from time import monotonic as _now

import numpy as np

from lamina import backend as K
from lamina._arguments import is_int, is_number
from lamina.utils import io_utils

_VERBOSITIES = (0, 1, 2)
_MIN_BAR_WIDTH = 6   # a bar narrower than this is dropped from a line that must fit


def _terminal_columns(stream):
    """The number of columns of the terminal ``stream`` writes to (80 when unknown)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return 80
    return columns or 80


def _is_live_stream(stream):
    """Whether ``stream`` shows a line redrawn with ``"\\r"`` (a terminal, Jupyter)."""
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return True
    return type(stream).__module__.startswith("ipykernel")


def _to_float(name, value):
    if getattr(value, "ndim", 0) == 0:
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
    else:
        array = np.asarray(K.convert_to_numpy(value))
        if array.size and np.issubdtype(array.dtype, np.number):
            return float(array.mean())
    raise ValueError(f"Progbar: the value of {name!r} must be a number or a numeric tensor. "
                     f"Received {value!r}.")


def _format_number(value):
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _format_step_time(seconds, unit_name):
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit_name}"
    return f"{seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(seconds):
    seconds = int(seconds)
    if seconds > 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if seconds > 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"


class _Average:
    """The running weighted sum of an averaged value."""
    __slots__ = ("total", "weight")

    def __init__(self):
        self.total = 0.0
        self.weight = 0


def _check_names(argument, names):
    if names is None:
        return None
    if isinstance(names, str):
        raise TypeError(f"Progbar: {argument} must be an iterable of metric names. "
                        f"Received the string {names!r}; wrap it in a list.")
    return frozenset(names)


class Progbar:
    """A progress bar for a loop of ``target`` steps (``None``: unknown).

    ``update(current, values)`` reports progress; ``values`` are ``(name, value)``
    pairs (or a dict). A name in ``stateful_metrics`` is shown as its latest value;
    every other name is shown as its average over the updates so far, each value
    weighted by the steps it covers (``current`` minus the previous ``current``).
    ``stateless_metrics`` (Keras 3) inverts the default: only the names it lists are
    averaged, all others are shown as their latest value. ``unit_name`` names a step
    in the time per step (``"4ms/step"``).

    >>> bar = Progbar(target=2, verbose=2, stateful_metrics=["lr"])
    >>> bar.update(1, {"loss": 3.0, "lr": 0.1})
    >>> bar.add(1, {"loss": 1.0, "lr": 0.05})  # doctest: +ELLIPSIS
    2/2 - 0s - ...s/step - loss: 2.0000 - lr: 0.0500
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):
        if target is not None and (not is_int(target)
                                   or target < 0):
            raise ValueError(f"Progbar: target must be None or an int >= 0. Received "
                             f"target={target!r}.")
        if not is_int(width) or width < 1:
            raise ValueError(f"Progbar: width must be an int >= 1. Received width={width!r}.")
        if verbose not in _VERBOSITIES or isinstance(verbose, bool):
            raise ValueError(f"Progbar: verbose must be 0, 1 or 2. Received verbose={verbose!r}.")
        if not is_number(interval) or interval < 0:
            raise ValueError(f"Progbar: interval must be a number of seconds >= 0. Received "
                             f"interval={interval!r}.")
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Progbar: pass stateful_metrics (names shown as their latest "
                             "value) or stateless_metrics (the only names averaged), not both. "
                             f"Received stateful_metrics={stateful_metrics!r} and "
                             f"stateless_metrics={stateless_metrics!r}.")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = _check_names("stateful_metrics", stateful_metrics) or frozenset()
        self.stateless_metrics = _check_names("stateless_metrics", stateless_metrics)
        self._stream = io_utils.message_stream()
        self._live = verbose == 1 and _is_live_stream(self._stream)
        self._on_terminal = self._live and bool(getattr(self._stream, "isatty", bool)())
        self._bar_width = width
        self._seen = 0
        self._latest_only = self.stateless_metrics == frozenset()
        self._values = {}     # name -> its latest value, or the _Average of an averaged name
        self._pending = []    # (name, value, weight) not yet converted to float
        self._start = _now()
        self._last_update = -math.inf
        self._first_step = None   # (time, current) of the first update past step 0
        self._drawn_width = 0

    def _averaged(self, name):
        if self.stateless_metrics is not None:
            return name in self.stateless_metrics
        return name not in self.stateful_metrics

    def update(self, current, values=None, finalize=None):
        """Report that ``current`` steps are done, with the latest ``values``.

        ``finalize`` (default: ``current >= target``) writes the final line.

        >>> bar = Progbar(target=None, verbose=2)
        >>> bar.update(4, [("loss", 0.5)], finalize=True)  # doctest: +ELLIPSIS
        4/Unknown - 0s - ...s/step - loss: 0.5000
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        if not self.verbose:
            self._seen = current
            return
        if values:
            if self._latest_only:
                self._values.update(values)
            else:
                self._record(current, values)
        self._seen = current
        now = _now()
        if self._first_step is None and current > 0:
            self._first_step = (now, current)
        if finalize or now - self._last_update >= self.interval:
            self._last_update = now
            self._fold_pending()
            if finalize or self._live:
                self._write(current, now, finalize)

    def add(self, n, values=None):
        """Advance by ``n`` steps: ``update(current + n, values)``.

        >>> bar = Progbar(target=5, verbose=2)
        >>> bar.add(2, [("loss", 1.0)]); bar.add(3, [("loss", 6.0)])  # doctest: +ELLIPSIS
        5/5 - 0s - ...s/step - loss: 4.0000
        """
        self.update(self._seen + n, values)

    def note(self, text):
        """Show ``text``, a short note such as ``"compiling the train step..."``, on the
        bar's line: in place on a terminal (the next redraw replaces it), as a line of
        its own elsewhere; nothing with ``verbose=0``.

        >>> Progbar(target=3, verbose=2).note("compiling the train step...")
        compiling the train step...
        """
        if not self.verbose:
            return
        if self._live:
            padding = " " * max(self._drawn_width - len(text), 0)
            self._drawn_width = len(text)
            self._stream.write(f"\r{text}{padding}")
        else:
            self._stream.write(text + "\n")
        self._stream.flush()

    def _record(self, current, values):
        weight = max(current - self._seen, 1)
        for name, value in (values.items() if isinstance(values, dict) else values):
            if self._averaged(name):
                if name not in self._values:
                    self._values[name] = _Average()
                self._pending.append((name, value, weight))
            else:
                self._values[name] = value

    def _fold_pending(self):
        for name, value, weight in self._pending:
            average = self._values[name]
            average.total += _to_float(name, value) * weight
            average.weight += weight
        self._pending.clear()

    def _step_time(self, current, now):
        if not current:
            return 0.0
        first_time, first_current = self._first_step
        if current > first_current:
            return (now - first_time) / (current - first_current)
        return (now - self._start) / current

    def _metrics_text(self):
        parts = []
        for name, value in self._values.items():
            if isinstance(value, _Average):
                value = value.total / max(value.weight, 1)
            else:
                value = _to_float(name, value)
            parts.append(f" - {name}: {_format_number(value)}")
        return "".join(parts)

    def _count_text(self, current):
        if self.target is None:
            return f"{current:{7 if self.verbose == 1 else 1}d}/Unknown"
        return f"{current:{len(str(self.target))}d}/{self.target}"

    def _bar_text(self, current, width):
        fraction = min(current / self.target, 1.0) if self.target else 1.0
        filled = int(width * fraction)
        head = ("=" * (filled - 1) + (">" if current < self.target else "=")) if filled else ""
        return f"[{head}{'.' * (width - filled)}]"

    def _with_bar(self, count, current, tail):
        """``count [bar]tail``; on a terminal the bar narrows (for the rest of this bar)
        or goes, so that the line fits in one row short of the terminal's last column."""
        if self._on_terminal:
            room = _terminal_columns(self._stream) - 1 - len(count) - len(tail) - 3
            self._bar_width = min(self._bar_width, room)
        if self._bar_width < _MIN_BAR_WIDTH:
            return f"{count}{tail}"
        return f"{count} {self._bar_text(current, self._bar_width)}{tail}"

    def _fit_redraw(self, line):
        """A redrawn line cut to the terminal's width, so that it never wraps."""
        room = _terminal_columns(self._stream) - 1 if self._on_terminal else len(line)
        return line if len(line) <= room else line[:max(room - 3, 0)] + "..."

    def _write(self, current, now, finalize):
        seconds_per_step = self._step_time(current, now)
        elapsed = f"{now - self._start:.0f}s"
        per_step = _format_step_time(seconds_per_step, self.unit_name)
        count, metrics = self._count_text(current), self._metrics_text()
        if self.verbose == 2:
            line = f"{count} - {elapsed} - {per_step}{metrics}"
        elif self.target is None:
            line = f"{count} - {elapsed} {per_step}{metrics}"
        elif finalize:
            line = self._with_bar(count, current, f" - {elapsed} {per_step}{metrics}")
        else:
            eta = _format_eta(seconds_per_step * max(self.target - current, 0))
            line = self._with_bar(count, current, f" - ETA: {eta}{metrics}")
        if not finalize:
            line = self._fit_redraw(line)
        if self._live:
            padding = " " * max(self._drawn_width - len(line), 0)
            self._drawn_width = len(line)
            line = f"\r{line}{padding}"
        self._stream.write(line + "\n" if finalize else line)
        self._stream.flush()
