"""Where lamina's messages go (``fit``'s progress bars, its epoch headers): printed to
stdout while interactive logging is on (the default), sent to the ``"lamina"``
logger (``logging.getLogger("lamina").info``, one record per line) once
``disable_interactive_logging()`` is called, e.g. in a batch job that logs to files.

>>> print_msg("hello")
hello
"""

import logging
import sys

_state = {"interactive": True}


def enable_interactive_logging():
    """Print lamina's messages and progress bars to stdout (the default).

    >>> enable_interactive_logging(); is_interactive_logging_enabled()
    True
    """
    _state["interactive"] = True


def disable_interactive_logging():
    """Send lamina's messages and progress bars to the ``"lamina"`` logger at INFO level
    instead of stdout; progress bars then write only their final lines.

    >>> disable_interactive_logging(); is_interactive_logging_enabled()
    False
    >>> enable_interactive_logging()
    """
    _state["interactive"] = False


def is_interactive_logging_enabled():
    """Whether lamina prints its messages to stdout (True) or logs them (False).

    >>> is_interactive_logging_enabled()
    True
    """
    return _state["interactive"]


class _LoggerStream:
    """A write-only text stream that logs each complete line to the ``"lamina"`` logger."""

    def __init__(self):
        self._pending = ""

    def write(self, text):
        lines = (self._pending + text).split("\n")
        self._pending = lines.pop()
        for line in lines:
            logging.getLogger("lamina").info(line.replace("\r", ""))
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False


def message_stream():
    """The stream lamina's progress bars write to: stdout, or a stream logging each line.

    >>> message_stream() is sys.stdout
    True
    """
    return sys.stdout if _state["interactive"] else _LoggerStream()


def print_msg(message, line_break=True):
    """Print ``message`` to stdout, or log it when interactive logging is off.

    >>> print_msg("epoch 1", line_break=False)
    epoch 1
    """
    if _state["interactive"]:
        sys.stdout.write(message + ("\n" if line_break else ""))
        sys.stdout.flush()
    else:
        logging.getLogger("lamina").info(message)
