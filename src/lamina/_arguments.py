"""What counts as an integer, or a number, in an argument: one test for every layer,
optimizer and training loop.

As in Keras, NumPy integers are integers (``Dense(np.max(y) + 1)``,
``fit(batch_size=np.int64(32))``) and NumPy floats are numbers, while booleans are
neither, though Python's ``bool`` is an ``int`` (``Dense(True)`` is refused). Checked
values are stored as Python ints and floats, so configs stay JSON data.

>>> import numpy as np
>>> is_int(np.int64(3)), is_int(True), is_int(3.0), is_number(np.float32(0.5))
(True, False, False, True)
"""

import numpy as np

_INTEGERS = (int, np.integer)
_NUMBERS = (int, float, np.integer, np.floating)


def is_int(value):
    """Whether ``value`` is a Python or NumPy integer (not a bool).

    >>> import numpy as np
    >>> [is_int(v) for v in (7, np.int32(7), np.uint8(7), False, np.bool_(True), "7")]
    [True, True, True, False, False, False]
    """
    return isinstance(value, _INTEGERS) and not isinstance(value, bool)


def is_number(value):
    """Whether ``value`` is a Python or NumPy integer or float (not a bool).

    >>> import numpy as np
    >>> [is_number(v) for v in (0.5, np.float32(0.5), np.int64(1), True, None)]
    [True, True, True, False, False]
    """
    return isinstance(value, _NUMBERS) and not isinstance(value, bool)


def as_int(value):
    """``value`` as a Python int when it is an integer (see :func:`is_int`), else as it is.

    >>> import numpy as np
    >>> type(as_int(np.int64(4))).__name__, as_int("4")
    ('int', '4')
    """
    return int(value) if is_int(value) else value


def as_ints(values):
    """``values`` (an integer, or an iterable) as a tuple with its integers as Python ints.

    >>> import numpy as np
    >>> as_ints((np.int64(2), 3)), as_ints(np.int32(5))
    ((2, 3), (5,))
    """
    if is_int(values):
        return (int(values),)
    return tuple(as_int(v) for v in values)


def positive_int(value, minimum=1):
    """``value`` as a Python int when it is an integer >= ``minimum``, else None, so the
    caller raises its own error naming the argument and its owner.

    >>> import numpy as np
    >>> positive_int(np.int64(8)), positive_int(0), positive_int(True), positive_int(0, 0)
    (8, None, None, 0)
    """
    return int(value) if is_int(value) and value >= minimum else None


def plain(value):
    """``value`` with the NumPy scalars in it (also inside lists, tuples and dicts) as
    Python numbers: a constructor argument as config data.

    >>> import numpy as np
    >>> plain({"units": np.int64(3), "strides": (np.int32(1), 2), "rate": np.float32(0.5)})
    {'units': 3, 'strides': (1, 2), 'rate': 0.5}
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
