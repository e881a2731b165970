"""Constructor arguments of the convolution layers, checked and put in one form.

Each function takes ``owner``, the text that names the layer in an error
(``"Conv2D layer 'conv2d'"``), so a wrong argument is reported at construction with
the layer, what was expected and what was received.

>>> as_tuple("Conv2D layer 'c'", "kernel_size", 3, 2)
(3, 3)
>>> standardize_padding("Conv2D layer 'c'", "SAME", ("valid", "same"))
'same'
"""

from lamina import _arguments
from lamina import backend as K

_DATA_FORMATS = ("channels_last", "channels_first")


def positive_int(owner, name, value):
    """``value`` when it is an int >= 1; a ValueError naming ``owner`` otherwise.

    >>> positive_int("Conv1D layer 'c'", "filters", 8)
    8
    """
    if _arguments.positive_int(value) is None:
        raise ValueError(f"{owner}: expected {name} to be a positive int; received {value!r}.")
    return int(value)


def as_tuple(owner, name, value, rank, minimum=1):
    """``value`` (an int, or ``rank`` ints) as a tuple of ``rank`` ints >= ``minimum``.

    >>> as_tuple("Conv3D layer 'c'", "strides", [1, 2, 1], 3)
    (1, 2, 1)
    """
    items = (value,) * rank if _arguments.is_int(value) else value
    try:
        items = tuple(items)
    except TypeError:
        items = None
    if items is None or len(items) != rank or not all(
            _arguments.positive_int(v, minimum) is not None for v in items):
        kind = "positive int" if minimum == 1 else f"int >= {minimum}"
        raise ValueError(f"{owner}: expected {name} to be a {kind} or a tuple of {rank} "
                         f"{kind}s; received {value!r}.")
    return _arguments.as_ints(items)


def standardize_padding(owner, padding, allowed):
    """``padding`` in lower case, when it is one of ``allowed``.

    >>> standardize_padding("Conv1D layer 'c'", "Causal", ("valid", "same", "causal"))
    'causal'
    """
    key = padding.lower() if isinstance(padding, str) else padding
    if key not in allowed:
        note = "" if "causal" in allowed else " ('causal' padding exists for Conv1D only)"
        raise ValueError(f"{owner}: expected padding {' or '.join(map(repr, allowed))}{note}; "
                         f"received {padding!r}.")
    return key


def standardize_data_format(owner, data_format):
    """``data_format`` in lower case, or ``K.image_data_format()`` for None.

    >>> standardize_data_format("Conv2D layer 'c'", None) == K.image_data_format()
    True
    """
    if data_format is None:
        return K.image_data_format()
    key = data_format.lower() if isinstance(data_format, str) else data_format
    if key not in _DATA_FORMATS:
        raise ValueError(f"{owner}: expected data_format 'channels_last' or 'channels_first'; "
                         f"received {data_format!r}.")
    return key
