"""Shorter tracebacks: an error raised inside ``fit``, ``evaluate``, ``predict`` or a
``*_on_batch`` call shows the user's frames (their script, their layers, losses and
callbacks) without lamina's own frames in between. On by default;
``lamina.config.disable_traceback_filtering()`` shows every frame again, e.g. to debug
lamina itself.

>>> is_traceback_filtering_enabled()
True
"""

import functools
import os
import types

_state = {"enabled": True}
_LAMINA_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def enable_traceback_filtering():
    """Leave lamina's own frames out of the tracebacks of errors raised inside ``fit``,
    ``evaluate``, ``predict`` and the ``*_on_batch`` methods (the default).

    >>> enable_traceback_filtering(); is_traceback_filtering_enabled()
    True
    """
    _state["enabled"] = True


def disable_traceback_filtering():
    """Show every frame, lamina's included, in the tracebacks of errors.

    >>> disable_traceback_filtering(); is_traceback_filtering_enabled()
    False
    >>> enable_traceback_filtering()
    """
    _state["enabled"] = False


def is_traceback_filtering_enabled():
    """Whether tracebacks leave lamina's own frames out.

    >>> is_traceback_filtering_enabled()
    True
    """
    return _state["enabled"]


def _without_lamina_frames(tb):
    """A traceback of the frames of ``tb`` whose code lies outside lamina's package."""
    kept = []
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(_LAMINA_DIR):
            kept.append(tb)
        tb = tb.tb_next
    filtered = None
    for entry in reversed(kept):
        filtered = types.TracebackType(filtered, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return filtered


def filter_traceback(method):
    """Decorate a public entry point so that the errors it raises carry a traceback
    without lamina's frames (while filtering is enabled).

    >>> @filter_traceback
    ... def entry():
    ...     raise ValueError("bad data")
    >>> entry()
    Traceback (most recent call last):
    ...
    ValueError: bad data
    """
    @functools.wraps(method)
    def filtered(*args, **kwargs):
        if not _state["enabled"]:
            return method(*args, **kwargs)
        try:
            return method(*args, **kwargs)
        except Exception as error:
            raise error.with_traceback(_without_lamina_frames(error.__traceback__))

    return filtered
