"""The checks of the arguments of ``fit``, ``evaluate`` and ``predict``, made before
any data is read: each refused value gives an error naming the method, the argument,
the value received and what is accepted.

As everywhere in lamina (see :mod:`lamina._arguments`), NumPy integers are integers
and booleans are not.

>>> import numpy as np
>>> checked = check_fit_arguments(batch_size=np.int64(16), epochs=2, verbose="auto",
...                               validation_split=0.2, initial_epoch=0, steps_per_epoch=None,
...                               validation_steps=None, validation_batch_size=None,
...                               validation_freq=1)
>>> checked["batch_size"], checked["verbose"]
(16, 1)
>>> check_fit_arguments(epochs=2.5)
Traceback (most recent call last):
...
ValueError: fit: epochs must be an int >= 0; received 2.5 (float).
"""

from lamina._arguments import is_int, is_number, positive_int


def _received(value):
    return f"{value!r} ({type(value).__name__})"


def _count(where, name, value, minimum, optional):
    """``value`` as a Python int when it is an integer >= ``minimum`` (or None when
    ``optional``), else a ValueError naming ``where`` and ``name``."""
    if value is None and optional:
        return None
    checked = positive_int(value, minimum)
    if checked is None:
        accepted = f"an int >= {minimum}" + (" or None" if optional else "")
        raise ValueError(f"{where}: {name} must be {accepted}; received {_received(value)}.")
    return checked


def check_verbose(verbose, where):
    """``verbose`` as 0, 1 or 2 (``"auto"`` is 1), as Keras accepts it.

    >>> check_verbose("auto", "fit"), check_verbose(2, "predict")
    (1, 2)
    >>> check_verbose(True, "fit")
    Traceback (most recent call last):
    ...
    ValueError: fit: verbose must be 0, 1, 2 or 'auto'; received True (bool).
    """
    if isinstance(verbose, str) and verbose == "auto":
        return 1
    if not is_int(verbose) or verbose not in (0, 1, 2):
        raise ValueError(f"{where}: verbose must be 0, 1, 2 or 'auto'; received "
                         f"{_received(verbose)}.")
    return int(verbose)


def _check_validation_split(value):
    if not is_number(value) or not 0.0 <= value < 1.0:
        raise ValueError("fit: validation_split must be a number from 0 (no split) up to, not "
                         f"including, 1 (the fraction of samples kept for validation); received "
                         f"{_received(value)}.")
    return float(value)


def _check_validation_freq(value):
    if is_int(value):
        return _count("fit", "validation_freq", value, 1, optional=False)
    if isinstance(value, (list, tuple, set, range)) and value and all(
            is_int(v) and v >= 1 for v in value):
        return value
    raise ValueError("fit: validation_freq must be an int >= 1 (validate every that many "
                     "epochs) or a non-empty collection of epoch numbers >= 1; received "
                     f"{_received(value)}.")


def check_fit_arguments(batch_size=None, epochs=1, verbose="auto", validation_split=0.0,
                        initial_epoch=0, steps_per_epoch=None, validation_steps=None,
                        validation_batch_size=None, validation_freq=1):
    """The counting arguments of ``fit``, checked, as a dict of Python values.

    >>> check_fit_arguments(steps_per_epoch=0)
    Traceback (most recent call last):
    ...
    ValueError: fit: steps_per_epoch must be an int >= 1 or None; received 0 (int).
    """
    return {
        "batch_size": _count("fit", "batch_size", batch_size, 1, optional=True),
        "epochs": _count("fit", "epochs", epochs, 0, optional=False),
        "verbose": check_verbose(verbose, "fit"),
        "validation_split": _check_validation_split(validation_split),
        "initial_epoch": _count("fit", "initial_epoch", initial_epoch, 0, optional=False),
        "steps_per_epoch": _count("fit", "steps_per_epoch", steps_per_epoch, 1, optional=True),
        "validation_steps": _count("fit", "validation_steps", validation_steps, 1,
                                   optional=True),
        "validation_batch_size": _count("fit", "validation_batch_size", validation_batch_size,
                                        1, optional=True),
        "validation_freq": _check_validation_freq(validation_freq),
    }


def check_loop_arguments(where, batch_size=None, verbose="auto", steps=None):
    """``batch_size``, ``verbose`` and ``steps`` of ``evaluate`` or ``predict``, checked.

    >>> check_loop_arguments("predict", batch_size=8, verbose=0, steps=None)
    {'batch_size': 8, 'verbose': 0, 'steps': None}
    >>> check_loop_arguments("evaluate", steps=-1)
    Traceback (most recent call last):
    ...
    ValueError: evaluate: steps must be an int >= 1 or None; received -1 (int).
    """
    return {"batch_size": _count(where, "batch_size", batch_size, 1, optional=True),
            "verbose": check_verbose(verbose, where),
            "steps": _count(where, "steps", steps, 1, optional=True)}
